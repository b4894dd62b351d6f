"""Statistics on the flag bits that rule set 3 adds (see 0005 for why they matter)."""

from django.db import migrations

# Bits 0-34 are rule sets 1 and 2's flags (0005, 0009); rule set 3 adds bits 35-43, in the order
# of `rules.ALL_FLAG_CODES` (RULES.md 11.1 V4). A new flag needs a new migration.
FIRST = 35
FLAG_COUNT = 44


def _statistics_name(position: int) -> str:
    return f"triage_case_flag_{position}_stats"


def create_statistics(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    for position in range(FIRST, FLAG_COUNT):
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {_statistics_name(position)} "
            f"ON ((flag_bits & {1 << position})) FROM triage_case"
        )
    schema_editor.execute("ANALYZE triage_case")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for position in range(FIRST, FLAG_COUNT):
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {_statistics_name(position)}")


class Migration(migrations.Migration):
    dependencies = [("triage", "0018_audit_append_only_triggers")]

    operations = [migrations.RunPython(create_statistics, drop_statistics, elidable=False)]
