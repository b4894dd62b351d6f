"""One register in Italian (the formal "Lei"), Django's own messages included, and dates that read naturally."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import django
import polib
import pytest
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext, pgettext

PO_PATH = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.po"
DJANGO_DIR = Path(django.__file__).parent
DJANGO_IT_PO = DJANGO_DIR / "conf" / "locale" / "it" / "LC_MESSAGES" / "django.po"
AUTH_IT_PO = DJANGO_DIR / "contrib" / "auth" / "locale" / "it" / "LC_MESSAGES" / "django.po"

# The second person singular: pronouns and possessives, and verb forms no "Lei" sentence uses.
# "sei" (six) and "te"/"ti" inside words are left out, and only whole words count.
TU_WORDS = r"tu|tuo|tua|tuoi|tue|ti|te|hai|puoi|devi|vuoi|sai|stai|fai|vai|riprova|inseriscila|inseriscilo"
# Imperatives of "tu", at the start of a message or a sentence (a button, an instruction). Only
# words that are never a noun: "Verifica", "Stampa", "Conferma" or "Modifica" can be headings.
TU_IMPERATIVES = (
    "Inserisci|Scegli|Clicca|Seleziona|Premi|Tocca|Compila|Controlla|Salva|Invia|Accedi|Esci|Scarica|"
    "Apri|Chiudi|Torna|Vai|Continua|Crea|Aggiungi|Cambia|Attiva|Disattiva|Mostra|Applica|Azzera|"
    "Esporta|Filtra|Includi|Mantieni|Richiedi|Genera|Archivia|Cancella|Elimina|Assicurati|Contatta|"
    "Chiama|Telefona|Rispondi|Indica|Leggi|Scrivi|Usa|Imposta|Installa|Scansiona|Prenota|Ricorda|"
    "Ricordati|Rivolgiti|Recati|Riprova|Digita|Copia|Conserva|Segui|Guarda|Aspetta|Attendi"
)
INFORMAL = re.compile(
    rf"\b({TU_WORDS})\b|(?:^|[.!?:;(«\"]\s*|\s[—·]\s*)({TU_IMPERATIVES})\b",
    re.IGNORECASE | re.UNICODE,
)
# "Continua," as an adjective of a therapy (RULES.md 3.3: "Continua, pensata per non avere flusso").
INFORMAL_IMPERATIVE_START = re.compile(rf"(?:^|[.!?:;(«\"]\s*|\s[—·]\s*)({TU_IMPERATIVES})\b(?!, pensata\b)")
INFORMAL_WORD = re.compile(rf"\b({TU_WORDS})\b", re.IGNORECASE)


def informal_forms(text: str) -> list[str]:
    """The "tu" forms in an Italian text: whole words anywhere, imperatives where a sentence starts."""
    words = [match.group(1) for match in INFORMAL_WORD.finditer(text)]
    imperatives = [match.group(1) for match in INFORMAL_IMPERATIVE_START.finditer(text)]
    return words + imperatives


def translations(entry) -> list[str]:
    return [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())


# --- The marker list itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Inserisci una data valida.",
        "La tua password non può essere interamente numerica.",
        "Riprova per favore.",
        "Salva le modifiche",
        "Se hai dubbi, chiama lo studio.",
        "Dati salvati. Torna al profilo.",
        "Puoi chiudere la pagina.",
    ],
)
def test_the_check_finds_informal_forms(text):
    assert informal_forms(text)


@pytest.mark.parametrize(
    "text",
    [
        "Inserisca una data valida.",
        "La password non può essere composta solo da numeri.",
        "Scarichi i suoi dati",
        "Scarichi i dati",
        "Se ha dubbi, telefoni allo studio e chiami il 112.",
        "Verifica in due passaggi",
        "Conferma password",
        "Sanguinamento dopo i rapporti: sei episodi in tre mesi.",
        "Lei ha risposto sì; il medico la contatterà.",
        "Stampa del caso",
        "Continua, pensata per non avere flusso (estrogeno e progestinico tutti i giorni)",
    ],
)
def test_the_check_leaves_formal_forms_alone(text):
    assert informal_forms(text) == []


def test_the_check_finds_the_informal_forms_of_djangos_own_catalogue():
    """Django's Italian is informal; the check must see it, or a clean catalogue proves nothing."""
    django = polib.pofile(str(DJANGO_IT_PO))
    auth = polib.pofile(str(AUTH_IT_PO))
    found = {
        entry.msgid for po in (django, auth) for entry in po if any(map(informal_forms, translations(entry)))
    }
    assert {"Enter a valid date.", "Your password can’t be entirely numeric.", "Enter new password"} <= found


# --- The clinic's catalogue ---------------------------------------------------------------------------


def test_the_italian_catalogue_speaks_to_the_reader_formally():
    problems = [
        f"{entry.msgid!r} -> {text!r}: {forms}"
        for entry in polib.pofile(str(PO_PATH))
        for text in translations(entry)
        if (forms := informal_forms(text))
    ]
    assert problems == []


def _overrides() -> list[polib.POEntry]:
    """Our catalogue's entries for Django's own messages (marked in clinic/django_messages.py)."""
    return [
        entry
        for entry in polib.pofile(str(PO_PATH))
        if any(path.endswith("django_messages.py") for path, _line in entry.occurrences)
    ]


def _django_source() -> str:
    return "".join(path.read_text(errors="ignore") for path in DJANGO_DIR.rglob("*.py"))


def test_each_override_is_a_message_of_django_itself():
    """Spelled as Django spells it: a message that differs by a character would never be used."""
    source = re.sub(r'"\s*\n\s*"', "", _django_source())  # join Django's split string literals
    overrides = _overrides()
    assert len(overrides) > 40
    missing = [
        msgid
        for entry in overrides
        for msgid in filter(None, (entry.msgid, entry.msgid_plural))
        if f'"{msgid}"' not in source
    ]
    assert missing == []


def test_our_catalogue_wins_over_djangos_for_the_messages_patients_see():
    with translation.override("it"):
        for entry in _overrides():
            if entry.msgid_plural:
                assert ngettext(entry.msgid, entry.msgid_plural, 5) == entry.msgstr_plural[1], entry.msgid
            elif entry.msgctxt:
                assert pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
            else:
                assert gettext(entry.msgid) == entry.msgstr, entry.msgid
    # Weekday and month names among them, lowercase.
    with translation.override("it"):
        assert (gettext("Monday"), gettext("March"), pgettext("alt. month", "March")) == (
            "lunedì",
            "marzo",
            "marzo",
        )


def test_password_rules_are_explained_formally_in_italian():
    with translation.override("it"):
        texts = password_validators_help_texts()
    assert len(texts) == 4
    assert [text for text in texts if informal_forms(text)] == []
    assert any("10 caratteri" in text for text in texts)


@pytest.mark.django_db
def test_a_weak_password_at_sign_up_is_refused_formally_in_italian(client):
    response = client.post(
        reverse("signup"),
        {
            "email": "nuova@example.com",
            "first_name": "Lucia",
            "last_name": "Ferri",
            "date_of_birth": "1992-07-15",
            "password1": "12345",
            "password2": "12345",
            "consent": "on",
        },
        HTTP_ACCEPT_LANGUAGE="it",
    )
    errors = " ".join(response.context["form"].errors["password2"])
    assert "troppo corta" in errors and "solo da numeri" in errors
    assert informal_forms(errors) == []


# --- The wrong password -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "never"),
    [
        ("en", "The email or the password is not correct.", ("case", "capital")),
        ("it", "L'email o la password non sono corretti.", ("maiuscol", "minuscol")),
    ],
)
def test_a_wrong_password_does_not_say_capitals_matter(patient, language, expected, never):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)

    response = client.post(reverse("login"), {"username": "PATIENT@example.com", "password": "wrong"})

    (error,) = response.context["form"].non_field_errors()
    assert error.startswith(expected)
    assert not any(word in error.lower() for word in never)


# --- Buttons match their headings ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_data_download_button_matches_its_heading(patient):
    client = Client(HTTP_ACCEPT_LANGUAGE="it")
    client.force_login(patient.user)

    html = client.get(reverse("patients:data_export")).content.decode()

    assert '<h1 class="h3 mb-3">Scarichi i suoi dati</h1>' in html
    assert ">Scarichi i dati</button>" in html


# --- Dates ------------------------------------------------------------------------------------------

MOMENT = datetime(2026, 11, 30, 9, 15, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("it", "DATETIME_FORMAT", "lunedì 30 novembre 2026, 09:15"),
        ("it", "DATE_FORMAT", "30 novembre 2026"),
        ("it", "SHORT_DATETIME_FORMAT", "30/11/2026 09:15"),
        ("it", "TIME_FORMAT", "09:15"),
        ("en", "DATETIME_FORMAT", "Monday 30 November 2026, 09:15"),
        ("en", "DATE_FORMAT", "30 November 2026"),
        ("en", "SHORT_DATETIME_FORMAT", "30/11/2026 09:15"),
        ("en", "SHORT_DATE_FORMAT", "30/11/2026"),
        ("en", "TIME_FORMAT", "09:15"),
    ],
)
def test_dates_read_naturally_in_each_language(language, name, expected):
    with translation.override(language):
        assert formats.date_format(MOMENT, name) == expected


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("month", range(1, 13))
def test_no_date_ends_in_a_full_stop_and_italian_names_are_lowercase(language, month):
    moment = MOMENT.replace(month=month, day=1)
    with translation.override(language):
        for name in (
            "DATE_FORMAT",
            "DATETIME_FORMAT",
            "SHORT_DATE_FORMAT",
            "SHORT_DATETIME_FORMAT",
            "TIME_FORMAT",
        ):
            text = formats.date_format(moment, name)
            assert not text.endswith("."), text
            if language == "it":
                assert text == text.lower(), text


def test_templates_name_a_format_instead_of_spelling_one_out():
    """The formats live in clinic/formats/; a template may only ask for ISO dates for machines."""
    machine = {"c", "Y-m-d"}
    spelled = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for match in re.finditer(r"\|(?:date|time):[\"']([^\"']+)[\"']", path.read_text()):
            if match.group(1) not in machine and not match.group(1).endswith("_FORMAT"):
                spelled.append(f"{path.name}: {match.group(1)}")
    assert spelled == []


@pytest.mark.django_db
def test_a_sentence_ending_in_a_date_has_one_full_stop(patient):
    from patients.services import submission_record

    submission_record(patient=patient, answers={}, submitted_at=MOMENT)
    for language in ("it", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(patient.user)
        submission = patient.submissions.get()
        html = client.get(reverse("patients:submission_detail", args=[submission.pk])).content.decode()
        assert ".." not in re.sub(r"<[^>]+>", " ", html).replace("...", "")
        assert {"it": "lunedì 30 novembre 2026, 09:15", "en": "Monday 30 November 2026, 09:15"}[
            language
        ] in html


# --- One capitalisation for "Lei" ---------------------------------------------------------------------

# The catalogue writes the courtesy forms in lowercase inside a sentence ("la sua prossima visita",
# "le abbiamo scritto"), as current Italian usage does; a capital only starts a sentence.
CAPITAL_LEI = re.compile(r"(?<=[a-zà-ù0-9,;)] )(Sua|Suo|Sue|Suoi|Lei|Le|La|Gli)\b")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("La Sua prossima visita", ["Sua"]),
        ("Lo studio Le ha prenotato una visita", ["Le"]),
        ("Il caso è assegnato a Lei.", ["Lei"]),
        ("La sua prossima visita. Le scriveremo.", []),
        ("Lei ha risposto sì; il medico la contatterà.", []),
    ],
)
def test_the_capital_lei_marker(text, found):
    assert CAPITAL_LEI.findall(text) == found


def test_the_courtesy_forms_are_lowercase_inside_a_sentence():
    capitals = [
        (entry.msgid, text)
        for entry in polib.pofile(str(PO_PATH))
        for text in translations(entry)
        if CAPITAL_LEI.search(text)
    ]
    assert capitals == []
