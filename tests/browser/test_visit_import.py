"""The doctor imports the booking system's file in a real browser and confirms whose a visit is."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests import factories
from triage.models import Visit

from .support import assert_accessible, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_doctor_confirms_a_visit_matched_only_by_name_and_birth_date(page, shot, tmp_path):
    maria = factories.make_patient(email="maria@example.com", first_name="Maria", last_name="Rossi")
    factories.make_patient(
        email="anna@example.com", first_name="Anna", last_name="Verdi", date_of_birth=date(1985, 6, 1)
    )
    doctor = factories.make_doctor()
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    upload = tmp_path / "agenda.csv"
    upload.write_text(
        "uid;date;time;duration;kind;email;first_name;last_name;date_of_birth;status;note\n"
        f"b-1;{day};09:00;30;;maria.rossi@altro.example;Maria;Rossi;1990-03-01;;\n"
        f"b-2;{day};10:00;30;;anna@example.com;Anna;Verdi;1985-06-01;;\n",
        encoding="utf-8",
    )

    login(page, doctor.email)
    page.goto("/dashboard/visits/import/")
    page.set_input_files("input[type=file]", str(upload))
    with page.expect_navigation():
        page.locator("input[type=submit], button[type=submit]").filter(has_text="Importa").first.click()

    assert page.locator("#import-report").count() == 1
    rows = page.locator("tr.awaiting-row")
    assert rows.count() == 1
    assert "maria.rossi@altro.example" in rows.first.inner_text()
    assert Visit.objects.get(uid="b-1").patient is None
    assert Visit.objects.get(uid="b-2").patient.user.email == "anna@example.com"
    assert_accessible(page, "import with a visit awaiting confirmation")
    shot(page, "awaiting-confirmation")

    with page.expect_navigation():
        rows.first.locator("button[value=confirm]").click()

    assert page.locator("tr.awaiting-row").count() == 0
    assert Visit.objects.get(uid="b-1").patient == maria
