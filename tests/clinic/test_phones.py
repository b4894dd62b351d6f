"""Phone numbers: typed in any usual way, stored as E.164, shown for Italy, dialled through `tel:`."""

import pytest
from django.template import Context, Template

from clinic.models import ClinicProfile
from clinic.phones import InvalidPhone, phone_display, phone_href, phone_link, phone_normalise

NUMBERS = [
    pytest.param("+39 333 123 4567", "+393331234567", "333 123 4567", id="mobile-with-code"),
    pytest.param("333 1234567", "+393331234567", "333 123 4567", id="mobile-national"),
    pytest.param("0039 347-555-0101", "+393475550101", "347 555 0101", id="mobile-00-prefix"),
    pytest.param("06 1234 5678", "+390612345678", "06 1234 5678", id="rome-landline"),
    pytest.param("(02) 1234.5678", "+390212345678", "02 1234 5678", id="milan-landline-punctuated"),
    pytest.param("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958", id="uk-international"),
]


@pytest.mark.parametrize(("typed", "stored", "shown"), NUMBERS)
def test_a_number_is_stored_as_e164_and_shown_for_italy(typed, stored, shown):
    assert phone_normalise(typed) == stored
    assert phone_display(stored) == shown
    assert phone_href(stored) == f"tel:{stored}"


@pytest.mark.parametrize("typed", ["call me maybe", "123", "+39 12", "333 123 4567 890 12", "+999 1234567"])
def test_text_that_is_not_a_valid_number_is_refused(typed):
    with pytest.raises(InvalidPhone):
        phone_normalise(typed)


def test_no_number_is_no_number():
    assert phone_normalise("  ") == ""
    assert phone_display("") == ""
    assert phone_href("") == ""


def test_an_unreadable_stored_value_is_shown_as_written_without_a_link():
    assert phone_display("ask at reception") == "ask at reception"
    assert phone_href("ask at reception") == ""


def test_template_filters_give_the_link_and_the_text():
    html = Template(
        '{% load phones %}<a href="{{ p|phone_href }}">{{ p|phone_display }}</a>|{{ bad|phone_href }}|{{ bad|phone_display }}'
    ).render(Context({"p": "+393331234567", "bad": "<b>x</b>"}))

    assert html == '<a href="tel:+393331234567">333 123 4567</a>||&lt;b&gt;x&lt;/b&gt;'


def test_a_phone_link_calls_the_number_and_shows_it_formatted():
    assert phone_link("+393331234567") == '<a class="phone-link" href="tel:+393331234567">333 123 4567</a>'
    assert phone_link("ask at <reception>") == "ask at &lt;reception&gt;"
    assert phone_link("") == ""


def test_the_clinics_phone_is_formatted_as_a_patients_is():
    profile = ClinicProfile(name="Studio", phone="+390612345678")

    assert profile.phone_display == phone_display("+390612345678") == "06 1234 5678"
    assert profile.phone_href == "tel:+390612345678"
