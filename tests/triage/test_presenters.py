"""The worklist's rows: the template prints the markup the rows had when built in Python."""

import re
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import translation

from triage.models import Case, CaseLevel
from triage.presenters import Labels, worklist_rows, worklist_rows_html
from triage.selectors import WorklistRow

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=dt_timezone.utc)


def row(pk, **values) -> WorklistRow:
    fields = {
        "pk": pk,
        "submitted_at": NOW - timedelta(days=3, hours=2),
        "level": CaseLevel.PRIORITY,
        "score": 8,
        "flags": ["POSTMENOPAUSAL_BLEEDING", "INTERMENSTRUAL_BLEEDING"],
        "rules_version": None,
        "status": Case.Status.NEW,
        "follow_up_on": None,
        "last_acted_at": None,
        "age": 61,
        "patient_name": "Maria Rossi",
        "actor_name": "",
    }
    return WorklistRow(**(fields | values))


ROWS = [
    row(1),
    row(
        2,
        level=CaseLevel.FOLLOW_UP,
        score=1,
        flags=[],
        status=Case.Status.FOLLOW_UP,
        follow_up_on=date(2026, 4, 2),
        age=1,
        actor_name="Giulia Bianchi",
        last_acted_at=NOW - timedelta(hours=2),
    ),
    row(3, level=CaseLevel.EMERGENCY, status=Case.Status.CLOSED, actor_name="Ida Neri", last_acted_at=NOW),
    row(4, level=CaseLevel.REVIEW, flags=["RECURRENT"], rules_version=1, status=Case.Status.IN_REVIEW),
    row(5, level=9, flags=["<i>OLD</i>"], patient_name='<b>Eva</b> & "Co" l\'Aquila', actor_name="<u>Ida</u>"),
]


def normalised(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", markup)).strip()


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("query", ["", "flag=RECURRENT&all=1"])
def test_template_rows_match_the_python_markup(language, query):
    with time_machine.travel(NOW, tick=False), translation.override(language):
        labels = Labels()
        python = worklist_rows_html(ROWS, query=query, labels=labels)
        template = render_to_string(
            "triage/_worklist_rows.html", {"rows": worklist_rows(ROWS, query=query, labels=labels)}
        )

    assert normalised(template) == normalised(python)
