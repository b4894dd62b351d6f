"""The patient's questionnaire: list, fill in (draft and submit), read back with advice, print."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from triage.questionnaire import readable_answers

from .access import submission_for_patient
from .decorators import patient_required
from .models import Submission
from .presenters import submission_summary
from .questionnaire_forms import SAVE, SUBMIT, QuestionnaireForm, answers_to_initial
from .selectors import submission_doctor_opened, submission_draft_for, submission_list_for
from .services import AlreadySubmitted, submission_save_draft, submission_submit


@never_cache
@patient_required
@require_http_methods(["GET"])
def submission_list_view(request):
    patient = request.user.patient
    submissions = [submission_summary(submission) for submission in submission_list_for(patient)]
    return render(
        request,
        "patients/submission_list.html",
        {"submissions": submissions, "draft": submission_draft_for(patient)},
    )


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def submission_edit_view(request):
    patient = request.user.patient
    if request.method == "GET":
        # Opening the form creates nothing: her first save or send creates the draft, with this key.
        draft = submission_draft_for(patient)
        key, answers = (draft.key, draft.answers) if draft else (uuid.uuid4(), {})
        form = QuestionnaireForm(initial={"key": key, **answers_to_initial(answers)})
        return render(request, "patients/submission_form.html", {"form": form, "draft": draft})

    mode = SUBMIT if request.POST.get("action") == SUBMIT else SAVE
    form = QuestionnaireForm(request.POST, mode=mode)
    if form.is_valid():
        try:
            if mode == SUBMIT:
                submission = submission_submit(
                    patient=patient, key=form.cleaned_data["key"], answers=form.answers()
                )
                return redirect(submission)
            submission_save_draft(patient=patient, key=form.cleaned_data["key"], answers=form.answers())
        except AlreadySubmitted as exc:
            messages.info(request, _("These answers were already sent; here they are."))
            return redirect(exc.submission)
        except Submission.DoesNotExist as exc:
            raise Http404 from exc
        messages.success(request, _("Your answers are saved. You can come back and finish later."))
        return redirect("patients:submission_edit")
    # The page's own error summary lists each answer that needs attention, linked to it.
    return render(request, "patients/submission_form.html", {"form": form})


@never_cache
@patient_required
@require_http_methods(["GET"])
def submission_detail_view(request, pk):
    submission = submission_for_patient(request.user, pk)
    submission.doctor_opened = submission_doctor_opened(submission)
    summary = submission_summary(submission)
    sections = readable_answers(submission.answers, submission.questionnaire_version)
    return render(
        request,
        "patients/submission_detail.html",
        {"submission": submission, "summary": summary, "advice": summary.advice, "sections": sections},
    )


@never_cache
@patient_required
@require_http_methods(["GET"])
def submission_print_view(request, pk):
    """Her own answers on one page, under the clinic's name, address and phone, for her records."""
    submission = submission_for_patient(request.user, pk)
    sections = [
        (title, rows)
        for title, rows in readable_answers(submission.answers, submission.questionnaire_version)
        if rows
    ]
    return render(
        request,
        "patients/submission_print.html",
        {"submission": submission, "sections": sections, "printed_at": timezone.now()},
    )
