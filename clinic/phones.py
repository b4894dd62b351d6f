"""Phone numbers: read with Google's libphonenumber (`phonenumbers`), stored as E.164, shown for Italy.

A number is stored as E.164 (`+393331234567`), the form `tel:` links and
other systems expect. It is shown in the Italian national format for an
Italian number (`333 123 4567`) and in the international format for any
other (`+44 20 7946 0958`). A stored value that does not parse (written
before numbers were validated) is shown as it is, without a link.

A thin wrapper over `phonenumbers` rather than django-phonenumber-field: the
number stays plain E.164 text in a CharField, which the FHIR and GDPR exports,
the admin's search and the CSV read as they are; every app (and `clinic`
itself) reaches the one parser through this module, with no model field type
or form widget of another package; and it is one dependency fewer.
"""

import functools
import re

import phonenumbers
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

# Numbers written without a country code are Italian.
DEFAULT_REGION = "IT"
DEFAULT_COUNTRY_CODE = phonenumbers.country_code_for_region(DEFAULT_REGION)
# What `phone_normalise` stores.
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class InvalidPhone(ValueError):
    """The text is not a phone number that can be dialled."""


# Italy's short service numbers: emergency (112, 118), out-of-hours doctor (116117).
SHORT_NUMBER = re.compile(r"\d{3,6}")


def _parse(text: str, *, validate: bool = True) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if not validate or phonenumbers.is_valid_number(number) else None


def phone_normalise(text: str) -> str:
    """The E.164 form of a number typed in any usual way; "" for no number.

    Raises `InvalidPhone` for text that is not a valid number.
    """
    text = (text or "").strip()
    if not text:
        return ""
    number = _parse(text)
    if number is None:
        raise InvalidPhone(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """How a stored number is printed: national format in Italy, international elsewhere."""
    return phone_parts(value)[0]


PHONE_LINK = '<a class="phone-link" href="{}">{}</a>'


def phone_link(value: str) -> SafeString:
    """A patient's phone as the doctor's pages print it: a link that calls it, in the display format;
    the text as stored when it cannot be dialled; nothing without one. The one place its markup is
    written: the worklist row, the case page, the day's list and the patient's page print it."""
    text, href = phone_parts(value)
    if href:
        return format_html(PHONE_LINK, href, text)
    return conditional_escape(text)


def phone_href(value: str) -> str:
    """The `tel:` link of a stored number, or "" when it cannot be dialled."""
    return phone_parts(value)[1]


def dial_href(value: str) -> str:
    """The `tel:` link of a number the clinic publishes: a short service number (112, 118, 116117)
    as it is dialled, any other as `phone_href` reads it; "" when it cannot be dialled."""
    value = (value or "").strip()
    if SHORT_NUMBER.fullmatch(value):
        return "tel:" + value
    return phone_href(value)


@functools.lru_cache(maxsize=4096)
def phone_parts(value: str) -> tuple[str, str]:
    """(text, `tel:` link) of a stored number, parsed once; a worklist prints many, again and again."""
    if not value:
        return "", ""
    # A stored E.164 number was validated when it was saved; older text is validated now.
    number = _parse(value, validate=not E164.fullmatch(value))
    if number is None:
        return value, ""
    href = "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # The country code, not the region lookup, which costs as much as the rest together.
    if number.country_code == DEFAULT_COUNTRY_CODE:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL), href
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL), href


# What `phonenumbers` can tell of a number that rules out text messages: a landline, and the
# service numbers (free, premium, shared cost, voicemail) that no telephone answers texts on.
NO_TEXTS = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.VOICEMAIL,
    }
)


def phone_can_receive_texts(value: str) -> bool:
    """Whether a stored (E.164) number may be a mobile: False for a landline or a service number.

    A number whose kind is not known (some countries do not tell mobiles from landlines) is given
    the benefit of the doubt; the provider refuses it if it cannot take texts.
    """
    number = _parse(value) if value else None
    return number is not None and phonenumbers.number_type(number) not in NO_TEXTS


def phone_masked(value: str) -> str:
    """A number as logs may show it: the country code and the last four digits (+39 *** *** 4567)."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < 6:
        return "***"
    number = _parse(value, validate=False) if value.startswith("+") else None
    country = f"+{number.country_code}" if number is not None else "+"
    return f"{country} *** *** {digits[-4:]}"
