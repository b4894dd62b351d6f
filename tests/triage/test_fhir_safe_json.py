"""import_fhir refuses unsafe files with a one-line reason, before anything is read or saved."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from patients.models import Submission
from patients.services import submission_record
from tests import factories
from triage.fhir import export
from triage.fhir.safe_json import FHIR_IMPORT_MAX_BYTES, FHIR_IMPORT_MAX_DEPTH


@pytest.fixture
def bundle(db):
    """A Bundle the portal exported, its questionnaire then removed so that importing it would save one."""
    patient = factories.make_patient()
    submission = submission_record(
        patient=patient,
        answers=dict(factories.QUIET_ANSWERS),
        submitted_at=timezone.now().replace(microsecond=0),
    )
    document = export.submission_bundle(submission)
    submission.delete()
    return document


def refused(path) -> str:
    before = Submission.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("import_fhir", str(path))
    message = str(error.value)
    assert "\n" not in message
    assert "Traceback" not in message
    assert Submission.objects.count() == before
    return message


def _response(document):
    return next(
        entry["resource"]
        for entry in document["entry"]
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
    )


@pytest.mark.django_db
def test_the_untouched_bundle_imports(bundle, tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    call_command("import_fhir", str(path))
    assert Submission.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", [12345, True, None, 1.5])
def test_a_number_where_the_authored_time_belongs_is_refused(bundle, tmp_path, value):
    _response(bundle)["authored"] = value
    path = tmp_path / "authored.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    assert '"entry.resource.authored" must be a string' in refused(path)


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [FHIR_IMPORT_MAX_DEPTH + 1, 100_000])
def test_very_deep_nesting_is_refused(bundle, tmp_path, depth):
    _response(bundle)["extension"] = json.loads("[" * min(depth, 500) + "]" * min(depth, 500))
    path = tmp_path / "deep.json"
    text = json.dumps(bundle)
    if depth > 500:
        text = text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    path.write_text(text, encoding="utf-8")
    assert f"nested deeper than {FHIR_IMPORT_MAX_DEPTH} levels" in refused(path)


@pytest.mark.django_db
def test_a_duplicate_key_is_refused_instead_of_the_last_one_winning(bundle, tmp_path):
    text = json.dumps(bundle)
    authored = json.dumps(_response(bundle)["authored"])
    text = text.replace(
        f'"authored": {authored}', f'"authored": {authored}, "authored": "2001-01-01T00:00:00+01:00"'
    )
    path = tmp_path / "duplicate.json"
    path.write_text(text, encoding="utf-8")
    assert 'the key "authored" appears twice in one object' in refused(path)


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_without_being_parsed(bundle, tmp_path):
    text = json.dumps(bundle)
    path = tmp_path / "large.json"
    path.write_text(text[:-1] + ', "padding": "' + "x" * FHIR_IMPORT_MAX_BYTES + '"}', encoding="utf-8")
    assert "larger than 1024 KB" in refused(path)
