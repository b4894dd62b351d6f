"""`submission_for_patient`: a patient reaches only her own submitted questionnaires."""

import pytest
from django.http import Http404

from patients.access import submission_for_patient
from patients.models import Submission
from tests import factories


@pytest.mark.django_db
def test_a_patient_gets_her_own_questionnaire_with_its_case(patient, django_assert_num_queries):
    case = factories.make_case(patient)
    with django_assert_num_queries(1):
        submission = submission_for_patient(patient.user, case.pk)
        assert submission.case.level == case.level
        assert submission.patient.user.email == patient.user.email


@pytest.mark.django_db
def test_someone_elses_questionnaire_is_a_404_like_a_missing_one(patient, other_patient):
    theirs = factories.make_case(other_patient)
    with pytest.raises(Http404):
        submission_for_patient(patient.user, theirs.pk)
    with pytest.raises(Http404):
        submission_for_patient(patient.user, 999_999)


@pytest.mark.django_db
def test_a_draft_is_not_reached_this_way(patient):
    draft = Submission.objects.create(patient=patient)
    with pytest.raises(Http404):
        submission_for_patient(patient.user, draft.pk)
