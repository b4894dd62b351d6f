"""PostgreSQL keeps statistics on every flag bit, so the flag filter walks the queue index."""

import importlib
import re

import pytest
from django.db import connection

from triage import rules
from triage.models import flag_bit

migration = importlib.import_module("triage.migrations.0019_case_flag_statistics_rule_set_3")


def test_every_flag_has_its_statistics():
    # A flag added to the rules without a migration of its own would fall back to the
    # planner's guess for its filter.
    assert len(rules.ALL_FLAG_CODES) == migration.FLAG_COUNT


@pytest.mark.django_db
def test_statistics_exist_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("CREATE STATISTICS is PostgreSQL's; CI runs this on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxname, pg_get_statisticsobjdef_expressions(oid)::text FROM pg_statistic_ext "
            "WHERE stxrelid = 'triage_case'::regclass"
        )
        found = dict(cursor.fetchall())
    for position, code in enumerate(rules.ALL_FLAG_CODES):
        expression = found.get(f"triage_case_flag_{position}_stats", "")
        # PostgreSQL prints a constant past 2**31 as a quoted literal: '2147483648'::bigint.
        match = re.fullmatch(r"""\{"\(flag_bits & \(?'?(\d+)'?\)?::bigint\)"\}""", expression)
        assert match is not None, (code, expression)
        assert int(match.group(1)) == flag_bit(code), code
