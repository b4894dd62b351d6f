"""The login identifier: one spelling of an email for the lockout counter, the lookup and sign-up."""

import unicodedata


def login_key(value: str) -> str:
    """The identifier an email address logs in under: NFKC, then case-folded, then trimmed.

    Every place that compares login identifiers (the login form's user lookup,
    django-axes' failure counter, sign-up's uniqueness check) goes through this
    one function and the `login_key` column it fills, so that a look-alike
    spelling (a fullwidth letter, a combining accent, an upper-case letter,
    a space) cannot reach the account under a name the counter does not know.
    Case-folding can leave a string that is no longer in NFKC, hence the
    second normalisation.
    """
    text = unicodedata.normalize("NFKC", value or "")
    return unicodedata.normalize("NFKC", text.casefold()).strip()
