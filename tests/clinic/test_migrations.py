"""The free-text opening hours become weekly hours; text that cannot be read is kept as the note."""

from datetime import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("clinic", "0003_opening_hours")
AFTER = ("clinic", "0004_opening_hours_from_text")


@pytest.fixture
def migrate_to():
    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("text", "hours", "note"),
    [
        pytest.param(
            "lunedì-venerdì 9:00-13:00 e 14:30-18:30",
            [(day, time(9), time(13)) for day in range(5)]
            + [(day, time(14, 30), time(18, 30)) for day in range(5)],
            "",
            id="the-demo-text",
        ),
        pytest.param(
            "lun-ven 9-18; sab 9.30-12",
            [(day, time(9), time(18)) for day in range(5)] + [(5, time(9, 30), time(12))],
            "",
            id="short-names-and-dots",
        ),
        pytest.param("su appuntamento, tel. prima", [], "su appuntamento, tel. prima", id="unreadable-kept"),
        pytest.param("lun-ven 18-9", [], "lun-ven 18-9", id="closing-before-opening-kept"),
    ],
)
def test_free_text_hours_become_weekly_hours(migrate_to, text, hours, note):
    apps = migrate_to(BEFORE)
    apps.get_model("clinic", "ClinicProfile").objects.update_or_create(
        id=1, defaults={"name": "Studio", "opening_hours_it": text, "opening_hours_en": "x"}
    )

    apps = migrate_to(AFTER)
    rows = apps.get_model("clinic", "OpeningInterval").objects.order_by("opens", "weekday")
    assert sorted((row.weekday, row.opens, row.closes) for row in rows) == sorted(hours)
    profile = apps.get_model("clinic", "ClinicProfile").objects.get(id=1)
    assert profile.hours_note_it == note
