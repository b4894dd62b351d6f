"""`make run PORT=…`: the links the portal emails and its banner name the port it serves on."""

import os
import subprocess
from pathlib import Path

from django.conf import settings

PRINT_ADDRESS = "print-address:\n\t@echo $$DJANGO_PORTAL_BASE_URL\n"


def portal_address(*make_args: str) -> str:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_PORTAL_BASE_URL"}
    result = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", "-", "print-address", *make_args],
        input=PRINT_ADDRESS,
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_make_run_links_point_to_the_port_it_serves():
    assert portal_address() == "http://127.0.0.1:8000"
    assert portal_address("PORT=8201") == "http://127.0.0.1:8201"
    assert portal_address("HOST=0.0.0.0", "PORT=8202") == "http://0.0.0.0:8202"
