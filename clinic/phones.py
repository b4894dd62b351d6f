"""Phone numbers: read with Google's libphonenumber (`phonenumbers`), stored as E.164, shown for Italy.

A number is stored as E.164 (`+393331234567`), the form `tel:` links and
other systems expect. It is shown in the Italian national format for an
Italian number (`333 123 4567`) and in the international format for any
other (`+44 20 7946 0958`). A stored value that does not parse (written
before numbers were validated) is shown as it is, without a link.
"""

import phonenumbers

# Numbers written without a country code are Italian.
DEFAULT_REGION = "IT"


class InvalidPhone(ValueError):
    """The text is not a phone number that can be dialled."""


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


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
    number = _parse(value) if value else None
    if number is None:
        return value or ""
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_href(value: str) -> str:
    """The `tel:` link of a stored number, or "" when it cannot be dialled."""
    number = _parse(value) if value else None
    if number is None:
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
