"""The case's clinical summary and its sorted answers (triage/cases/summary.py), on the case page and
its print: the positive answers in one line for every rule set, in both languages; the notes marked,
never summarised; the answers that say no folded under their count; no query of their own."""

import html as markup
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from patients.models import Submission
from tests.factories import QUIET_ANSWERS, make_case
from triage import rules
from triage.cases.summary import (
    CONTEXT_PARTS,
    FINDING_PARTS,
    NEGATIVE,
    POSITIVE,
    STATUS_PARTS,
    UNSAID,
    answer_kind,
    clinical_summary,
    sorted_answers,
)
from triage.questionnaire import readable_answers, short_label

QUIET = QUIET_ANSWERS

# Vignette-like questionnaires of each rule set: (version, age, answers, English, Italian).
VIGNETTES = [
    pytest.param(
        3,
        34,
        QUIET
        | {
            "period_late": "late_no_test",
            "contraception": "copper_iud",
            "bleeding_after_sex": True,
            "bleeding_episodes_3m": 4,
            "bleeding_first_noticed_weeks": 22,
            "bleeding_amount": "moderate",
            "bleeding_trend": "more",
            "clots": True,
        },
        "34 years · Period late, no pregnancy test yet · Bleeding after intercourse: 4 episodes in 3 "
        "months, moderate (needed a pad), more than before, clots, first noticed 22 weeks ago · "
        "Contraception: copper coil (IUD) · Last cervical screening: less than 3 years ago",
        "34 anni · Mestruazioni in ritardo, test di gravidanza non ancora fatto · Sanguinamento dopo i "
        "rapporti: 4 episodi in 3 mesi, moderato (è servito un assorbente), maggiore di prima, coaguli, "
        "notato la prima volta 22 settimane fa · Contraccezione: spirale al rame (IUD) · Ultimo "
        "screening del collo dell'utero: meno di 3 anni fa",
        id="v3-recurrent-bleeding-late-period",
    ),
    pytest.param(
        3,
        31,
        # Her period and contraception are hidden once the pregnancy is confirmed: left out.
        QUIET
        | {
            "pregnancy_status": "confirmed",
            "pregnancy_weeks": 24,
            "pelvic_pain_days": 2,
            "pelvic_pain_severity": 7,
            "fever": True,
            "dizziness_fainting": True,
        },
        "31 years · Pregnant, 24 weeks · Pelvic pain for 2 days, 7/10 at worst · Fever 38 °C or more · "
        "Faint or light-headed · Last cervical screening: less than 3 years ago",
        "31 anni · In gravidanza, 24 settimane · Dolore pelvico da 2 giorni, 7/10 nei momenti peggiori · "
        "Febbre di 38 °C o più · Sensazione di svenimento o stordimento · Ultimo screening del collo "
        "dell'utero: meno di 3 anni fa",
        id="v3-pregnant-pain-fever-faint",
    ),
    pytest.param(
        3,
        58,
        QUIET
        | {
            "menopause_status": "postmenopausal",
            "contraception": "combined_hormonal",  # hidden after the menopause: left out
            "intermenstrual_bleeding": True,
            "other_bleeding_amount": "spotting",
            "intermenstrual_weeks": 1,
            "vaginal_dryness": True,
            "hrt": True,
            "hrt_type": "sequential",
            "hrt_recent_change": True,
            "last_cervical_screening": "unsure",
        },
        "58 years · Postmenopausal · Bleeding outside periods: spotting, for 1 week · Vaginal dryness · "
        "Hormone replacement therapy: sequential, started within 6 months or changed within 3 months · "
        "Last cervical screening: not known",
        "58 anni · Postmenopausa · Sanguinamento al di fuori delle mestruazioni: spotting, da 1 settimana "
        "· Secchezza vaginale · Terapia ormonale sostitutiva: sequenziale, iniziata da meno di 6 mesi o "
        "cambiata da meno di 3 mesi · Ultimo screening del collo dell'utero: non noto",
        id="v3-postmenopausal-bleeding-on-hrt",
    ),
    pytest.param(
        3,
        47,
        QUIET
        | {
            "menopause_status": "unsure",
            "pregnancy_status": "possible",
            "discharge_after_sex": True,
            "discharge_color": "yellow_green",
            "burning": True,
            "itching": True,
            "bad_odor": True,
            "new_partner_3m": True,
        },
        "47 years · Not sure whether she is in the menopause · Possibly pregnant · Discharge after "
        "intercourse: yellow or green · Burning, itching, unpleasant smell · New partner in the last 3 "
        "months · Last cervical screening: less than 3 years ago",
        "47 anni · Non sa se è in menopausa · Possibile gravidanza · Perdite dopo i rapporti: gialle o "
        "verdastre · Bruciore, prurito, odore sgradevole · Nuovo partner negli ultimi 3 mesi · Ultimo "
        "screening del collo dell'utero: meno di 3 anni fa",
        id="v3-not-sure-and-infection-signs",
    ),
    pytest.param(
        2,
        44,
        # Rule set 3's questions, stored by mistake, were never asked: left out.
        QUIET
        | {
            "pregnancy_status": "possible",
            "shoulder_tip_pain": True,
            "pain_during_sex": 6,
            "tamoxifen": True,
            "period_late": "late_test_positive",
            "contraception": "copper_iud",
        },
        "44 years · Possibly pregnant · Shoulder-tip pain without injury · Pain during intercourse 6/10 · "
        "Tamoxifen (now) · Last cervical screening: less than 3 years ago",
        "44 anni · Possibile gravidanza · Dolore alla punta della spalla senza trauma · Dolore durante i "
        "rapporti 6/10 · Tamoxifene (ora) · Ultimo screening del collo dell'utero: meno di 3 anni fa",
        id="v2-possible-pregnancy-shoulder-pain-tamoxifen",
    ),
    pytest.param(
        1,
        29,
        # Rule set 1 did not ask how strong the pelvic pain was.
        {
            "bleeding_after_sex": True,
            "bleeding_episodes_3m": 1,
            "bleeding_first_noticed_weeks": 0,
            "bleeding_amount": "streaks",
            "bleeding_trend": "first_time",
            "pelvic_pain_days": 5,
            "pelvic_pain_severity": 8,
            "intermenstrual_bleeding": True,
            "anticoagulants": True,
            "last_cervical_screening": "over_5y",
        },
        "29 years · Bleeding after intercourse: 1 episode in 3 months, streaks, first time, first noticed "
        "this week · Pelvic pain for 5 days · Bleeding outside periods · Anticoagulants · Last cervical "
        "screening: more than 5 years ago",
        "29 anni · Sanguinamento dopo i rapporti: 1 episodio in 3 mesi, striature, prima volta, notato la "
        "prima volta questa settimana · Dolore pelvico da 5 giorni · Sanguinamento al di fuori delle "
        "mestruazioni · Anticoagulanti · Ultimo screening del collo dell'utero: più di 5 anni fa",
        id="v1-first-streak-overdue-screening",
    ),
]


@pytest.mark.parametrize(("version", "age", "answers", "english", "italian"), VIGNETTES)
def test_the_summary_says_the_positive_answers_in_one_line_in_both_languages(
    version, age, answers, english, italian
):
    for language, expected in (("en", english), ("it", italian)):
        with translation.override(language):
            summary = clinical_summary(answers, version, age)
        assert str(summary) == expected
        assert summary.positive and not summary.has_notes


@pytest.mark.parametrize("version", [1, 2, 3])
def test_a_questionnaire_without_positive_answers_says_so(version):
    with translation.override("en"):
        english = clinical_summary(QUIET, version, 40)
    with translation.override("it"):
        italian = clinical_summary(QUIET, version, 40)

    assert str(english) == "40 years · No positive answers · Last cervical screening: less than 3 years ago"
    assert str(italian) == (
        "40 anni · Nessuna risposta positiva · Ultimo screening del collo dell'utero: meno di 3 anni fa"
    )
    assert not english.positive


def test_her_notes_are_marked_never_summarised():
    answers = QUIET | {"notes": "Svenuta due volte, febbre alta e dolore forte"}
    with translation.override("en"):
        summary = clinical_summary(answers, 3, 40)

    assert summary.has_notes
    assert not summary.positive
    assert not re.search(r"svenuta|febbre|dolore", str(summary), re.I)
    assert str(summary) == "40 years · No positive answers · Last cervical screening: less than 3 years ago"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # A number or choice the questionnaire would reject says nothing; the skipped screening too.
        (
            {"bleeding_after_sex": True, "bleeding_episodes_3m": "many", "bleeding_amount": 7},
            "Bleeding after intercourse",
        ),
        # A detail whose question was hidden was never asked.
        ({"discharge_after_sex": False, "discharge_color": "red", "fever": True}, "Fever 38 °C or more"),
        ({}, "No positive answers"),
        (None, "No positive answers"),
        (["not", "a", "mapping"], "No positive answers"),
    ],
    ids=["invalid-details", "hidden-detail", "empty", "null", "not-a-mapping"],
)
def test_skipped_hidden_and_unknown_answers_are_left_out(answers, expected):
    with translation.override("en"):
        assert str(clinical_summary(answers, 3)) == expected


@pytest.mark.parametrize("version", [1, 2, 3])
def test_every_question_has_its_place_in_the_line_or_is_never_read(version):
    placed = [
        name for parts in (STATUS_PARTS, FINDING_PARTS, CONTEXT_PARTS) for names, _ in parts for name in names
    ]
    fields = [field.name for field in rules.rule_set(version).fields]

    assert len(placed) == len(set(placed))
    assert set(fields) <= set(placed) | UNSAID


@pytest.mark.parametrize("version", [1, 2, 3])
def test_every_yes_to_a_question_shown_to_all_is_said_by_its_name(version):
    rule_set = rules.rule_set(version)
    asked = [f.name for f in rule_set.fields if f.kind == rules.BOOL and f.name not in rule_set.shown_when]
    with translation.override("en"):
        for name in asked:
            summary = clinical_summary({name: True}, version)
            assert summary.positive, name
            assert short_label(name, version) in summary.parts, name


def test_positive_means_the_same_in_the_line_and_in_the_list():
    for _version, _age, answers, _english, _italian in (param.values for param in VIGNETTES):
        listed = sorted_answers(answers, _version)
        assert listed.positive_count > 0
    quiet = sorted_answers(QUIET, 3)
    assert quiet.positive_count == 0
    assert not clinical_summary(QUIET, 3).positive


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("fever", True, POSITIVE),
        ("fever", False, NEGATIVE),
        ("pain_during_sex", 0, NEGATIVE),
        ("pain_during_sex", 4, POSITIVE),
        ("pregnancy_status", "not_pregnant", NEGATIVE),
        ("pregnancy_status", "possible", POSITIVE),
        ("period_late", "cannot_tell", "context"),
        ("period_late", "late_test_positive", POSITIVE),
        ("bleeding_first_noticed_weeks", 0, POSITIVE),  # "this week", a detail of a yes
        ("menopause_status", "postmenopausal", "context"),
        ("last_cervical_screening", "never", "context"),
        ("notes", "", NEGATIVE),
        ("notes", "febbre", "context"),
        ("pelvic_pain_days", "many", "context"),  # never hidden in the fold
        ("unknown_question", True, "context"),
    ],
)
def test_an_answer_is_positive_context_or_negative(name, value, kind):
    assert answer_kind(name, value, 3) == kind


def test_the_list_keeps_every_question_she_was_shown_and_folds_those_that_say_no():
    answers = QUIET | {"bleeding_after_sex": True, "bleeding_episodes_3m": 2, "burning": True}
    with translation.override("en"):
        listed = sorted_answers(answers, 3)
        everything = [name for _title, rows in readable_answers(answers, 3) for name, _label, _shown in rows]

    shown = [row.name for _title, rows in listed.sections for row in rows]
    folded = [row.name for _title, rows in listed.folded for row in rows]
    assert sorted(shown + folded) == sorted(everything)
    assert listed.folded_count == len(folded)
    assert {row.name for _title, rows in listed.sections for row in rows if row.positive} == {
        "bleeding_after_sex",
        "bleeding_episodes_3m",
        "bleeding_first_noticed_weeks",
        "bleeding_trend",
        "burning",
    }
    assert "clots" in folded and "bleeding_amount" in folded and "fever" in folded
    assert {"menopause_status", "last_cervical_screening"} <= set(shown)


# --- On the case page and its print --------------------------------------------------------------


def page(client, pk, language="en", print_page=False) -> str:
    name = "triage:case_print" if print_page else "triage:case_detail"
    response = client.get(reverse(name, args=[pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str) -> str:
    """The words of some markup, its tags dropped and its spaces collapsed."""
    return re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def summary_text(html: str) -> str:
    match = re.search(r'<p class="clinical-summary[^"]*" id="clinical-summary">(.*?)</p>', html, re.S)
    assert match, "no clinical summary"
    return text(match.group(1))


def answers_card(html: str) -> str:
    start = html.index('id="answers-title"')
    return html[start : html.index("</section>", start)]


def stored(patient, answers, version, age=35):
    """A questionnaire stored as she answered the questionnaire of rule set `version`."""
    case = make_case(patient, level=1, answers=answers, age=age, rules_version=version)
    Submission.objects.filter(pk=case.pk).update(questionnaire_version=version)
    return case


@pytest.mark.parametrize(("version", "age", "answers", "english", "italian"), VIGNETTES)
def test_the_case_page_starts_with_the_summary_under_the_assessment(
    doctor_client, patient, version, age, answers, english, italian
):
    case = stored(patient, answers, version, age)

    for language, expected in (("en", english), ("it", italian)):
        html = page(doctor_client, case.pk, language)
        assert summary_text(html) == expected
        assert (
            html.index('id="assessment-title"')
            < html.index('id="summary-title"')
            < html.index('id="answers-title"')
        )


def test_the_case_page_marks_her_notes_beside_the_summary_and_shows_them_in_the_answers(
    doctor_client, patient
):
    case = stored(patient, QUIET | {"notes": "svenuta due volte"}, 3)

    english = page(doctor_client, case.pk, "en")
    italian = page(doctor_client, case.pk, "it")

    assert summary_text(english) == (
        "35 years · No positive answers · Last cervical screening: less than 3 years ago ✎ has notes"
    )
    assert summary_text(italian).endswith("✎ ha scritto note")
    assert "svenuta" not in summary_text(english)
    assert "svenuta due volte" in answers_card(english)


def test_the_answers_mark_the_positive_ones_and_fold_the_others_with_their_count(doctor_client, patient):
    quiet = stored(patient, dict(QUIET), 3)
    bleeding = stored(
        patient, QUIET | {"bleeding_after_sex": True, "bleeding_episodes_3m": 3, "fever": True}, 3
    )

    quiet_en = answers_card(page(doctor_client, quiet.pk, "en"))
    quiet_it = answers_card(page(doctor_client, quiet.pk, "it"))
    bleeding_en = answers_card(page(doctor_client, bleeding.pk, "en"))

    # Rule set 3's quiet questionnaire shows 26 questions: her menopause and screening stay in view.
    assert "24 other answers: No" in text(quiet_en)
    assert "Altre 24 risposte: No" in text(quiet_it)
    assert '<details class="answers-folded mt-3">' in quiet_en  # folded on screen
    assert "positive answer" not in text(quiet_en) and 'class="answer-mark"' not in quiet_en
    # Bleeding (with its 3 details shown: count, first noticed, trend) and fever are marked; clots,
    # amount and the other questions that say no are folded.
    assert text(bleeding_en).count("Positive answer:") == 5
    assert "24 other answers: No" in text(bleeding_en)
    marked = [
        label.strip()
        for label in re.findall(r"answer-positive\">.*?Positive answer: </span>(.*?)</dt>", bleeding_en, re.S)
    ]
    assert marked == [
        "Bleeding after intercourse",
        "Episodes in the last 3 months",
        "First noticed (weeks ago)",
        "Trend",
        "Fever 38 °C or more",
    ]


def test_a_stored_rule_set_1_or_2_questionnaire_keeps_its_own_questions(doctor_client, patient):
    older = stored(patient, QUIET | {"tamoxifen": True, "period_late": "late_no_test"}, 2)
    oldest = stored(patient, QUIET | {"tamoxifen": True}, 1)

    assert summary_text(page(doctor_client, older.pk, "en")) == (
        "35 years · Tamoxifen (now) · Last cervical screening: less than 3 years ago"
    )
    # Rule set 1 never asked about tamoxifen: nothing to say.
    assert summary_text(page(doctor_client, oldest.pk, "en")) == (
        "35 years · No positive answers · Last cervical screening: less than 3 years ago"
    )


def test_the_print_starts_with_the_summary_and_shows_every_answer_open(doctor_client, patient):
    answers = QUIET | {"bleeding_after_sex": True, "bleeding_episodes_3m": 3, "notes": "Ha paura"}
    case = stored(patient, answers, 3)

    html = page(doctor_client, case.pk, "en", print_page=True)

    assert summary_text(html) == (
        "35 years · Bleeding after intercourse: 3 episodes in 3 months · Last cervical screening: less "
        "than 3 years ago ✎ has notes"
    )
    assert (
        html.index('id="assessment-title"')
        < html.index('id="summary-title"')
        < html.index('id="answers-title"')
    )
    assert '<details class="answers-folded" open>' in html
    printed = text(html[html.index('id="answers-title"') :])
    with translation.override("en"):
        for _title, rows in readable_answers(answers, 3):
            for _name, label, shown in rows:
                assert label in printed
                assert shown in printed
    assert "24 other answers: No" in printed


def test_her_own_printable_copy_lists_her_answers_unsorted(patient_client, patient):
    submission = stored(patient, QUIET | {"fever": True}, 3).submission

    html = patient_client.get(reverse("patients:submission_print", args=[submission.pk])).content.decode()

    assert "answers-folded" not in html and "answer-mark" not in html and "clinical-summary" not in html


@pytest.mark.django_db
def test_the_summary_and_the_sorted_answers_cost_no_query(doctor_client, patient):
    quiet = stored(patient, dict(QUIET), 3)
    busy = stored(patient, VIGNETTES[0].values[2] | {"notes": "Ho paura"}, 3)
    counts = {}
    for name, case in (("quiet", quiet), ("busy", busy)):
        for print_page in (False, True):
            page(doctor_client, case.pk, print_page=print_page)  # the session settles on the first request
            with CaptureQueriesContext(connection) as queries:
                page(doctor_client, case.pk, print_page=print_page)
            counts[name, print_page] = len(queries)

    assert counts["quiet", False] == counts["busy", False]
    assert counts["quiet", True] == counts["busy", True]


def test_the_folded_answers_follow_the_language_with_the_cache_on_or_off(
    doctor_client, patient, fragment_cache
):
    case = stored(patient, QUIET | {"fever": True}, 3)

    english = text(answers_card(page(doctor_client, case.pk, "en")))
    italian = text(answers_card(page(doctor_client, case.pk, "it")))
    again = text(answers_card(page(doctor_client, case.pk, "en")))

    assert "23 other answers: No" in english and "Altre 23 risposte: No" in italian
    assert again == english
