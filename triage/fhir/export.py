"""HL7 FHIR R4 out of the portal: the Questionnaire, each QuestionnaireResponse and its RiskAssessment.

Builders return plain JSON-ready dicts, so views and tests need no FHIR
library. Question texts come from the translation catalogue, one source of
truth for the form, the read-only pages and these resources.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from triage import rules
from triage.models import CaseLevel
from triage.questionnaire import CHOICE_LABELS, QUESTION_LABELS, SECTIONS, given_answers, question_label

TRANSLATION_URL = "http://hl7.org/fhir/StructureDefinition/translation"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"

QUESTIONNAIRE_ID = "pre-visit"
# The fields and their values are those of the rule set, so the two share a version.
QUESTIONNAIRE_VERSION = str(rules.RULES_VERSION)
CONTAINED_PATIENT_ID = "patient"

# Group linkIds, keyed by the first question of each section of the form.
SECTION_LINK_IDS = {
    "menopause_status": "section-cycle",
    "discharge_after_sex": "section-discharge",
    "bleeding_after_sex": "section-bleeding",
    "pain_during_sex": "section-symptoms",
    "last_cervical_screening": "section-screening",
    "notes": "section-notes",
}
ITEM_TYPES = {rules.BOOL: "boolean", rules.INT: "integer", rules.CHOICE: "choice", rules.TEXT: "text"}
VALUE_KEYS = {
    rules.BOOL: "valueBoolean",
    rules.INT: "valueInteger",
    rules.CHOICE: "valueCoding",
    rules.TEXT: "valueString",
}
REVIEW_CODE = "review"

TITLE = _("Pre-visit questionnaire")
RULES_DISPLAY = _("Pre-visit triage rules, rule set %(version)s")


# --- Addresses ------------------------------------------------------------------


def base_url() -> str:
    return settings.FHIR_BASE_URL.rstrip("/")


def questionnaire_url() -> str:
    """The canonical URL, which is also where the Questionnaire is served."""
    return f"{base_url()}/Questionnaire/{QUESTIONNAIRE_ID}"


def questionnaire_canonical(version: int | str = QUESTIONNAIRE_VERSION) -> str:
    """The questionnaire's canonical reference, with the version of its rule set (`url|2`)."""
    return f"{questionnaire_url()}|{version}"


def code_system_url(name: str) -> str:
    """The clinic's code system for a choice field (its RULES.md values) or a triage vocabulary."""
    return f"{base_url()}/CodeSystem/{name}"


def extension_url(name: str) -> str:
    return f"{base_url()}/StructureDefinition/{name}"


def response_identifier_system() -> str:
    return f"{base_url()}/sid/questionnaire-response"


def level_code(level: int) -> str:
    if level == CaseLevel.REVIEW:
        return REVIEW_CODE
    return rules.Level(level).code


# --- Languages ------------------------------------------------------------------


def _in_language(language: str, message) -> str:
    with translation.override(language):
        # Rule reasons are plain strings marked with gettext_noop; labels are lazy.
        return gettext(message) if isinstance(message, str) else str(message)


def _translated(message) -> tuple[str, dict]:
    """The text in the clinic's language, and the `_text`-style element carrying every portal language.

    `message` is a translatable string, or a function of a language code
    for texts put together from several of them.
    """
    render = message if callable(message) else (lambda language: _in_language(language, message))
    extensions = [
        {
            "url": TRANSLATION_URL,
            "extension": [
                {"url": "lang", "valueCode": language},
                {"url": "content", "valueString": render(language)},
            ],
        }
        for language, _name in settings.LANGUAGES
    ]
    return render(settings.LANGUAGE_CODE), {"extension": extensions}


def _set_text(element: dict, key: str, message) -> dict:
    element[key], element[f"_{key}"] = _translated(message)
    return element


def translations(element: dict, key: str) -> dict[str, str]:
    """Language code -> text from a translation extension, e.g. `translations(item, "text")`."""
    found = {}
    for extension in element.get(f"_{key}", {}).get("extension", []):
        if extension.get("url") != TRANSLATION_URL:
            continue
        parts = {part["url"]: part for part in extension.get("extension", [])}
        found[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return found


# --- The Questionnaire ----------------------------------------------------------


def _sections():
    for title, names in SECTIONS:
        yield SECTION_LINK_IDS[names[0]], title, names


def _question_item(field: rules.Field) -> dict:
    item = _set_text({"linkId": field.name}, "text", QUESTION_LABELS[field.name])
    item["type"] = ITEM_TYPES[field.kind]
    # In the form every visible question is mandatory except the free-text notes (RULES.md 3.2).
    item["required"] = field.kind != rules.TEXT
    reveal = rules.SHOWN_WHEN.get(field.name)
    if reveal is not None:
        item.update(_enable_when(reveal))
    if field.kind == rules.INT:
        item["extension"] = [
            {"url": MIN_VALUE_URL, "valueInteger": field.min_value},
            {"url": MAX_VALUE_URL, "valueInteger": field.max_value},
        ]
    elif field.kind == rules.TEXT:
        item["maxLength"] = field.max_length
    elif field.kind == rules.CHOICE:
        item["answerOption"] = [{"valueCoding": _coding(field.name, value)} for value in field.choices]
    return item


def _enable_when(reveal: rules.Reveal) -> dict:
    """RULES.md 3.2 branching as FHIR enableWhen, with enableBehavior for more than one condition.

    A clause "one of these answers" is one `=` condition per answer, which
    FHIR can only combine with `any`; a clause "none of these answers" is
    one `!=` condition per answer, combined with `all`, plus `exists`,
    because FHIR counts `!=` as met by a question left unanswered and the
    form does not. Conditions that flat enableWhen cannot state are refused.
    """
    conditions = []
    for clause in reveal.clauses:
        question = clause.question
        if clause.min_value is not None:
            conditions.append({"question": question, "operator": ">=", "answerInteger": clause.min_value})
            continue
        if clause.negate:
            if reveal.join == rules.ANY and len(clause.values) > 1:
                raise ValueError(f"enableWhen cannot state the condition of {reveal.details}.")
            conditions.append({"question": question, "operator": "exists", "answerBoolean": True})
        elif reveal.join == rules.ALL and len(clause.values) > 1 and len(reveal.clauses) > 1:
            raise ValueError(f"enableWhen cannot state the condition of {reveal.details}.")
        operator = "!=" if clause.negate else "="
        for value in clause.values:
            if isinstance(value, bool):
                conditions.append({"question": question, "operator": operator, "answerBoolean": value})
            else:
                conditions.append(
                    {"question": question, "operator": operator, "answerCoding": _coding(question, value)}
                )
    if len(conditions) == 1:
        return {"enableWhen": conditions}
    single_clause_of_values = len(reveal.clauses) == 1 and not reveal.clauses[0].negate
    behavior = "any" if reveal.join == rules.ANY or single_clause_of_values else "all"
    return {"enableWhen": conditions, "enableBehavior": behavior}


def _coding(name: str, value: str) -> dict:
    coding = {"system": code_system_url(name), "code": value}
    return _set_text(coding, "display", CHOICE_LABELS[name][value])


def questionnaire_resource() -> dict:
    """The pre-visit questionnaire as a FHIR Questionnaire, in every portal language.

    It holds no personal data, so it can be published as it is.
    """
    resource = {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "language": settings.LANGUAGE_CODE,
        "url": questionnaire_url(),
        "version": QUESTIONNAIRE_VERSION,
        "name": "PreVisitQuestionnaire",
    }
    _set_text(resource, "title", TITLE)
    resource.update({"status": "active", "subjectType": ["Patient"]})
    resource["item"] = [
        {
            **_set_text({"linkId": link_id}, "text", title),
            "type": "group",
            "item": [_question_item(rules.FIELDS_BY_NAME[name]) for name in names],
        }
        for link_id, title, names in _sections()
    ]
    return resource


# --- Exports of one submission ---------------------------------------------------


def _datetime(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def _patient(patient) -> dict:
    """The patient as a contained resource: who she is and how the portal recognises her (email)."""
    user = patient.user
    resource = {"resourceType": "Patient", "id": CONTAINED_PATIENT_ID}
    # FHIR strings may not be empty, so missing name parts are left out.
    name = {"text": user.get_full_name()} if user.get_full_name() else {}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    if name:
        resource["name"] = [name]
    telecom = [{"system": "email", "value": user.email}]
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone})
    resource["telecom"] = telecom
    resource["birthDate"] = patient.date_of_birth.isoformat()
    return resource


def _response_identifier(submission) -> dict:
    return {"system": response_identifier_system(), "value": str(submission.key)}


def _answer(field: rules.Field, value) -> dict:
    if field.kind == rules.CHOICE:
        return {"valueCoding": _coding(field.name, value)}
    return {VALUE_KEYS[field.kind]: value}


def _answer_items(given: dict, names, version: int | None) -> list[dict]:
    """The answers `given` (`given_answers`) to the questions `names`, with the wording of the
    questionnaire she answered (`version`, RULES.md 11.1 V3)."""
    fields = rules.rule_set(version).fields_by_name
    return [
        {
            "linkId": name,
            "text": _in_language(settings.LANGUAGE_CODE, question_label(name, version)),
            "answer": [_answer(fields[name], given[name])],
        }
        for name in names
        if name in given
    ]


def questionnaire_response(submission) -> dict:
    """A submitted questionnaire as a FHIR QuestionnaireResponse, with the patient contained."""
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    # Unanswered and hidden questions have no answer in FHIR (enableWhen); a value the rules
    # would reject cannot be stated in the questionnaire's terms either.
    given = given_answers(answers, submission.questionnaire_version)
    groups = []
    for link_id, title, names in _sections():
        items = _answer_items(given, names, submission.questionnaire_version)
        if items:
            groups.append(
                {"linkId": link_id, "text": _in_language(settings.LANGUAGE_CODE, title), "item": items}
            )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(submission.key),
        "language": settings.LANGUAGE_CODE,
        "contained": [_patient(submission.patient)],
        "identifier": _response_identifier(submission),
        "questionnaire": questionnaire_canonical(submission.questionnaire_version),
        "status": "completed",
        "subject": {"reference": f"#{CONTAINED_PATIENT_ID}"},
        "authored": _datetime(submission.submitted_at),
        "source": {"reference": f"#{CONTAINED_PATIENT_ID}"},
        "item": groups,
    }


def risk_assessment(submission, assessment) -> dict:
    """An assessment as a FHIR RiskAssessment: level, score, flags with the clinician's reasons."""
    level = CaseLevel(assessment.level)
    qualitative = {
        "coding": [
            _set_text(
                {"system": code_system_url("triage-level"), "code": level_code(level)}, "display", level.label
            )
        ]
    }
    qualitative["text"] = qualitative["coding"][0]["display"]
    extensions = [{"url": extension_url("triage-score"), "valueInteger": assessment.score}]
    notes = []
    flag_rules = rules.rule_set(assessment.rules_version).flag_rules_by_code
    for code in assessment.flags or ():
        rule = flag_rules.get(code)
        reason = rule.reason if rule else code
        coding = _set_text({"system": code_system_url("triage-flag"), "code": code}, "display", reason)
        extensions.append({"url": extension_url("triage-flag"), "valueCoding": coding})
        notes.append(
            _set_text(
                {},
                "text",
                lambda language, code=code, reason=reason: f"{code}: {_in_language(language, reason)}",
            )
        )
    resource = {
        "resourceType": "RiskAssessment",
        "id": f"assessment-{assessment.pk}",
        "language": settings.LANGUAGE_CODE,
        "contained": [_patient(submission.patient)],
        "extension": extensions,
        "identifier": [{"system": f"{base_url()}/sid/assessment", "value": str(assessment.pk)}],
        "status": "final",
    }
    if assessment.rules_version is not None:
        version = str(assessment.rules_version)
        coding = {"system": code_system_url("triage-rules"), "version": version, "code": "pre-visit-triage"}
        display = _in_language(settings.LANGUAGE_CODE, RULES_DISPLAY) % {"version": version}
        resource["method"] = {"coding": [coding | {"display": display}], "text": display}
    resource.update(
        {
            "subject": {"reference": f"#{CONTAINED_PATIENT_ID}"},
            "occurrenceDateTime": _datetime(assessment.created_at),
            "basis": [{"type": "QuestionnaireResponse", "identifier": _response_identifier(submission)}],
            "prediction": [{"qualitativeRisk": qualitative}],
        }
    )
    if notes:
        resource["note"] = notes
    return resource


def latest_assessment(submission):
    return submission.assessments.order_by("-created_at", "-pk").first()


def submission_bundle(submission, assessment=None) -> dict:
    """The QuestionnaireResponse and its latest RiskAssessment in one `collection` Bundle."""
    assessment = assessment or latest_assessment(submission)
    entries = [{"fullUrl": f"urn:uuid:{submission.key}", "resource": questionnaire_response(submission)}]
    if assessment is not None:
        assessment_uuid = uuid.uuid5(submission.key, f"assessment-{assessment.pk}")
        entries.append(
            {"fullUrl": f"urn:uuid:{assessment_uuid}", "resource": risk_assessment(submission, assessment)}
        )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(submission.key, "bundle")),
        "type": "collection",
        "timestamp": _datetime(timezone.now()),
        "entry": entries,
    }
