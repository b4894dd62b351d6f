"""HL7 FHIR R4 into the portal: a QuestionnaireResponse, or a Bundle as `export.submission_bundle()` writes it.

A response is checked against the questionnaire it claims to answer, and
its answers come back keyed by the RULES.md field names. Names starting with
an underscore are shared with `export` inside this package only.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from triage import rules

from .export import (
    VALUE_KEYS,
    _sections,
    code_system_url,
    extension_url,
    questionnaire_canonical,
    questionnaire_url,
    response_identifier_system,
)

# Statuses under which a response is a finished questionnaire.
IMPORTABLE_STATUSES = ("completed", "amended")


class FhirImportError(ValueError):
    """A resource that is not valid FHIR, or does not answer this portal's questionnaire."""


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


def _shown_answers(answers: dict, version: int) -> dict:
    """The answers to the questions its branching shows (RULES.md 3.2).

    An answer to a question the branching hides is checked like any other,
    then left out, as the form leaves it out: the rules read a hidden
    question as its default, so it changes nothing, and a response is not
    refused for carrying one.
    """
    visible = rules.rule_set(version).visible_fields(answers)
    return {name: value for name, value in answers.items() if name in visible}


def answers_from_questionnaire_response(resource) -> tuple[dict, int]:
    """The answers of a QuestionnaireResponse, keyed and typed as RULES.md section 3.1 says,
    and the questionnaire version it answers.

    A response to an earlier version (rule set 1 or 2) lacks the questions added
    since; they are left out like any unanswered question.

    Raises FhirImportError when the resource is not valid FHIR, does not answer
    this questionnaire, or states an answer the form could not have produced
    (unknown question, wrong type, out of range). Unanswered questions, and
    those the branching hides, are left out, so the rules use their RULES.md
    3.2 defaults, as for any stored questionnaire.
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
    return _shown_answers(answers, version), version


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
    try:
        authored.astimezone(UTC)
    except OverflowError:
        authored = None
    if authored is None or not 1900 <= authored.year <= 2999:
        _error("The authored time must be between the years 1900 and 2999.")
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
