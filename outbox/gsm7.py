"""The GSM 03.38 alphabet that one text message of 160 characters is written in.

A text fits in one message of 160 septets only if every character is in the
basic set (one septet) or its extension (two: an escape, then the character).
A single character outside both (a typographic apostrophe, an "È", an "ó")
makes the phone network send the whole text as UCS-2, where one message holds
70 characters. Italian needs care: "à è é ì ò ù" are in the basic set, but
"È À Ì Ò Ù" (capitals with a grave accent) and "á í ó ú" are not.
"""

# 3GPP TS 23.038, 6.2.1: the default alphabet, in code order (ESC, 0x1B, is left out).
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# 6.2.1.1: the extension table, each character sent as ESC and its code.
EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_MESSAGE = 160


def gsm7_length(text: str) -> int | None:
    """How many septets `text` takes in GSM-7; None when a character is not in the alphabet."""
    length = 0
    for char in text:
        if char in BASIC:
            length += 1
        elif char in EXTENSION:
            length += 2
        else:
            return None
    return length


def fits_one_message(text: str) -> bool:
    """Written in GSM-7 and at most 160 septets: sent, and paid for, as one message."""
    length = gsm7_length(text)
    return length is not None and length <= SINGLE_MESSAGE
