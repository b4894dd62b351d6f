import copy
import json
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.riskassessment import RiskAssessment

from patients.models import Submission
from patients.services import FhirImportRefused, submission_draft, submission_import_fhir
from tests import factories
from tests.factories import record
from triage import rules
from triage.fhir import export, imports
from triage.models import Assessment, AuditEvent, Case, CaseLevel
from triage.questionnaire import CHOICE_LABELS, QUESTION_LABELS

QUIET = factories.QUIET_ANSWERS
BLEEDING = {
    "bleeding_after_sex": True,
    "bleeding_episodes_3m": 1,
    "bleeding_first_noticed_weeks": 6,
    "bleeding_amount": "moderate",
    "bleeding_trend": "more",
    "clots": True,
}
# Answers as the form stores them: every visible question, typed; the notes only when written.
RICH = {
    **QUIET,
    **BLEEDING,
    "discharge_after_sex": True,
    "discharge_color": "yellow_green",
    "pain_during_sex": 5,
    "last_cervical_screening": "over_5y",
    "vaginal_dryness": True,
    "new_partner_3m": True,
    "notes": "Dolore «forte» dopo il rapporto…\nseconda riga",
}
# As the form stores it: the late-period question is hidden in a possible pregnancy.
PREGNANCY_RED_FLAG = {
    **{name: value for name, value in QUIET.items() if name != "period_late"},
    "pregnancy_status": "possible",
    "shoulder_tip_pain": False,
    "intermenstrual_bleeding": True,
    "other_bleeding_amount": "spotting",
    "other_bleeding_clots": False,
    "intermenstrual_weeks": 0,
    "pelvic_pain_days": 2,
    "pelvic_pain_severity": 3,
}
HEAVY = {**QUIET, "soaks_pad_hourly": True, "anticoagulants": True}


def question_items(questionnaire: dict) -> list[dict]:
    return [item for group in questionnaire["item"] for item in group["item"]]


def response_answers(response: dict) -> dict:
    return {item["linkId"]: item["answer"][0] for group in response["item"] for item in group["item"]}


def assessment_of(submission):
    return Assessment.objects.filter(submission=submission).latest("created_at", "pk")


def write(tmp_path, resource, name="import.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(resource, ensure_ascii=False), encoding="utf-8")
    return str(path)


def import_file(path, *args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_fhir", path, *args, stdout=out)
    return out.getvalue()


def saved_counts():
    return Submission.objects.count(), Assessment.objects.count(), Case.objects.count()


# --- The Questionnaire ------------------------------------------------------------


def test_questionnaire_parses_as_a_fhir_r4b_questionnaire():
    questionnaire = Questionnaire.model_validate(export.questionnaire_resource())
    assert questionnaire.url == export.questionnaire_url()
    assert questionnaire.version == str(rules.RULES_VERSION)
    assert questionnaire.status == "active"


def test_questionnaire_questions_are_the_rules_fields_in_order():
    resource = export.questionnaire_resource()
    assert {group["type"] for group in resource["item"]} == {"group"}
    assert [item["linkId"] for item in question_items(resource)] == [field.name for field in rules.FIELDS]
    assert "age" not in {item["linkId"] for item in question_items(resource)}


def test_questionnaire_item_types_ranges_and_options_follow_the_rules():
    items = {item["linkId"]: item for item in question_items(export.questionnaire_resource())}
    for field in rules.FIELDS:
        item = items[field.name]
        assert (
            item["type"]
            == {"bool": "boolean", "int": "integer", "choice": "choice", "text": "text"}[field.kind]
        )
        assert item["required"] is (field.kind != rules.TEXT)
        if field.kind == rules.INT:
            limits = {ext["url"].rsplit("/", 1)[1]: ext["valueInteger"] for ext in item["extension"]}
            assert limits == {"minValue": field.min_value, "maxValue": field.max_value}
        elif field.kind == rules.CHOICE:
            codings = [option["valueCoding"] for option in item["answerOption"]]
            assert [coding["code"] for coding in codings] == list(field.choices)
            assert {coding["system"] for coding in codings} == {export.code_system_url(field.name)}
        elif field.kind == rules.TEXT:
            assert item["maxLength"] == rules.NOTES_MAX_LENGTH
        else:
            assert "answerOption" not in item


def test_enable_when_follows_every_branching():
    items = {item["linkId"]: item for item in question_items(export.questionnaire_resource())}
    conditions = {name: item["enableWhen"] for name, item in items.items() if "enableWhen" in item}
    assert set(conditions) == {name for reveal in rules.REVEALS for name in reveal.details}
    for name in ("bleeding_episodes_3m", "bleeding_amount", "clots"):
        assert conditions[name] == [
            {"question": "bleeding_after_sex", "operator": "=", "answerBoolean": True}
        ]
    assert conditions["discharge_color"] == [
        {"question": "discharge_after_sex", "operator": "=", "answerBoolean": True}
    ]
    assert conditions["pelvic_pain_severity"] == [
        {"question": "pelvic_pain_days", "operator": ">=", "answerInteger": 1}
    ]
    # RULES.md 3.2: widened in rule set 3 to a late period without a test or with a positive one.
    shoulder = conditions["shoulder_tip_pain"]
    assert [(c["question"], c["operator"], c["answerCoding"]["code"]) for c in shoulder] == [
        ("pregnancy_status", "=", "possible"),
        ("pregnancy_status", "=", "confirmed"),
        ("period_late", "=", "late_no_test"),
        ("period_late", "=", "late_test_positive"),
    ]
    assert items["shoulder_tip_pain"]["enableBehavior"] == "any"

    def stated(name):
        return [
            (c["question"], c["operator"], c.get("answerCoding", {}).get("code", c.get("answerBoolean")))
            for c in conditions[name]
        ]

    # New in rule set 3: two questions each, both conditions must hold.
    assert stated("period_late") == [
        ("pregnancy_status", "=", "not_pregnant"),
        ("menopause_status", "exists", True),
        ("menopause_status", "!=", "postmenopausal"),
    ]
    assert stated("contraception") == [
        ("menopause_status", "exists", True),
        ("menopause_status", "!=", "postmenopausal"),
        ("pregnancy_status", "exists", True),
        ("pregnancy_status", "!=", "confirmed"),
    ]
    assert items["period_late"]["enableBehavior"] == items["contraception"]["enableBehavior"] == "all"
    assert stated("pregnancy_weeks") == [("pregnancy_status", "=", "confirmed")]
    for name in ("other_bleeding_amount", "other_bleeding_clots", "intermenstrual_weeks"):
        assert stated(name) == [("intermenstrual_bleeding", "=", True)]
    for name in ("hrt_type", "hrt_recent_change"):
        assert stated(name) == [("hrt", "=", True)]
    assert "enableBehavior" not in items["clots"]
    assert "soaks_pad_hourly" not in conditions
    assert "dizziness_fainting" not in conditions


def test_questionnaire_canonical_url_carries_the_rule_set_version():
    resource = export.questionnaire_resource()
    assert resource["version"] == "3"
    assert export.questionnaire_canonical() == f"{resource['url']}|3"


@pytest.mark.parametrize("language", ["it", "en"])
def test_questionnaire_texts_come_from_the_catalogue_in_both_languages(language):
    resource = export.questionnaire_resource()
    items = {item["linkId"]: item for item in question_items(resource)}
    with translation.override(language):
        expected_questions = {name: str(label) for name, label in QUESTION_LABELS.items()}
        expected_choices = {
            name: {value: str(label) for value, label in labels.items()}
            for name, labels in CHOICE_LABELS.items()
        }
    assert export.translations(resource, "title")[language]
    for name, item in items.items():
        assert export.translations(item, "text")[language] == expected_questions[name]
        for option in item.get("answerOption", []):
            coding = option["valueCoding"]
            assert export.translations(coding, "display")[language] == expected_choices[name][coding["code"]]
    # The plain text is the clinic's own language.
    assert resource["language"] == "it"
    assert items["clots"]["text"] == export.translations(items["clots"], "text")["it"]


@pytest.mark.django_db
def test_questionnaire_is_public_fhir_json(client):
    response = client.get("/fhir/Questionnaire/pre-visit")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response.json() == export.questionnaire_resource()


# --- Exports ----------------------------------------------------------------------------


@pytest.fixture
def history_and_case(patient):
    """An earlier bleeding report 30 days back, then a rich questionnaire: history changes the result."""
    record(patient, {**QUIET, **BLEEDING, "bleeding_amount": "light", "clots": False}, days_ago=32)
    return record(patient, RICH)


@pytest.mark.django_db
def test_every_export_parses_with_fhir_resources_r4b(history_and_case):
    submission = history_and_case
    assessment = assessment_of(submission)
    QuestionnaireResponse.model_validate(export.questionnaire_response(submission))
    RiskAssessment.model_validate(export.risk_assessment(submission, assessment))
    bundle = Bundle.model_validate(export.submission_bundle(submission))
    assert bundle.type == "collection"
    assert [entry.resource.get_resource_type() for entry in bundle.entry] == [
        "QuestionnaireResponse",
        "RiskAssessment",
    ]


@pytest.mark.django_db
def test_questionnaire_response_carries_patient_time_and_typed_answers(history_and_case):
    submission = history_and_case
    resource = export.questionnaire_response(submission)
    patient = resource["contained"][0]
    assert resource["subject"] == {"reference": f"#{patient['id']}"}
    assert patient["resourceType"] == "Patient"
    assert patient["telecom"][0] == {"system": "email", "value": "patient@example.com"}
    assert patient["birthDate"] == "1990-03-01"
    assert patient["name"][0]["family"] == "Rossi"
    assert resource["questionnaire"] == f"{export.questionnaire_url()}|{rules.RULES_VERSION}"
    assert resource["status"] == "completed"
    from datetime import datetime

    assert datetime.fromisoformat(resource["authored"]) == submission.submitted_at
    answers = response_answers(resource)
    assert set(answers) == set(RICH)
    assert answers["clots"] == {"valueBoolean": True}
    assert answers["pain_during_sex"] == {"valueInteger": 5}
    assert answers["notes"] == {"valueString": RICH["notes"]}
    coding = answers["bleeding_amount"]["valueCoding"]
    assert (coding["system"], coding["code"]) == (export.code_system_url("bleeding_amount"), "moderate")


@pytest.mark.django_db
def test_questionnaire_response_leaves_out_questions_hidden_by_branching(patient):
    stale = {**QUIET, "bleeding_episodes_3m": 4, "clots": True, "discharge_color": "pink"}
    submission = record(patient, stale)
    answers = response_answers(export.questionnaire_response(submission))
    assert set(answers) == set(QUIET)


@pytest.mark.django_db
def test_risk_assessment_states_level_score_flags_reasons_and_rules_version(history_and_case):
    submission = history_and_case
    assessment = assessment_of(submission)
    assert "RECURRENT" in assessment.flags  # from the earlier report, not from this questionnaire alone
    resource = export.risk_assessment(submission, assessment)
    risk = resource["prediction"][0]["qualitativeRisk"]["coding"][0]
    assert risk["system"] == export.code_system_url("triage-level")
    assert risk["code"] == rules.Level(assessment.level).code
    extensions = resource["extension"]
    assert [ext["valueInteger"] for ext in extensions if ext["url"].endswith("triage-score")] == [
        assessment.score
    ]
    flag_codes = [ext["valueCoding"]["code"] for ext in extensions if ext["url"].endswith("triage-flag")]
    assert flag_codes == assessment.flags
    with translation.override("it"):
        italian = [
            f"{code}: {translation.gettext(rules.FLAG_RULES_BY_CODE[code].reason)}" for code in flag_codes
        ]
    assert [note["text"] for note in resource["note"]] == italian
    english = [export.translations(note, "text")["en"] for note in resource["note"]]
    assert english == [f"{code}: {rules.FLAG_RULES_BY_CODE[code].reason}" for code in flag_codes]
    assert resource["method"]["coding"][0]["version"] == str(rules.RULES_VERSION)
    assert resource["basis"][0]["identifier"] == export.questionnaire_response(submission)["identifier"]


@pytest.mark.django_db
def test_a_case_the_engine_could_not_assess_exports_as_manual_review(patient):
    case = factories.make_case(patient, level=CaseLevel.REVIEW, answers={"fever": True})
    Assessment.objects.filter(submission_id=case.pk).update(rules_version=None)
    bundle = export.submission_bundle(case.submission)
    Bundle.model_validate(bundle)
    risk = bundle["entry"][1]["resource"]
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "review"
    assert "method" not in risk
    assert "note" not in risk


# --- Round trip -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(QUIET, id="quiet"),
        pytest.param(RICH, id="rich-with-history"),
        pytest.param(PREGNANCY_RED_FLAG, id="pregnancy-red-flag"),
        pytest.param(HEAVY, id="heavy-acute"),
    ],
)
def test_exported_bundle_imports_back_to_the_same_answers_and_assessment(patient, tmp_path, answers):
    earlier = record(patient, {**QUIET, **BLEEDING}, days_ago=40)
    original = record(patient, answers)
    before = assessment_of(original)
    expected = {
        "answers": original.answers,
        "submitted_at": original.submitted_at,
        "age": original.age,
        "assessment": (before.level, before.score, before.flags, before.rules_version),
    }
    path = write(tmp_path, export.submission_bundle(original))
    # A fresh copy of the patient's data: the same history, without the exported questionnaire.
    original.delete()

    output = import_file(path)

    imported = Submission.objects.exclude(pk=earlier.pk).get(patient=patient)
    after = assessment_of(imported)
    assert "Imported as questionnaire" in output
    assert "differs" not in output
    assert imported.answers == expected["answers"]
    assert imported.submitted_at == expected["submitted_at"]
    assert imported.age == expected["age"]
    assert (after.level, after.score, after.flags, after.rules_version) == expected["assessment"]
    assert (imported.case.level, imported.case.score, imported.case.flags) == expected["assessment"][:3]


@pytest.mark.django_db
def test_patients_own_response_imports_back_with_the_patient_option(patient_client, patient, tmp_path):
    original = record(patient, RICH)
    before = assessment_of(original)
    download = patient_client.get(f"/questionnaire/{original.pk}/fhir.json")
    path = write(tmp_path, json.loads(download.content))
    answers, when = original.answers, original.submitted_at
    original.delete()

    import_file(path, "--patient", "PATIENT@example.com")

    imported = Submission.objects.get(patient=patient)
    after = assessment_of(imported)
    assert (imported.answers, imported.submitted_at) == (answers, when)
    assert (after.level, after.score, after.flags) == (before.level, before.score, before.flags)


@pytest.mark.django_db
def test_importing_the_same_file_twice_saves_nothing_new(patient, tmp_path):
    original = record(patient, RICH)
    path = write(tmp_path, export.submission_bundle(original))
    counts = saved_counts()

    output = import_file(path)

    assert f"already imported as questionnaire #{original.pk}" in output
    assert saved_counts() == counts


@pytest.mark.django_db
def test_a_response_from_elsewhere_without_identifier_is_matched_by_its_authored_time(patient, tmp_path):
    original = record(patient, QUIET)
    resource = export.questionnaire_response(original)
    del resource["identifier"]
    resource["authored"] = timezone.localtime(original.submitted_at).replace(microsecond=0).isoformat()
    counts = saved_counts()

    output = import_file(write(tmp_path, resource))

    assert "already imported" in output
    assert saved_counts() == counts


@pytest.mark.django_db
def test_import_warns_when_the_assessment_made_here_differs_from_the_file(patient, tmp_path):
    earlier = record(patient, {**QUIET, **BLEEDING, "clots": False}, days_ago=30)
    original = record(
        patient,
        {
            **QUIET,
            **BLEEDING,
            "bleeding_episodes_3m": 1,
            "bleeding_amount": "light",
            "clots": False,
            "bleeding_trend": "first_time",
        },
    )
    assert "RECURRENT" in assessment_of(original).flags
    path = write(tmp_path, export.submission_bundle(original))
    original.delete()
    earlier.delete()

    output = import_file(path)

    assert "differs from the one in the file" in output
    assert "RECURRENT" not in assessment_of(Submission.objects.get(patient=patient)).flags


# --- Refused imports ------------------------------------------------------------------------------


def _set_answer(resource, name, answer):
    for group in resource["item"]:
        for item in group["item"]:
            if item["linkId"] == name:
                item["answer"] = [answer]
                return resource
    raise AssertionError(name)


def _add_item(resource, group_id, item):
    next(group for group in resource["item"] if group["linkId"] == group_id)["item"].append(item)
    return resource


def _patient_part(resource):
    return resource["contained"][0]


BAD_RESPONSES = [
    pytest.param(
        lambda r: {"resourceType": "Patient", "id": "x"},
        "Expected a QuestionnaireResponse or a Bundle",
        id="wrong-resource-type",
    ),
    pytest.param(lambda r: [r], "one JSON object", id="json-list"),
    pytest.param(
        lambda r: _add_item(
            r, "section-symptoms", {"linkId": "headache", "answer": [{"valueBoolean": True}]}
        ),
        "Unknown question 'headache'",
        id="unknown-link-id",
    ),
    pytest.param(
        lambda r: _set_answer(
            r,
            "menopause_status",
            {"valueCoding": {"system": export.code_system_url("menopause_status"), "code": "maybe"}},
        ),
        "unknown code 'maybe'",
        id="invalid-choice-code",
    ),
    pytest.param(
        lambda r: _set_answer(
            r, "menopause_status", {"valueCoding": {"system": "http://loinc.org", "code": "unsure"}}
        ),
        "code system must be",
        id="foreign-code-system",
    ),
    pytest.param(
        lambda r: _set_answer(r, "pain_during_sex", {"valueInteger": 11}),
        "between 0 and 10",
        id="out-of-range",
    ),
    pytest.param(
        lambda r: _set_answer(r, "fever", {"valueString": "yes"}),
        "needs a valueBoolean",
        id="wrong-value-type",
    ),
    pytest.param(
        lambda r: _set_answer(r, "fever", {"valueBoolean": "true"}), "true or false", id="string-for-boolean"
    ),
    pytest.param(
        lambda r: _add_item(r, "section-cycle", {"linkId": "fever", "answer": [{"valueBoolean": True}]}),
        "must sit inside the group 'section-symptoms'",
        id="wrong-group",
    ),
    pytest.param(
        lambda r: {**r, "questionnaire": "http://example.org/Questionnaire/other"},
        "not http://",
        id="questionnaire-url-mismatch",
    ),
    pytest.param(
        lambda r: {**r, "questionnaire": export.questionnaire_url() + "|9"},
        "not http://",
        id="questionnaire-version-mismatch",
    ),
    pytest.param(lambda r: {**r, "status": "in-progress"}, "Only a completed response", id="not-completed"),
    pytest.param(
        lambda r: {**r, "mood": "fine"}, "Not a valid FHIR QuestionnaireResponse: mood", id="not-valid-fhir"
    ),
    pytest.param(
        lambda r: {k: v for k, v in r.items() if k != "authored"}, "no authored time", id="no-authored"
    ),
    pytest.param(
        lambda r: {**r, "authored": (timezone.now() + timedelta(days=1)).isoformat()},
        "in the future",
        id="future",
    ),
    pytest.param(
        lambda r: {**r, "authored": "0001-01-01T00:30:00+01:00"},
        "between the years 1900 and 2999",
        id="year-1",
    ),
    pytest.param(
        lambda r: {**r, "authored": "9999-12-31T23:30:00-01:00"},
        "between the years 1900 and 2999",
        id="year-9999",
    ),
    pytest.param(
        lambda r: _patient_part(r).update(telecom=[{"system": "email", "value": "nobody@example.com"}]) or r,
        "No patient with the email nobody@example.com",
        id="unknown-patient",
    ),
    pytest.param(
        lambda r: _patient_part(r).pop("telecom") and r, "give her login email with --patient", id="no-email"
    ),
    pytest.param(
        lambda r: _patient_part(r).update(birthDate="1991-03-01") or r,
        "date of birth in the file differs",
        id="birth-date",
    ),
    pytest.param(
        lambda r: {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r}, {"resource": r}],
        },
        "exactly one QuestionnaireResponse",
        id="bundle-with-two-responses",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("mutate", "message"), BAD_RESPONSES)
def test_malformed_or_foreign_responses_are_refused_and_nothing_is_saved(patient, tmp_path, mutate, message):
    source = record(patient, QUIET)
    resource = mutate(copy.deepcopy(export.questionnaire_response(source)))
    source.delete()
    counts = saved_counts()

    with pytest.raises(CommandError) as error:
        import_file(write(tmp_path, resource))

    assert message in str(error.value)
    assert saved_counts() == counts


@pytest.mark.django_db
def test_invalid_json_is_refused_with_its_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"resourceType": "QuestionnaireResponse",\n  oops}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"not valid JSON \(.* line 2, column 3\)"):
        import_file(str(path))


@pytest.mark.django_db
def test_an_integer_of_thousands_of_digits_is_refused_without_a_traceback(tmp_path):
    path = tmp_path / "long.json"
    path.write_text('{"resourceType": "QuestionnaireResponse", "n": ' + "9" * 5000 + "}", encoding="utf-8")
    with pytest.raises(CommandError, match="number too long"):
        import_file(str(path))


@pytest.mark.django_db
def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        import_file(str(tmp_path / "nothing.json"))


@pytest.mark.django_db
def test_a_file_naming_another_patient_than_the_option_is_refused(patient, other_patient, tmp_path):
    source = record(patient, QUIET)
    path = write(tmp_path, export.questionnaire_response(source))
    source.delete()
    counts = saved_counts()
    with pytest.raises(CommandError, match="names a different patient"):
        import_file(path, "--patient", other_patient.user.email)
    assert saved_counts() == counts


def test_parser_rejects_other_resource_types_with_a_clear_error():
    with pytest.raises(
        imports.FhirImportError, match="Expected a QuestionnaireResponse, found 'Observation'"
    ):
        imports.answers_from_questionnaire_response({"resourceType": "Observation"})


def test_validation_errors_do_not_repeat_the_values_found():
    resource = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "authored": "secret-value",
    }
    with pytest.raises(imports.FhirImportError) as error:
        imports.validate_resource(resource)
    assert "authored" in str(error.value)
    assert "secret-value" not in str(error.value)


# --- Downloads and who may have them --------------------------------------------------------------


@pytest.mark.django_db
def test_patient_downloads_her_own_response_only(patient_client, patient, other_patient):
    own = record(patient, RICH)
    others = record(other_patient, QUIET)
    draft = submission_draft(patient)

    response = patient_client.get(f"/questionnaire/{own.pk}/fhir.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"] == f'attachment; filename="questionnaire-{own.pk}.fhir.json"'
    assert "no-store" in response["Cache-Control"]
    resource = json.loads(response.content)
    QuestionnaireResponse.model_validate(resource)
    assert resource["identifier"]["value"] == str(own.key)
    # The clinician's flag wording stays with the clinic (RULES.md 8).
    assert "RiskAssessment" not in response.content.decode()
    assert patient_client.get(f"/questionnaire/{others.pk}/fhir.json").status_code == 404
    assert patient_client.get(f"/questionnaire/{draft.pk}/fhir.json").status_code == 404


@pytest.mark.django_db
def test_detail_page_links_to_the_download(patient_client, patient):
    own = record(patient, QUIET)
    html = patient_client.get(f"/questionnaire/{own.pk}/").content.decode()
    assert f'href="/questionnaire/{own.pk}/fhir.json"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [(None, 302), ("patient", 403), ("doctor", 200)])
def test_case_bundle_is_for_doctors_and_audited(client_as, patient, role, status):
    submission = record(patient, RICH)

    response = client_as(role).get(f"/dashboard/cases/{submission.pk}/fhir.json")

    assert response.status_code == status
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_FHIR)
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    if status != 200:
        assert not events.exists()
        return
    assert response["Content-Disposition"] == f'attachment; filename="case-{submission.pk}.fhir.json"'
    assert "no-store" in response["Cache-Control"]
    bundle = Bundle.model_validate(json.loads(response.content))
    assert [entry.resource.get_resource_type() for entry in bundle.entry] == [
        "QuestionnaireResponse",
        "RiskAssessment",
    ]
    event = events.get()
    assert (event.object_id, event.patient_id, event.actor.email) == (
        str(submission.pk),
        patient.pk,
        "doctor@example.com",
    )


@pytest.mark.django_db
def test_doctor_gets_404_for_a_missing_case(doctor_client):
    assert doctor_client.get("/dashboard/cases/999999/fhir.json").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT_FHIR).exists()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login_for_patient_exports(client, patient):
    submission = record(patient, QUIET)
    response = client.get(f"/questionnaire/{submission.pk}/fhir.json")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_rule_set_1_response_still_imports_and_the_new_questions_take_their_defaults(patient, tmp_path):
    source = record(patient, {**QUIET, "pregnancy_status": "possible", "shoulder_tip_pain": False})
    response = export.questionnaire_response(source)
    source.delete()
    # As rule set 1's form wrote it: its own version, none of the questions added since.
    response["questionnaire"] = export.questionnaire_canonical(1)
    added = set(rules.FIELDS_BY_NAME) - set(rules.RULE_SETS[1].fields_by_name)
    for group in response["item"]:
        group["item"] = [item for item in group["item"] if item["linkId"] not in added]

    import_file(write(tmp_path, response))

    imported = Submission.objects.get(patient=patient)
    assert imported.questionnaire_version == 1
    assert not set(imported.answers) & added
    # A possible pregnancy with nothing else is routine under the current rules too; the defaults apply.
    assert (imported.case.level, imported.case.rules_version) == (CaseLevel.ROUTINE, rules.RULES_VERSION)
    assert export.questionnaire_response(imported)["questionnaire"].endswith("|1")


@pytest.mark.django_db
def test_a_rule_set_1_response_cannot_answer_a_question_added_later(patient, tmp_path):
    source = record(patient, QUIET)
    response = export.questionnaire_response(source)
    source.delete()
    response["questionnaire"] = export.questionnaire_canonical(1)
    counts = saved_counts()

    with pytest.raises(CommandError, match="not part of version 1 of the questionnaire"):
        import_file(write(tmp_path, response))
    assert saved_counts() == counts


@pytest.mark.django_db
def test_a_rule_set_2_response_imports_with_the_defaults_of_rule_set_3(patient, tmp_path):
    """RULES.md 3.2: absent questions take their defaults; an absent screening date reads as unsure."""
    source = record(patient, {**QUIET, "bleeding_after_sex": True, "bleeding_episodes_3m": 1})
    response = export.questionnaire_response(source)
    source.delete()
    response["questionnaire"] = export.questionnaire_canonical(2)
    dropped = set(rules.FIELDS_BY_NAME) - set(rules.RULE_SETS[2].fields_by_name) | {"last_cervical_screening"}
    for group in response["item"]:
        group["item"] = [item for item in group["item"] if item["linkId"] not in dropped]

    import_file(write(tmp_path, response))

    imported = Submission.objects.get(patient=patient)
    assert imported.questionnaire_version == 2
    assert not set(imported.answers) & dropped
    assert imported.case.rules_version == rules.RULES_VERSION
    assert "SCREENING_GAP" in imported.case.flags
    assert export.questionnaire_response(imported)["questionnaire"].endswith("|2")


@pytest.mark.django_db
def test_an_answer_hidden_by_the_branching_is_checked_then_left_out(patient, tmp_path):
    """RULES.md 3.2 Hidden answers: a response carrying one is not refused, and it changes nothing."""
    source = record(patient, QUIET)
    response = export.questionnaire_response(source)
    source.delete()
    _add_item(response, "section-bleeding", {"linkId": "clots", "answer": [{"valueBoolean": True}]})
    _add_item(response, "section-cycle", {"linkId": "pregnancy_weeks", "answer": [{"valueInteger": 30}]})

    import_file(write(tmp_path, response))

    imported = Submission.objects.get(patient=patient)
    assert "clots" not in imported.answers and "pregnancy_weeks" not in imported.answers
    assert (imported.case.level, imported.case.flags) == (CaseLevel.ROUTINE, [])
    bad = export.questionnaire_response(imported)
    _add_item(bad, "section-cycle", {"linkId": "pregnancy_weeks", "answer": [{"valueInteger": 46}]})
    bad["identifier"]["value"] = "another-response"
    with pytest.raises(CommandError, match="pregnancy_weeks"):
        import_file(write(tmp_path, bad, name="bad.json"))


@pytest.mark.django_db
def test_a_response_keeps_the_wording_of_the_questionnaire_she_answered(patient):
    """RULES.md 11.1 V3: tamoxifen read "now" before rule set 3."""
    submission = record(patient, {**QUIET, "tamoxifen": True})
    texts = {
        item["linkId"]: item["text"]
        for group in export.questionnaire_response(submission)["item"]
        for item in group["item"]
    }
    assert "in passato" in texts["tamoxifen"]
    Submission.objects.filter(pk=submission.pk).update(questionnaire_version=2)
    submission.refresh_from_db()
    texts = {
        item["linkId"]: item["text"]
        for group in export.questionnaire_response(submission)["item"]
        for item in group["item"]
    }
    assert texts["tamoxifen"] == "Assume tamoxifene (un farmaco usato dopo un tumore al seno)?"


def test_the_import_service_returns_what_it_did_and_refuses_with_a_reason_not_a_sentence(
    patient, other_patient
):
    original = record(patient, RICH)
    imported = imports.parse_document(export.submission_bundle(original))

    again = submission_import_fhir(imported)
    with pytest.raises(FhirImportRefused) as different:
        submission_import_fhir(imported, email=other_patient.user.email)
    with pytest.raises(FhirImportRefused) as unknown:
        submission_import_fhir(replace(imported, patient_email=""), email="nobody@example.com")

    assert (again.submission, again.created) == (original, False)
    assert different.value.reason == "different_patient"
    assert (unknown.value.reason, unknown.value.email) == ("no_patient", "nobody@example.com")
