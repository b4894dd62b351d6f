"""Statistics on each flag bit, so PostgreSQL plans a flag-filtered worklist page well.

The flag filter is `(flag_bits & bit) = bit`. Without statistics on that
expression the planner guesses that almost no case matches, so it reads
every open flagged case and sorts them (5 ms at 100,000 cases) instead of
walking the queue index until a page is full (0.1 ms). Django has no
model option for CREATE STATISTICS, hence this migration; SQLite has no
such statistics and needs none.
"""

from django.db import migrations

# One bit per flag of RULES.md section 4, in the order of `rules.FLAG_CODES`
# when this migration was written; a new flag needs a new migration.
FLAG_COUNT = 20


def _statistics_name(position: int) -> str:
    return f"triage_case_flag_{position}_stats"


def create_statistics(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    for position in range(FLAG_COUNT):
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {_statistics_name(position)} "
            f"ON ((flag_bits & {1 << position})) FROM triage_case"
        )
    schema_editor.execute("ANALYZE triage_case")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for position in range(FLAG_COUNT):
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {_statistics_name(position)}")


class Migration(migrations.Migration):
    dependencies = [("triage", "0004_caseevent_detail")]

    operations = [migrations.RunPython(create_statistics, drop_statistics, elidable=False)]
