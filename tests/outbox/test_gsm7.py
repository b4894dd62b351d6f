import pytest

from outbox.gsm7 import fits_one_message, gsm7_length

ITALIAN_IN_BASIC_SET = "àèéìòù"
# What Italian text can slip in and is NOT in GSM-7: capitals with a grave accent (only É is in),
# acute vowels other than é, typographic quotes and the ellipsis character.
NOT_GSM7 = ["È", "À", "Ì", "Ò", "Ù", "á", "í", "ó", "ú", "’", "“", "…", "ç"]


@pytest.mark.parametrize("char", list(ITALIAN_IN_BASIC_SET))
def test_italian_lowercase_accented_vowels_are_one_septet(char):
    assert gsm7_length(char) == 1


@pytest.mark.parametrize("char", NOT_GSM7)
def test_characters_outside_gsm7_make_the_text_not_encodable(char):
    assert gsm7_length(f"Studio {char}") is None
    assert not fits_one_message(char)


@pytest.mark.parametrize("char", list("€[]{}^~|\\"))
def test_extension_characters_take_two_septets(char):
    assert gsm7_length(char) == 2
    assert gsm7_length(f"a{char}b") == 4


def test_the_limit_is_160_septets_counting_extension_characters_twice():
    assert fits_one_message("a" * 160)
    assert not fits_one_message("a" * 161)
    assert fits_one_message("a" * 158 + "€")
    assert not fits_one_message("a" * 159 + "€")


def test_the_basic_set_has_its_127_characters_and_capital_e_acute():
    from outbox.gsm7 import BASIC

    assert len(BASIC) == 127
    assert "É" in BASIC and "Ç" in BASIC and "\x1b" not in BASIC
