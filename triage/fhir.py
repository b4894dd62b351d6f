"""HL7 FHIR R4 for the questionnaire: the Questionnaire, each QuestionnaireResponse and its RiskAssessment.

Builders return plain JSON-ready dicts, so views and tests need no FHIR
library; the import side checks a response against the questionnaire it
claims to answer and hands back answers keyed by the RULES.md field names.
Question texts come from the translation catalogue, one source of truth for
the form, the read-only pages and these resources.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from triage.questionnaire import CHOICE_LABELS, QUESTION_LABELS, SECTIONS

from . import rules
from .models import CaseLevel

TRANSLATION_URL = "http://hl7.org/fhir/StructureDefinition/translation"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"

QUESTIONNAIRE_ID = "pre-visit"
# The fields and their values are those of the rule set, so the two share a version.
QUESTIONNAIRE_VERSION = str(rules.RULES_VERSION)
CONTAINED_PATIENT_ID = "patient"
# Statuses under which a response is a finished questionnaire.
IMPORTABLE_STATUSES = ("completed", "amended")

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


class FhirImportError(ValueError):
    """A resource that is not valid FHIR, or does not answer this portal's questionnaire."""


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
    """RULES.md 3.2 branching as FHIR enableWhen: shown for any of the revealing answers."""
    if reveal.min_value is not None:
        conditions = [{"question": reveal.question, "operator": ">=", "answerInteger": reveal.min_value}]
    elif reveal.values == (True,):
        conditions = [{"question": reveal.question, "operator": "=", "answerBoolean": True}]
    else:
        conditions = [
            {"question": reveal.question, "operator": "=", "answerCoding": _coding(reveal.question, value)}
            for value in reveal.values
        ]
    if len(conditions) == 1:
        return {"enableWhen": conditions}
    return {"enableWhen": conditions, "enableBehavior": "any"}


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


def _answer_items(answers: dict, names) -> list[dict]:
    items = []
    visible = rules.visible_fields(answers)
    for name in names:
        field = rules.FIELDS_BY_NAME[name]
        value = answers.get(name)
        # Unanswered and hidden questions have no answer in FHIR (enableWhen); a value the
        # rules would reject cannot be stated in the questionnaire's terms either.
        if name not in visible or value is None or value == "" or field.error_for(value) is not None:
            continue
        items.append(
            {
                "linkId": name,
                "text": _in_language(settings.LANGUAGE_CODE, QUESTION_LABELS[name]),
                "answer": [_answer(field, value)],
            }
        )
    return items


def questionnaire_response(submission) -> dict:
    """A submitted questionnaire as a FHIR QuestionnaireResponse, with the patient contained."""
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    groups = []
    for link_id, title, names in _sections():
        items = _answer_items(answers, names)
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


# --- Import ---------------------------------------------------------------------


def validate_resource(resource: dict) -> None:
    """Check a resource against the FHIR R4B model (fhir.resources); report where it is wrong.

    Only the place and the kind of each problem are reported, never the
    value found there, which may be health data.
    """
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    resource_type = resource.get("resourceType") if isinstance(resource, dict) else None
    try:
        model = get_fhir_model_class(resource_type) if isinstance(resource_type, str) else None
    except ValueError:
        model = None
    if model is None:
        raise FhirImportError(f"Unknown FHIR resource type {str(resource_type)[:40]!r}.")
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or '(resource)'}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)[:5]
        ]
        more = exc.error_count() - len(problems)
        if more > 0:
            problems.append(f"… and {more} more")
        raise FhirImportError(f"Not a valid FHIR {resource_type}: " + "; ".join(problems)) from None


def _error(message: str):
    raise FhirImportError(message)


def _check_questionnaire_reference(resource: dict) -> int:
    """The version of this portal's questionnaire the response answers (a released rule set)."""
    reference = resource.get("questionnaire")
    if not reference:
        _error(
            f"The response does not say which questionnaire it answers; expected {questionnaire_canonical()}."
        )
    url, _bar, version = reference.partition("|")
    known = {str(number): number for number in rules.RULE_SETS}
    if url != questionnaire_url() or (version and version not in known):
        _error(
            f"The response answers the questionnaire {reference[:200]!r}, not {questionnaire_canonical()}."
        )
    return known.get(version, rules.RULES_VERSION)


def _answer_value(field: rules.Field, item: dict):
    answers = item.get("answer") or []
    if len(answers) != 1:
        _error(f"Question {field.name!r} must have exactly one answer (found {len(answers)}).")
    answer = answers[0]
    if answer.get("item"):
        _error(f"Question {field.name!r} has nested items; this questionnaire has none.")
    key = VALUE_KEYS[field.kind]
    given = [name for name in answer if name.startswith("value")]
    if given != [key]:
        _error(f"Question {field.name!r} needs a {key} answer (found {', '.join(given) or 'none'}).")
    value = answer[key]
    if field.kind == rules.CHOICE:
        system, code = value.get("system"), value.get("code")
        if system != code_system_url(field.name):
            _error(f"Question {field.name!r}: the code system must be {code_system_url(field.name)}.")
        if code not in field.choices:
            _error(
                f"Question {field.name!r}: unknown code {str(code)[:40]!r}; allowed: {', '.join(field.choices)}."
            )
        value = code
    message = field.error_for(value)
    if message is not None:
        _error(f"Question {field.name!r}: {message}")
    return value


def _collect_answers(resource: dict) -> dict:
    answers = {}
    section_of = {name: link_id for link_id, _title, names in _sections() for name in names}
    groups = {link_id for link_id, _title, _names in _sections()}
    seen_groups = set()
    for group in resource.get("item") or []:
        link_id = group.get("linkId")
        if link_id in section_of:
            _error(
                f"Question {link_id!r} must sit inside the group {section_of[link_id]!r}, as in the questionnaire."
            )
        if link_id not in groups:
            _error(f"Unknown item {str(link_id)[:60]!r}: the questionnaire has no such group.")
        if link_id in seen_groups:
            _error(f"The group {link_id!r} appears twice.")
        seen_groups.add(link_id)
        if group.get("answer"):
            _error(f"The group {link_id!r} cannot have an answer of its own.")
        for item in group.get("item") or []:
            name = item.get("linkId")
            if name not in rules.FIELDS_BY_NAME:
                _error(f"Unknown question {str(name)[:60]!r}: the questionnaire has no such linkId.")
            if section_of[name] != link_id:
                _error(f"Question {name!r} must sit inside the group {section_of[name]!r}, not {link_id!r}.")
            if name in answers:
                _error(f"Question {name!r} is answered twice.")
            if item.get("item"):
                _error(f"Question {name!r} has nested items; this questionnaire has none.")
            answers[name] = _answer_value(rules.FIELDS_BY_NAME[name], item)
    return answers


def _check_branching(answers: dict) -> None:
    visible = rules.visible_fields(answers)
    for name in answers:
        if name not in visible:
            _error(
                f"Question {name!r} is answered although it is shown only for some answers to "
                f"{rules.SHOWN_WHEN[name].question!r} (enableWhen)."
            )


def answers_from_questionnaire_response(resource) -> tuple[dict, int]:
    """The answers of a QuestionnaireResponse, keyed and typed as RULES.md section 3.1 says,
    and the questionnaire version it answers.

    A response to an earlier version (rule set 1) lacks the questions added
    since; they are left out like any unanswered question.

    Raises FhirImportError when the resource is not valid FHIR, does not answer
    this questionnaire, or states an answer the form could not have produced
    (unknown question, wrong type, out of range, hidden by the branching).
    Unanswered questions are left out, so the rules use their RULES.md 3.2
    defaults, as for any stored questionnaire.
    """
    if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
        found = resource.get("resourceType") if isinstance(resource, dict) else type(resource).__name__
        _error(f"Expected a QuestionnaireResponse, found {str(found)[:40]!r}.")
    validate_resource(resource)
    version = _check_questionnaire_reference(resource)
    if resource.get("status") not in IMPORTABLE_STATUSES:
        _error(f"Only a completed response can be imported (its status is {resource.get('status')!r}).")
    answers = _collect_answers(resource)
    unknown = set(answers) - set(rules.rule_set(version).fields_by_name)
    if unknown:
        _error(f"Question {sorted(unknown)[0]!r} is not part of version {version} of the questionnaire.")
    _check_branching(answers)
    return answers, version


@dataclass(frozen=True)
class ImportedAssessment:
    """What a RiskAssessment in the file says, to compare with the portal's own assessment."""

    level: str
    score: int | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ImportedResponse:
    answers: dict
    questionnaire_version: int
    authored: datetime
    identifier: str | None
    patient_email: str | None
    patient_birth_date: date | None
    assessment: ImportedAssessment | None


def _authored(resource: dict) -> datetime:
    value = resource.get("authored")
    if not value:
        _error("The response has no authored time; it is needed as the questionnaire's submission time.")
    try:
        authored = datetime.fromisoformat(value)
    except ValueError:
        authored = None
    if authored is None or "T" not in value or authored.tzinfo is None:
        _error("The authored time must be a full date and time with its time zone.")
    return authored


def _contained_patient(resource: dict) -> dict | None:
    reference = (resource.get("subject") or {}).get("reference") or ""
    if not reference.startswith("#"):
        return None
    for contained in resource.get("contained") or []:
        if contained.get("resourceType") == "Patient" and contained.get("id") == reference[1:]:
            return contained
    _error(f"The subject {reference[:60]!r} points to no contained Patient.")


def _patient_email(patient: dict | None) -> str | None:
    emails = {
        telecom["value"].strip().lower()
        for telecom in (patient or {}).get("telecom") or []
        if telecom.get("system") == "email" and telecom.get("value")
    }
    if len(emails) > 1:
        _error("The contained Patient has more than one email address; name the patient with --patient.")
    return emails.pop() if emails else None


def _identifier(resource: dict) -> str | None:
    identifier = resource.get("identifier") or {}
    if identifier.get("system") == response_identifier_system():
        return identifier.get("value")
    return None


def _imported_assessment(resource: dict | None) -> ImportedAssessment | None:
    """Level, score and flags from a RiskAssessment written by this portal, or None for any other."""
    if resource is None:
        return None
    level = None
    for prediction in resource.get("prediction") or []:
        for coding in (prediction.get("qualitativeRisk") or {}).get("coding") or []:
            if coding.get("system") == code_system_url("triage-level"):
                level = coding.get("code")
    if level is None:
        return None
    score, flags = None, []
    for extension in resource.get("extension") or []:
        if extension.get("url") == extension_url("triage-score"):
            score = extension.get("valueInteger")
        elif extension.get("url") == extension_url("triage-flag"):
            flags.append((extension.get("valueCoding") or {}).get("code"))
    return ImportedAssessment(level, score, tuple(flags))


def _entries(document: dict) -> tuple[dict, dict | None]:
    responses, assessments = [], []
    for entry in document.get("entry") or []:
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        if kind == "QuestionnaireResponse":
            responses.append(resource)
        elif kind == "RiskAssessment":
            assessments.append(resource)
        else:
            _error(
                f"The Bundle may hold only a QuestionnaireResponse and its RiskAssessment; found {str(kind)[:40]!r}."
            )
    if len(responses) != 1:
        _error(f"The Bundle must hold exactly one QuestionnaireResponse (found {len(responses)}).")
    if len(assessments) > 1:
        _error(f"The Bundle may hold at most one RiskAssessment (found {len(assessments)}).")
    return responses[0], assessments[0] if assessments else None


def parse_document(document) -> ImportedResponse:
    """Read an imported file: a QuestionnaireResponse, or a Bundle as `submission_bundle()` writes it."""
    if not isinstance(document, dict):
        _error("The file must hold one JSON object, a FHIR resource.")
    assessment = None
    if document.get("resourceType") == "Bundle":
        validate_resource(document)
        response, assessment = _entries(document)
    elif document.get("resourceType") == "QuestionnaireResponse":
        response = document
    else:
        _error(
            f"Expected a QuestionnaireResponse or a Bundle, found {str(document.get('resourceType'))[:40]!r}."
        )
    answers, version = answers_from_questionnaire_response(response)
    patient = _contained_patient(response)
    birth_date = (patient or {}).get("birthDate")
    return ImportedResponse(
        answers=answers,
        questionnaire_version=version,
        authored=_authored(response),
        identifier=_identifier(response),
        patient_email=_patient_email(patient),
        patient_birth_date=date.fromisoformat(birth_date) if birth_date and len(birth_date) == 10 else None,
        assessment=_imported_assessment(assessment),
    )
