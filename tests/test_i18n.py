"""Italian first: a complete, current catalogue, Italian pages with no English left, a remembered switch."""

import csv
import functools
import gettext
import io
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import capfirst
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.auth import HAS_SECOND_FACTOR
from patients.models import User
from patients.questionnaire_forms import QuestionnaireForm
from patients.services import submission_draft, submission_record
from tests import factories
from tests.test_support import run_tasks
from triage import rules
from triage.audit.writer import Actor
from triage.cases.notifications import notify_urgent_case
from triage.cases.services import case_add_note, case_change_status
from triage.models import Case, CaseLevel

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_PATH = LOCALE_DIR / "it" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "it" / "LC_MESSAGES" / "django.mo"

# What `make messages` leaves out: the virtualenv, generated files and local data.
NOT_SOURCE = {".git", ".venv", "artifacts", "bench", "locale", "node_modules", "staticfiles", "var"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def entry_key(entry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"{context}{entry.msgid!r}"


# --- The catalogue itself ----------------------------------------------------------------


def test_italian_catalogue_has_no_untranslated_fuzzy_or_obsolete_entries():
    po = catalogue()
    problems = (
        [f"untranslated: {describe(e)}" for e in po.untranslated_entries()]
        + [f"fuzzy: {describe(e)}" for e in po.fuzzy_entries()]
        + [f"obsolete: {describe(e)}" for e in po.obsolete_entries()]
    )
    assert len(po) > 300
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "it"
    assert problems == []


def test_italian_translations_keep_every_placeholder():
    mismatched = []
    for entry in catalogue():
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for english, italian in pairs:
            if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(italian)):
                mismatched.append(describe(entry))
    assert mismatched == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo is what the server reads; it must hold exactly the .po's translations."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue().translated_entries():
        if entry.msgid_plural:
            for n, index in ((1, 0), (2, 1), (5, 1)):
                found = (
                    compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    if entry.msgctxt
                    else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                )
                if found != entry.msgstr_plural[index]:
                    stale.append(describe(entry))
        else:
            found = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
            if found != entry.msgstr:
                stale.append(describe(entry))
    assert compiled.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"
    assert stale == []


def _copy_sources(target: Path) -> None:
    base = Path(settings.BASE_DIR)
    for directory, subdirectories, files in os.walk(base):
        here = Path(directory)
        subdirectories[:] = [
            name
            for name in subdirectories
            if not name.startswith(".")
            and name != "__pycache__"
            and not (here == base and name in NOT_SOURCE)
        ]
        for name in files:
            if Path(name).suffix in SOURCE_SUFFIXES:
                destination = target / (here / name).relative_to(base)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(here / name, destination)


def test_catalogue_lists_exactly_the_strings_marked_in_the_source(tmp_path, settings, monkeypatch):
    """Extract afresh from a copy of the sources (so the real catalogue is untouched) and compare."""
    sources = tmp_path / "src"
    _copy_sources(sources)
    (sources / "locale").mkdir()
    settings.LOCALE_PATHS = [sources / "locale"]
    monkeypatch.chdir(sources)
    call_command("makemessages", locale=["it"], no_location=True, no_obsolete=True, verbosity=0)

    extracted = {entry_key(e): e for e in polib.pofile(str(sources / "locale/it/LC_MESSAGES/django.po"))}
    committed = {entry_key(e): e for e in catalogue()}
    missing = sorted(describe(extracted[key]) for key in extracted.keys() - committed.keys())
    unused = sorted(describe(committed[key]) for key in committed.keys() - extracted.keys())
    assert len(extracted) > 300
    assert missing == [], "run `make messages` and translate the new strings"
    assert unused == [], "run `make messages` to drop strings the source no longer uses"


# --- No English on Italian pages -----------------------------------------------------------

VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
}  # fmt: skip
HIDDEN_ELEMENTS = {"script", "style", "template"}
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class VisibleText(HTMLParser):
    """The text a reader sees or hears, leaving out scripts and anything marked `lang="en"`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # The page's own language is checked separately; English inside it is deliberate (the switcher).
        english = tag != "html" and (attrs.get("lang") or "").startswith("en")
        hidden = self.hidden or tag in HIDDEN_ELEMENTS or english
        if not hidden:
            self.parts.extend(value for name, value in attrs.items() if name in VISIBLE_ATTRIBUTES and value)
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


@functools.cache
def english_phrases() -> frozenset[str]:
    """Pieces of English from the catalogue, of two words or more, that Italian never shows as they are.

    Placeholders split a message into pieces; a piece that also occurs inside an
    Italian translation (a name, "Pap test") is not evidence of a leak.
    """
    entries = [e for e in catalogue() if e.translated()]
    italian = " ".join(
        text for e in entries for text in ([e.msgstr] if not e.msgid_plural else e.msgstr_plural.values())
    )
    phrases = set()
    for entry in entries:
        for english in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in re.split(PLACEHOLDER.pattern + r"|\n", english):
                piece = " ".join(piece.split()).strip(" :,.;·—")
                if len(piece.split()) >= 2 and piece not in italian:
                    phrases.add(piece)
    return frozenset(phrases)


def english_leaks(html: str, phrases) -> list[str]:
    """The phrases shown as whole words; the substring test first rules out most of them at a fraction
    of the cost of the word-bounded search (a quarter of a second a page, for a thousand phrases)."""
    text = visible_text(html)
    return sorted(p for p in phrases if p in text and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text))


# One patient's questionnaires, one per level, with answers that show most of the questionnaire.
LEVEL_ANSWERS = {
    "emergency": {"soaks_pad_hourly": True, "dizziness_fainting": True},
    "urgent": {
        "pregnancy_status": "possible",
        "shoulder_tip_pain": False,
        "pelvic_pain_days": 2,
        "pelvic_pain_severity": 4,
    },
    "priority": {
        "menopause_status": "postmenopausal",
        "bleeding_after_sex": True,
        "bleeding_episodes_3m": 2,
        "bleeding_first_noticed_weeks": 3,
        "bleeding_amount": "spotting",
        "bleeding_trend": "same",
        "clots": False,
    },
    "follow_up": {
        "discharge_after_sex": True,
        "discharge_color": "yellow_green",
        "burning": True,
        "itching": True,
        "last_cervical_screening": "over_5y",
        "notes": "Da due settimane.",
    },
    "routine": {"menopause_status": "perimenopausal"},
}


@dataclass
class World:
    patient: object
    doctor: User
    submissions: dict
    flagged_case: Case
    draft_key: str


@pytest.fixture
def world(patient, doctor, django_capture_on_commit_callbacks) -> World:
    now = timezone.now()
    submissions = {}
    with django_capture_on_commit_callbacks(execute=True):
        for days, (level, answers) in enumerate(LEVEL_ANSWERS.items(), start=1):
            submissions[level] = submission_record(
                patient=patient, answers=answers, submitted_at=now - timedelta(days=days)
            )
    review = factories.make_case(patient, level=CaseLevel.REVIEW, submitted_at=now - timedelta(days=10))
    submissions["review"] = review.submission
    # Every flag at once, so that each label and reason is rendered in the worklist and on the case.
    flagged = factories.make_case(
        patient,
        level=CaseLevel.EMERGENCY,
        score=40,
        flags=rules.FLAG_CODES,
        answers=LEVEL_ANSWERS["priority"],
        submitted_at=now - timedelta(hours=2),
    )
    case_change_status(
        case_id=flagged.pk, actor=Actor(doctor), to_status="in_review", expected_version=flagged.version
    )
    flagged.refresh_from_db()
    case_change_status(
        case_id=flagged.pk,
        actor=Actor(doctor),
        to_status="follow_up",
        expected_version=flagged.version,
        follow_up_on=timezone.localdate() + timedelta(days=7),
    )
    case_add_note(case_id=flagged.pk, actor=Actor(doctor), text="Richiamata.")
    # The doctor opens and prints the case, so the patient's access log has entries.
    staff = Client()
    staff.force_login(doctor)
    staff.get(reverse("triage:case_detail", args=[flagged.pk]))
    staff.get(reverse("triage:case_print", args=[flagged.pk]))
    draft = submission_draft(patient)
    draft.answers = {"bleeding_after_sex": True}
    draft.save()
    return World(
        patient=patient,
        doctor=doctor,
        submissions=submissions,
        flagged_case=flagged,
        draft_key=str(draft.key),
    )


def _reset_link(world: World) -> str:
    user = world.patient.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])


@dataclass(frozen=True)
class Page:
    """A page to render: who asks, for what, and how the page answers."""

    name: str
    role: str | None
    url: object
    method: str = "get"
    data: object = None
    status: int = 200
    repeat: int = 1
    staff_need_second_factor: bool = False
    lands_on: object = None  # where a redirect ends, when the page is not the URL asked for


def detail(level):
    return lambda world: reverse("patients:submission_detail", args=[world.submissions[level].pk])


PAGES = [
    Page("login", None, lambda w: reverse("login")),
    Page(
        "login-failed",
        None,
        lambda w: reverse("login"),
        "post",
        {"username": "x@example.com", "password": "nope"},
    ),
    Page("signup", None, lambda w: reverse("signup")),
    Page(
        "signup-invalid",
        None,
        lambda w: reverse("signup"),
        "post",
        {"email": "new@example.com", "first_name": "Ada", "date_of_birth": "2999-01-01", "phone": "abc"},
    ),
    Page("password-reset", None, lambda w: reverse("password_reset")),
    Page("password-reset-done", None, lambda w: reverse("password_reset_done")),
    Page("password-reset-bad-link", None, lambda w: reverse("password_reset_confirm", args=["MQ", "x-y"])),
    Page(
        "password-reset-new-password",
        None,
        _reset_link,
        lands_on=lambda w: _reset_link(w).rsplit("/", 2)[0] + "/set-password/",
    ),
    Page("password-reset-complete", None, lambda w: reverse("password_reset_complete")),
    Page("privacy", None, lambda w: reverse("privacy")),
    Page("home", "patient", lambda w: reverse("home")),
    Page("questionnaire-list", "patient", lambda w: reverse("patients:submission_list")),
    Page(
        "questionnaire-form",
        "patient",
        lambda w: reverse("patients:submission_edit"),
        lands_on=lambda w: reverse("patients:submission_step", args=[1]),
    ),
    Page(
        "questionnaire-step-errors",
        "patient",
        lambda w: reverse("patients:submission_step", args=[4]),
        "post",
        lambda w: {"key": w.draft_key, "action": "next", "pain_during_sex": "x"},
    ),
    Page("questionnaire-review", "patient", lambda w: reverse("patients:submission_review")),
    Page(
        "questionnaire-form-errors",
        "patient",
        lambda w: reverse("patients:submission_edit"),
        "post",
        lambda w: {
            "key": w.draft_key,
            "action": "submit",
            "bleeding_after_sex": "yes",
            "bleeding_episodes_3m": "x",
            "pain_during_sex": "x",
        },
    ),
    Page("result-emergency", "patient", detail("emergency")),
    Page("result-urgent", "patient", detail("urgent")),
    Page("result-priority", "patient", detail("priority")),
    Page("result-follow-up", "patient", detail("follow_up")),
    Page("result-routine", "patient", detail("routine")),
    Page("result-review", "patient", detail("review")),
    Page(
        "questionnaire-saved",
        "patient",
        lambda w: reverse("patients:submission_step", args=[4]),
        "post",
        lambda w: {"key": w.draft_key, "action": "save", "burning": "yes"},
    ),
    Page("profile", "patient", lambda w: reverse("patients:profile")),
    Page(
        "profile-saved",
        "patient",
        lambda w: reverse("patients:profile"),
        "post",
        {"first_name": "Maria", "last_name": "Rossi", "date_of_birth": "1990-03-01", "phone": ""},
    ),
    Page(
        "profile-invalid",
        "patient",
        lambda w: reverse("patients:profile"),
        "post",
        {"first_name": "", "last_name": "Rossi", "date_of_birth": "1.3.1990", "phone": "x"},
    ),
    Page("password-change", "patient", lambda w: reverse("password_change")),
    Page("password-change-done", "patient", lambda w: reverse("password_change_done")),
    Page("data-export", "patient", lambda w: reverse("patients:data_export")),
    Page("access-log", "patient", lambda w: reverse("patients:access_log")),
    Page("account-delete", "patient", lambda w: reverse("patients:account_delete")),
    Page(
        "account-delete-wrong-password",
        "patient",
        lambda w: reverse("patients:account_delete"),
        "post",
        {"password": "not-my-password"},
    ),
    Page("two-step-login-off", "patient", lambda w: reverse("two_factor_manage")),
    Page("two-step-login-setup", "patient", lambda w: reverse("two_factor_setup")),
    Page(
        "two-step-login-setup-wrong-code",
        "patient",
        lambda w: reverse("two_factor_setup"),
        "post",
        {"password": factories.PASSWORD, "code": "000000"},
    ),
    Page(
        "two-step-login-code-asked",
        "patient-with-authenticator",
        lambda w: reverse("home"),
        lands_on=lambda w: reverse("two_factor_verify"),
    ),
    Page(
        "two-step-login-wrong-code",
        "patient-with-authenticator",
        lambda w: reverse("two_factor_verify"),
        "post",
        {"code": "12"},
    ),
    Page("two-step-login-on", "patient-verified", lambda w: reverse("two_factor_manage")),
    Page("two-step-login-turn-off", "patient-verified", lambda w: reverse("two_factor_disable")),
    Page(
        "two-step-login-new-recovery-codes",
        "patient-verified",
        lambda w: reverse("two_factor_recovery_codes"),
        "post",
    ),
    Page(
        "login-locked-out",
        None,
        lambda w: reverse("login"),
        "post",
        {"username": "patient@example.com", "password": "wrong-password"},
        status=429,
        repeat=settings.AXES_FAILURE_LIMIT,
    ),
    Page("no-profile", "staff-without-profile", lambda w: reverse("home"), status=403),
    Page("worklist", "doctor", lambda w: reverse("triage:dashboard") + "?all=1"),
    Page(
        "worklist-bad-filters", "doctor", lambda w: reverse("triage:dashboard") + "?level=9&submitted_from=x"
    ),
    Page("case", "doctor", lambda w: reverse("triage:case_detail", args=[w.flagged_case.pk])),
    Page(
        "case-status-error",
        "doctor",
        lambda w: reverse("triage:case_status", args=[w.flagged_case.pk]),
        "post",
        {"to_status": "closed", "reason": "", "version": "3"},
        status=400,
    ),
    Page(
        "case-status-changed",
        "doctor",
        lambda w: reverse("triage:case_status", args=[w.flagged_case.pk]),
        "post",
        lambda w: {
            "to_status": "closed",
            "reason": "Visitata.",
            "version": str(Case.objects.get(pk=w.flagged_case.pk).version),
        },
        lands_on=lambda w: reverse("triage:case_detail", args=[w.flagged_case.pk]),
    ),
    Page(
        "case-note-empty",
        "doctor",
        lambda w: reverse("triage:case_note", args=[w.flagged_case.pk]),
        "post",
        {"text": "  "},
        status=400,
    ),
    Page(
        "case-next-after-the-last",
        "doctor",
        lambda w: reverse("triage:case_next", args=[w.submissions["routine"].pk]),
        lands_on=lambda w: reverse("triage:dashboard"),
    ),
    Page("case-review", "doctor", lambda w: reverse("triage:case_detail", args=[w.submissions["review"].pk])),
    Page("case-print", "doctor", lambda w: reverse("triage:case_print", args=[w.flagged_case.pk])),
    Page(
        "staff-two-step-login-required",
        "doctor",
        lambda w: reverse("triage:dashboard"),
        staff_need_second_factor=True,
        lands_on=lambda w: reverse("two_factor_setup"),
    ),
]


# A sentence each page must show, in Italian: proof that the page asked for is the one checked.
PAGE_SHOWS = {
    "login": "Ha dimenticato la password?",
    "login-failed": "Ha dimenticato la password?",
    "signup": "Acconsento al trattamento dei miei dati sanitari",
    "signup-invalid": "La data di nascita non può essere nel futuro.",
    "password-reset": "Inserisca l'indirizzo email con cui si è registrata.",
    "password-reset-done": "Controlli la sua email",
    "password-reset-bad-link": "Questo link non è più valido",
    "password-reset-new-password": "Salvi la nuova password",
    "password-reset-complete": "Ora può accedere.",
    "privacy": "Titolare del trattamento è Studio ginecologico (demo)",
    "home": "Buongiorno Maria",
    "questionnaire-list": "Ha un questionario in corso",
    "questionnaire-form": "Quale situazione la descrive meglio?",
    "questionnaire-form-errors": "Inserisca un numero intero.",
    "questionnaire-step-errors": "Passo 4 di 6: Altri sintomi",
    "questionnaire-review": "Controlli le sue risposte prima di inviarle",
    "result-emergency": "Indicazioni date il",  # days old and not acted on: still live, dated
    "result-priority": "Telefoni presto allo studio",
    "result-follow-up": "Prenoti una visita nelle prossime settimane",
    "result-urgent": "Si faccia valutare oggi",
    "result-routine": "Nessun segnale di allarme",
    "result-review": "il medico le esaminerà personalmente",
    "questionnaire-saved": "Le sue risposte sono salvate.",
    "profile": "I suoi consensi",
    "profile-saved": "Il suo profilo è stato salvato.",
    "profile-invalid": "Inserisca una data valida (anno-mese-giorno).",
    "password-change": "Cambi la password",
    "password-change-done": "La nuova password è stata salvata.",
    "data-export": "Scarichi i dati",
    "access-log": "Ha visualizzato un caso",
    "account-delete": "Che cosa viene eliminato subito",
    "account-delete-wrong-password": "La password non è corretta.",
    "two-step-login-off": "Attivi l'accesso in due passaggi",
    "two-step-login-setup": "Installi un'app di autenticazione",
    "two-step-login-setup-wrong-code": "Il codice non è valido.",
    "two-step-login-code-asked": "Apra l'app di autenticazione",
    "two-step-login-wrong-code": "Il codice non è valido.",
    "two-step-login-on": "L'accesso in due passaggi è attivo",
    "two-step-login-turn-off": "Inserisca la password per disattivarlo.",
    "two-step-login-new-recovery-codes": "I codici di recupero precedenti non sono più validi.",
    "login-locked-out": "Ci sono stati 5 tentativi di accesso non riusciti di seguito.",
    "no-profile": "Questo account non ha un profilo paziente",
    "worklist": "Casi per urgenza",
    "worklist-bad-filters": "Alcuni valori dei filtri non sono stati riconosciuti",
    "case": "Cronologia del caso",
    "case-status-error": "la chiusura va motivata",
    "case-status-changed": "Stato cambiato in “Chiuso”.",
    "case-note-empty": "Scriva la nota prima di salvarla.",
    "case-next-after-the-last": "Era l'ultimo caso di questo elenco.",
    "case-review": "Il motore di regole non è riuscito a valutare questo questionario.",
    "case-print": "Riepilogo del caso",
    "staff-two-step-login-required": "Gli account del personale devono usare l'accesso in due passaggi",
}


@pytest.fixture
def client_for(world):
    """A client speaking Italian, logged in as the page's role."""

    def make(role):
        client = Client(HTTP_ACCEPT_LANGUAGE="it")
        if role in {"patient", "patient-with-authenticator", "patient-verified"}:
            user = world.patient.user
            device = None
            if role != "patient":
                device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
            client.force_login(user)
            if role == "patient-verified":
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session[HAS_SECOND_FACTOR] = True
                session.save()
        elif role == "doctor":
            client.force_login(world.doctor)
        elif role == "staff-without-profile":
            client.force_login(
                User.objects.create_user(email="staff@example.com", password=factories.PASSWORD)
            )
        return client

    return make


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_italian_page_shows_no_english_from_the_catalogue(page, world, client_for, settings):
    settings.OTP_REQUIRED_FOR_STAFF = page.staff_need_second_factor
    client = client_for(page.role)
    data = page.data(world) if callable(page.data) else page.data or {}
    for _attempt in range(page.repeat):
        response = getattr(client, page.method)(page.url(world), data, follow=True)
    html = response.content.decode()

    assert response.request["PATH_INFO"] == (page.lands_on or page.url)(world).split("?")[0]
    assert response.status_code == page.status
    assert '<html lang="it">' in html
    assert PAGE_SHOWS[page.name] in visible_text(html)
    assert english_leaks(html, english_phrases()) == []


def test_every_page_names_the_italian_sentence_it_must_show():
    assert set(PAGE_SHOWS) == {page.name for page in PAGES}


def test_worklist_export_is_in_italian(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="it")
    client.force_login(world.doctor)

    content = client.get(reverse("triage:export_csv") + "?all=1").content.decode("utf-8-sig")

    # Italian spreadsheets split cells on semicolons.
    header = next(csv.reader(io.StringIO(content), delimiter=";"))
    assert {"Caso", "Inviato", "Paziente", "Livello", "Punteggio", "Segnalazioni", "Stato"} <= set(header)
    assert "Emorragia / lipotimia" in content
    assert english_leaks(f"<pre>{content}</pre>", english_phrases()) == []


def test_leak_check_finds_english_on_an_english_page(world):
    """The check above is not blind: the same pages in English are full of catalogue phrases."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.doctor)
    html = client.get(reverse("triage:case_detail", args=[world.flagged_case.pk])).content.decode()

    leaks = english_leaks(html, english_phrases())

    assert "Back to the worklist" in leaks
    assert "Pregnancy red flag" in leaks
    assert len(leaks) > 20


def test_english_inside_lang_en_is_not_a_leak():
    html = '<p>Indietro</p><button lang="en">Back to the worklist</button><script>"Log out"</script>'

    assert english_leaks(html, {"Back to the worklist", "Log out"}) == []
    assert english_leaks("<p>Back to the worklist</p>", {"Back to the worklist"}) == ["Back to the worklist"]


def test_emails_are_in_italian(world, client):
    client.post(reverse("password_reset"), {"email": world.patient.user.email})
    notify_urgent_case(world.flagged_case.pk)
    run_tasks()

    phrases = english_phrases()
    assert len(mail.outbox) >= 2
    for message in mail.outbox:
        assert english_leaks(f"<p>{message.subject}</p><pre>{message.body}</pre>", phrases) == []
    assert {m.subject for m in mail.outbox} >= {
        "Reimpostazione della password del suo account dello studio",
        "Caso prioritario in attesa",
    }


def test_flag_reasons_and_labels_are_all_italian():
    from triage.templatetags.triage_tags import flag_items

    with translation.override("it"):
        items = flag_items(rules.FLAG_CODES)
    english = {(rule.label, rule.reason) for rule in rules.FLAG_RULES}

    assert len(items) == len(rules.FLAG_RULES)
    assert [(item.label, item.reason) for item in items if (item.label, item.reason) in english] == []
    assert all(item.label and item.reason for item in items)


# --- Choosing the language -------------------------------------------------------------------


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("accept_language", "expected", "button"),
    [
        (None, "it", "Acceda"),
        ("it", "it", "Acceda"),
        ("it-IT,it;q=0.9,en;q=0.5", "it", "Acceda"),
        ("en", "en", "Log in"),
        ("en-GB,en;q=0.9", "en", "Log in"),
        ("fr", "it", "Acceda"),
    ],
)
def test_browser_language_picks_the_page_language_italian_by_default(db, accept_language, expected, button):
    client = Client(**({"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}))

    response = client.get(reverse("login"))

    assert html_lang(response) == expected
    assert response["Content-Language"] == expected
    assert f">{button}</" in response.content.decode() or f'value="{button}"' in response.content.decode()


def test_language_switch_is_remembered_across_requests(patient):
    client = Client(HTTP_ACCEPT_LANGUAGE="it")
    client.force_login(patient.user)
    assert html_lang(client.get(reverse("home"))) == "it"

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})

    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    for url in (reverse("home"), reverse("patients:submission_list"), reverse("privacy")):
        page = client.get(url)
        assert html_lang(page) == "en"
        assert "Your questionnaires" in page.content.decode() or url == reverse("privacy")

    client.post(reverse("set_language"), {"language": "it", "next": reverse("home")})
    assert html_lang(client.get(reverse("home"))) == "it"
    assert "I suoi questionari" in client.get(reverse("home")).content.decode()


def test_language_switch_works_before_login(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="it")

    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    assert html_lang(client.get(reverse("login"))) == "en"
    assert html_lang(client.get(reverse("signup"))) == "en"


def test_language_switcher_offers_both_languages_in_their_own_language(db):
    html = Client().get(reverse("login")).content.decode()

    buttons = {
        value: (tag, text)
        for tag, value, text in re.findall(
            r'(<button\b[^>]*\bname="language"[^>]*\bvalue="(\w+)"[^>]*>)\s*([^<]*?)\s*</button>', html
        )
    }
    assert set(buttons) == {"it", "en"}
    assert buttons["it"][1] == "Italiano" and 'lang="it"' in buttons["it"][0]
    assert buttons["en"][1] == "English" and 'lang="en"' in buttons["en"][0]
    assert 'aria-current="true"' in buttons["it"][0]


def test_dates_follow_the_page_language(patient):
    submitted_at = timezone.make_aware(datetime(2026, 3, 5, 9, 30))
    submission_record(patient=patient, answers={}, submitted_at=submitted_at)
    client = Client(HTTP_ACCEPT_LANGUAGE="it")
    client.force_login(patient.user)

    italian = visible_text(client.get(reverse("patients:submission_list")).content.decode())
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = visible_text(client.get(reverse("patients:submission_list")).content.decode())

    assert "Inviato il giovedì 5 marzo 2026, 09:30" in italian
    assert "Sent on Thursday 5 March 2026, 09:30" in english


# --- The questionnaire wording is RULES.md 3.1 ------------------------------------------------

# The "domanda (italiano)" column of RULES.md 3.1, as written there: question, then the options
# separated by " / " in the order of the allowed values.
RULES_ITALIAN = {
    "menopause_status": (
        "Quale situazione la descrive meglio?",
        "Ho ancora le mestruazioni / Le mestruazioni sono diventate irregolari (avvicinamento alla "
        "menopausa) / Non ho mestruazioni da almeno 12 mesi / Non sono sicura",
    ),
    "pregnancy_status": (
        "Potrebbe essere incinta?",
        "No / Forse (per esempio ciclo in ritardo, test non ancora fatto) / Sì, gravidanza confermata",
    ),
    "discharge_after_sex": ("Nota perdite o fuoriuscita di liquido dopo i rapporti?", None),
    "discharge_color": (
        "Di che colore sono di solito queste perdite?",
        "Nessuna / trasparenti o bianche / rosate / rosse / marroni / gialle o verdastre / grigie",
    ),
    "bleeding_after_sex": (
        "Ha avuto sanguinamento, o perdite striate di sangue, dopo un rapporto (non le mestruazioni)?",
        None,
    ),
    "bleeding_episodes_3m": (
        "Negli ultimi 3 mesi quante volte ha sanguinato dopo un rapporto, contando anche l'ultima volta?",
        None,
    ),
    "bleeding_first_noticed_weeks": (
        "Quante settimane fa ha notato per la prima volta un sanguinamento dopo i rapporti? "
        "(0 = questa settimana)",
        None,
    ),
    "bleeding_amount": (
        "Quanto ha sanguinato l'ultima volta?",
        # RULES.md lists no wording for `none`, the default, which the form still offers.
        "Perdite rosate o striate di sangue / qualche goccia, è bastato un salvaslip / ho dovuto cambiare "
        "il salvaslip / mi è servito un assorbente / l'assorbente si è inzuppato, oppure ho perso coaguli",
    ),
    "bleeding_trend": (
        "Rispetto alle volte precedenti il sanguinamento è:",
        "è la prima volta / minore / più o meno uguale / maggiore",
    ),
    "clots": ("Ha perso coaguli di sangue?", None),
    "soaks_pad_hourly": (
        "In questo momento, o nelle ultime 24 ore, sta/ha inzuppato uno o più assorbenti o tamponi ogni ora?",
        None,
    ),
    "pain_during_sex": (
        "Quanto è forte il dolore durante i rapporti, da 0 (nessun dolore) a 10 (il peggiore immaginabile)?",
        None,
    ),
    "pelvic_pain_days": (
        "Da quanti giorni ha dolore al basso ventre o alla pelvi, continuo o che va e viene? (0 = nessun "
        "dolore; 1 = è iniziato oggi o ieri)",
        None,
    ),
    "pelvic_pain_severity": (
        "Quanto è forte quel dolore nei momenti peggiori, da 0 (nessun dolore) a 10 (il peggiore "
        "immaginabile)?",
        None,
    ),
    "shoulder_tip_pain": ("Ha dolore alla punta di una spalla, comparso senza un trauma?", None),
    "tamoxifen": (
        "Assume tamoxifene, o lo ha assunto in passato (un farmaco usato dopo un tumore al seno)?",
        None,
    ),
    # New in rule set 3 (RULES.md 3.3).
    "period_late": (
        "Le mestruazioni sono in ritardo in questo momento?",
        "No / Sì, e non ho ancora fatto un test di gravidanza / Sì, e il test di gravidanza è positivo / "
        "Sì, ma un test di gravidanza fatto dopo il ritardo è negativo / Non so dirlo: il ciclo è irregolare "
        "o assente (per esempio per la pillola, la spirale, l'allattamento o l'avvicinarsi della menopausa)",
    ),
    "pregnancy_weeks": ("Di quante settimane è incinta? (settimane compiute)", None),
    "contraception": (
        "Quale metodo contraccettivo usa in questo momento?",
        "Nessuno / Solo preservativo o metodi naturali / Pillola, cerotto o anello con estrogeni / Pillola "
        "con solo progestinico, impianto sotto la pelle o iniezione / Spirale al rame (IUD) / Spirale "
        "ormonale (IUS, per esempio Mirena, Kyleena, Jaydess) / Altro, oppure preferisco non rispondere",
    ),
    "other_bleeding_amount": (
        "Quanto ha sanguinato l'ultima volta (non dopo un rapporto e non durante le mestruazioni)?",
        # `none` stands only for a hidden or absent answer and is not offered.
        "Perdite rosate o striate di sangue / Qualche goccia, è bastato un salvaslip / Ho dovuto cambiare "
        "il salvaslip / Mi è servito un assorbente / L'assorbente si è inzuppato, oppure ho perso coaguli",
    ),
    "other_bleeding_clots": ("Con queste perdite di sangue ha perso coaguli?", None),
    "intermenstrual_weeks": (
        "Da quante settimane si presentano queste perdite di sangue, anche se vanno e vengono? "
        "(0 = sono iniziate questa settimana)",
        None,
    ),
    "hrt_type": (
        "Che tipo di terapia ormonale sostitutiva assume?",
        "Con un flusso simile al ciclo ogni mese o ogni 3 mesi (terapia sequenziale o ciclica) / Continua, "
        "pensata per non avere flusso (estrogeno e progestinico tutti i giorni, oppure tibolone) / Solo "
        "estrogeni (di solito dopo l'asportazione dell'utero) / Non lo so",
    ),
    "hrt_recent_change": (
        "Ha iniziato questa terapia negli ultimi 6 mesi, oppure ne ha cambiato il tipo o la dose negli "
        "ultimi 3 mesi?",
        None,
    ),
    "hrt": (
        "Assume una terapia ormonale sostitutiva per la menopausa (compresse, cerotti, gel o spray)?",
        None,
    ),
    "immunosuppressed": (
        "Ha una malattia o una terapia che indebolisce il sistema immunitario (per esempio HIV, un trapianto "
        "d'organo, chemioterapia, o cortisone o farmaci immunosoppressori da lungo tempo)?",
        None,
    ),
    "recent_procedure_6w": (
        "Nelle ultime 6 settimane ha partorito, ha avuto un aborto spontaneo o un'interruzione di gravidanza, "
        "ha inserito o rimosso una spirale (IUD), oppure ha fatto un trattamento o una biopsia del collo "
        "dell'utero?",
        None,
    ),
    "burning": ("Ha bruciore nella zona intima?", None),
    "itching": ("Ha prurito nella zona intima?", None),
    "bad_odor": ("Nota un odore sgradevole o insolito delle perdite vaginali?", None),
    "persistent_discomfort": ("Ha un fastidio nella zona intima che non passa?", None),
    "fever": ("Ha misurato una temperatura di 38 °C o più, adesso o negli ultimi 3 giorni?", None),
    "dizziness_fainting": (
        "In questo momento, o nelle ultime 24 ore, si è sentita svenire o molto stordita, o è svenuta?",
        None,
    ),
    "intermenstrual_bleeding": (
        "Ha avuto perdite di sangue vaginali non dovute a un rapporto e al di fuori delle mestruazioni? "
        "(Se non ha più le mestruazioni, risponda sì per qualsiasi perdita di sangue.)",
        None,
    ),
    "vaginal_dryness": ("Avverte spesso secchezza vaginale, per esempio durante i rapporti?", None),
    "last_cervical_screening": (
        "Quando ha fatto l'ultimo test di screening del collo dell'utero (Pap test o test HPV)?",
        "Meno di 3 anni fa / tra 3 e 5 anni fa / più di 5 anni fa / mai / non lo so",
    ),
    "abnormal_screening_history": (
        "Ha mai avuto un Pap test o un test HPV con esito anomalo, o un trattamento del collo dell'utero "
        "per cellule anomale?",
        None,
    ),
    "anticoagulants": (
        "Assume farmaci anticoagulanti, come warfarin, apixaban, rivaroxaban, dabigatran, edoxaban o "
        "eparina in iniezioni?",
        None,
    ),
    "new_partner_3m": ("Ha avuto un nuovo partner sessuale negli ultimi 3 mesi?", None),
    "notes": ("C'è altro che vorrebbe far sapere al medico?", None),
}


def test_rules_table_covers_every_question():
    assert set(RULES_ITALIAN) == {field.name for field in rules.FIELDS if field.name != "age"}


@pytest.mark.parametrize("name", sorted(RULES_ITALIAN))
def test_italian_questionnaire_uses_the_rules_wording(name):
    """Questions word for word; each option word for word, capitalised as a standalone answer."""
    question, options = RULES_ITALIAN[name]
    with translation.override("it"):
        field = QuestionnaireForm().fields[name]
        label = str(field.label)
        choices = [(value, str(text)) for value, text in getattr(field, "choices", [])]

    assert label == question
    if options is not None:
        spec = rules.FIELDS_BY_NAME[name]
        values = [value for value in spec.choices if not (name == "bleeding_amount" and value == "none")]
        expected = [capfirst(option) for option in options.split(" / ")]
        assert [text for value, text in choices if value in values] == expected
    elif rules.FIELDS_BY_NAME[name].kind == rules.BOOL:
        assert [text for _value, text in choices] == ["Sì", "No"]


def test_questionnaire_page_in_italian_shows_the_rules_questions(patient_client):
    text = " ".join(
        visible_text(
            patient_client.get(
                reverse("patients:submission_step", args=[step]), HTTP_ACCEPT_LANGUAGE="it"
            ).content.decode()
        )
        for step in range(1, 7)
    )

    missing = [name for name, (question, _options) in RULES_ITALIAN.items() if question not in text]
    assert missing == []
