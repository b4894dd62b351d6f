"""Load benchmark of the portal; run on purpose with `python bench/run.py`, never by the test suite."""
