"""A patient changes her email on a phone, in Italian: the profile's form, the link sent to the new
address, the confirmation."""

import re

import pytest
from django.core import mail

from patients.models import User
from tests.factories import PASSWORD, make_patient
from tests.test_support import run_tasks

from .support import assert_accessible, assert_no_sideways_scroll, login

pytestmark = pytest.mark.django_db(transaction=True)

OLD, NEW = "lucia@example.com", "lucia.nuova@example.org"
CHANGE_LINK = re.compile(r"https?://[^/\s]+(/accounts/profile/email/confirm/[^/\s]+/[^/\s]+/)")


def test_she_changes_her_email_on_a_phone_in_italian(phone_page, shot):
    patient = make_patient(email=OLD, first_name="Lucia", last_name="Longo")
    User.objects.filter(pk=patient.user_id).update(language="it")
    page = phone_page
    login(page, OLD)
    page.goto("/accounts/profile/")
    form = page.locator("form[action$='/accounts/profile/email/']")
    assert page.get_by_role("heading", name="Cambiare email").is_visible()

    # A wrong password: the message is next to the field, the address she typed stays.
    form.get_by_label("Nuova email").fill(NEW)
    form.get_by_label("La sua password").fill("non-la-sua")
    with page.expect_navigation():
        form.get_by_role("button", name="Cambiare email").click()
    assert "La password non è corretta." in form.inner_text()
    assert form.get_by_label("Nuova email").input_value() == NEW
    assert_accessible(page, "profile with an error")
    shot(page, "wrong-password")

    form.get_by_label("La sua password").fill(PASSWORD)
    with page.expect_navigation():
        form.get_by_role("button", name="Cambiare email").click()
    status = page.get_by_role("status").filter(has_text="in attesa di conferma")
    assert NEW in status.inner_text()
    assert status.get_by_role("button", name="Annulli la modifica").is_visible()
    assert_no_sideways_scroll(page, "profile with a pending change")
    assert_accessible(page, "profile with a pending change")
    shot(page, "pending")

    run_tasks()
    (link,) = [m for m in mail.outbox if m.to == [NEW]]
    (notice,) = [m for m in mail.outbox if m.to == [OLD]]
    assert "Confermi il nuovo indirizzo email" in link.subject
    assert "l***@e***.org" in notice.body and NEW not in notice.body

    page.goto(CHANGE_LINK.search(link.body).group(1))
    assert page.get_by_role("heading", name="Confermi la sua nuova email").is_visible()
    assert_no_sideways_scroll(page, "confirmation page")
    shot(page, "confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Usi questa email").click()

    assert f"La sua email ora è {NEW}" in page.inner_text("main")
    assert User.objects.get(pk=patient.user_id).email == NEW
    shot(page, "done")
