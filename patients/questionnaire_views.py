"""The patient's questionnaire: list, fill in step by step (draft, review, send), read back with advice,
print.

Each step is one section of the questionnaire and a normal form post: Next,
Back, "Save and finish later" and the language buttons all save the step in
her draft first (`submission_save_step`), with the step she is on, so that
she comes back where she stopped (`start_view`, `submission_edit_view`).

An expired session must not cost her the step she was filling in. The idle
timeout logs her out when her next request arrives, which is usually the
post of that step: the step view therefore also accepts an anonymous post,
keeps the step's posted answers in the (new, anonymous) session, and sends
her to the login page with the step as `next`. When someone logs in with
that session, `pending_step_restore` writes the kept answers into her draft,
but only if the form was hers: the form carries `owner`, a keyed hash of
its draft key and her account, which nobody else logging in on the same
browser can match; anyone else's login just discards them. The answers are
never put in a URL, and they leave the session at the first login.
"""

import contextlib
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from triage.cases.presenters import PRINT_ANSWERS, answers_html
from triage.conversation.forms import MessageForm
from triage.conversation.presenters import patient_conversation
from triage.conversation.selectors import case_messages
from triage.conversation.services import message_post_by_patient
from triage.questionnaire import SECTIONS, review_answers
from triage.visits.selectors import patient_next_visit

from .access import submission_for_patient
from .decorators import patient_required
from .models import Submission, is_patient
from .presenters import ANSWERS, submission_summary
from .questionnaire_forms import (
    SAVE,
    STEP_COUNT,
    SUBMIT,
    QuestionnaireForm,
    SendForm,
    answers_to_initial,
)
from .selectors import (
    submission_by_key_for,
    submission_case_state,
    submission_draft_for,
    submission_list_for,
)
from .services import AlreadySubmitted, submission_save_draft, submission_save_step, submission_submit

# What a step's buttons post as `action`; the language buttons post `language` instead.
NEXT = "next"
BACK = "back"
# The query flag of a step shown after "Save and finish later".
SAVED = "saved"
# The review page counts as the step after the last section.
REVIEW_STEP = STEP_COUNT + 1
# The session key of a step posted after the session had expired (see the module's docstring).
PENDING_STEP = "patients.pending_step"
# Longer than any answer the form accepts; a bigger post is not an answer worth keeping.
PENDING_VALUE_MAX = 4000
# An anonymous post can create a session row: the kept answers are capped in size, and one address
# may create at most this many such rows within a session's lifetime (the reception's shared
# address sees a few expired sessions a day; a script posting in a loop fills no table).
PENDING_TOTAL_MAX = 16_000
PENDING_SESSIONS_PER_ADDRESS = 30


def step_url(step: int) -> str:
    if step >= REVIEW_STEP:
        return reverse("patients:submission_review")
    return reverse("patients:submission_step", args=[max(step, 1)])


def owner_check(key, user) -> str:
    """Ties a questionnaire form to the account it was shown to (see the module's docstring)."""
    return salted_hmac("patients.questionnaire.owner", f"{key}:{user.pk}").hexdigest()


@never_cache
@require_http_methods(["GET"])
def start_view(request):
    """Where a login lands: the worklist, her questionnaire at the step where she stopped, or home."""
    if request.user.is_doctor:
        return redirect("triage:dashboard")
    patient = getattr(request.user, "patient", None)
    draft = submission_draft_for(patient) if patient is not None else None
    if draft is not None:
        return redirect(step_url(draft.step))
    return redirect("home")


@never_cache
@patient_required
@require_http_methods(["GET"])
def submission_list_view(request):
    patient = request.user.patient
    visit = patient_next_visit(patient)
    submissions = [submission_summary(submission, visit=visit) for submission in submission_list_for(patient)]
    return render(
        request,
        "patients/submission_list.html",
        {"submissions": submissions, "draft": submission_draft_for(patient)},
    )


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def submission_edit_view(request):
    """GET: her questionnaire at the step where she stopped. POST: the whole questionnaire at once.

    The whole-form post (save or send) is what the questionnaire was before it
    came in steps; it still goes through the same services and checks.
    """
    patient = request.user.patient
    if request.method == "GET":
        draft = submission_draft_for(patient)
        return redirect(step_url(draft.step if draft else 1))

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


def _step_page(request, form, step):
    return render(
        request,
        "patients/submission_step.html",
        {
            "form": form,
            "step": step,
            "step_count": STEP_COUNT,
            "section": SECTIONS[step - 1][0],
            "step_url": step_url(step),
            "owner": owner_check(form["key"].value(), request.user),
            "from_review": request.GET.get("review") == "1" or request.POST.get("review") == "1",
            "saved_for_later": request.method == "GET" and request.GET.get(SAVED) == "1",
            # The language buttons submit this form, so the step is saved before the switch.
            "language_form": "questionnaire",
        },
    )


@login_not_required  # an expired session's post is kept for the next login (module docstring)
@never_cache
@require_http_methods(["GET", "POST"])
def submission_step_view(request, step):
    if not 1 <= step <= STEP_COUNT:
        raise Http404
    if not request.user.is_authenticated:
        if request.method == "POST":
            pending_step_keep(request, step)
        return redirect_to_login(request.get_full_path())
    return _submission_step(request, step)


@patient_required
def _submission_step(request, step):
    patient = request.user.patient
    draft = submission_draft_for(patient)
    stored = draft.answers if draft else {}
    if request.method == "GET":
        # Opening a step creates nothing: her first save creates the draft, with this key.
        key = draft.key if draft else uuid.uuid4()
        form = QuestionnaireForm(initial={"key": key, **answers_to_initial(stored)}, step=step, stored=stored)
        return _step_page(request, form, step)

    action = request.POST.get("action")
    language = request.POST.get("language")
    # Next asks for every question of the step; Back, Save and a language switch accept gaps.
    mode = SUBMIT if action == NEXT and not language else SAVE
    form = QuestionnaireForm(request.POST, mode=mode, step=step, stored=stored)
    valid = form.is_valid()
    key = form.cleaned_data.get("key")
    if key is None:
        return _step_page(request, form, step)
    target = step
    if valid and not language and action == NEXT:
        target = REVIEW_STEP if request.POST.get("review") == "1" else step + 1
    elif valid and not language and action == BACK:
        target = max(step - 1, 1)
    try:
        # Whatever is valid is kept even when another answer needs correcting.
        submission_save_step(
            patient=patient,
            key=key,
            replaced=[name for name in form.names if name not in form.errors],
            answers=form.valid_answers(),
            step=target,
        )
    except AlreadySubmitted as exc:
        messages.info(request, _("These answers were already sent; here they are."))
        return redirect(exc.submission)
    except Submission.DoesNotExist as exc:
        raise Http404 from exc
    if not valid:
        return _step_page(request, form, step)
    if language:
        return _switch_language(request, step_url(step))
    if action not in (NEXT, BACK):
        # "Save and finish later": the step says she may close the page, with the way home.
        return redirect(f"{step_url(target)}?{SAVED}=1")
    return redirect(step_url(target))


def _switch_language(request, next_url):
    """Hand the switch itself to the project's set_language view, coming back to `next_url`."""
    post = request.POST.copy()
    post["next"] = next_url
    request.POST = post
    return resolve(reverse("set_language")).func(request)


def pending_step_keep(request, step):
    """Keep a step posted after her session expired, for `pending_step_restore` at the next login."""
    names = SECTIONS[step - 1][1]
    key, owner = request.POST.get("key", ""), request.POST.get("owner", "")
    if not key or not owner:
        return
    answers = {
        name: value[:PENDING_VALUE_MAX] for name in names if (value := request.POST.get(name)) is not None
    }
    if sum(len(value) for value in answers.values()) > PENDING_TOTAL_MAX:
        return
    if request.session.session_key is None and not _new_pending_session_allowed(request):
        return
    request.session[PENDING_STEP] = {"step": step, "key": key[:64], "owner": owner[:128], "answers": answers}


def _new_pending_session_allowed(request) -> bool:
    """Count a new anonymous session row for the request's address; False past the cap."""
    from django.conf import settings
    from django.core.cache import cache

    from clinic.auth import client_ip

    key = f"patients.pending_step.address:{client_ip(request)}"
    cache.add(key, 0, timeout=settings.SESSION_ABSOLUTE_TIMEOUT)
    try:
        return cache.incr(key) <= PENDING_SESSIONS_PER_ADDRESS
    except ValueError:  # expired between add and incr
        return True


def pending_step_restore(sender, request, user, **kwargs):
    """On login, write a step kept from an expired session into her draft, if the form was hers."""
    session = getattr(request, "session", None)
    pending = session.pop(PENDING_STEP, None) if session is not None else None
    if not isinstance(pending, dict) or not is_patient(user):
        return
    if not constant_time_compare(owner_check(pending.get("key"), user), str(pending.get("owner"))):
        return
    step = pending.get("step")
    if step not in range(1, STEP_COUNT + 1):
        return
    draft = submission_draft_for(user.patient)
    form = QuestionnaireForm(
        {"key": pending["key"], **pending.get("answers", {})},
        step=step,
        stored=draft.answers if draft else {},
    )
    form.is_valid()
    if "key" in form.errors:
        return
    # Sent meanwhile, or not a form of hers: nothing to restore.
    with contextlib.suppress(AlreadySubmitted, Submission.DoesNotExist):
        submission_save_step(
            patient=user.patient,
            key=form.cleaned_data["key"],
            replaced=[name for name in form.names if name not in form.errors],
            answers=form.valid_answers(),
            step=step,
        )


@never_cache
@patient_required
@require_http_methods(["GET", "POST"])
def submission_review_view(request):
    """Every answer with a link back to its step, then Send, which checks the whole questionnaire."""
    patient = request.user.patient
    if request.method == "GET":
        draft = submission_draft_for(patient)
        if draft is None:
            return redirect(step_url(1))
        # A section whose every answer is "No" is folded under its title: the page stays short on a
        # phone, and what she did report stands out.
        sections = [
            (
                step_url(number),
                title,
                items,
                bool(items) and all(draft.answers.get(name) is False for name, *_ in items),
            )
            for number, (title, items) in enumerate(review_answers(draft.answers), start=1)
        ]
        return render(
            request,
            "patients/submission_review.html",
            {"draft": draft, "sections": sections, "form": SendForm(initial={"key": draft.key})},
        )

    send = SendForm(request.POST)
    if not send.is_valid():
        return redirect("patients:submission_review")
    key = send.cleaned_data["key"]
    submission = submission_by_key_for(patient, key)
    if submission is None:
        raise Http404
    if submission.is_submitted:
        messages.info(request, _("These answers were already sent; here they are."))
        return redirect(submission)
    stored = submission.answers
    whole = QuestionnaireForm({"key": key, **answers_to_initial(stored)}, mode=SUBMIT)
    if not whole.is_valid():
        # She is sent to the first step with something to correct, its messages shown.
        step = whole.first_step_with_errors() or 1
        form = QuestionnaireForm(
            {"key": key, **answers_to_initial(stored)}, mode=SUBMIT, step=step, stored=stored
        )
        form.is_valid()
        messages.error(request, _("Some answers are missing or need correcting before sending."))
        return _step_page(request, form, step)
    try:
        submission = submission_submit(patient=patient, key=key, answers=whole.answers())
    except AlreadySubmitted as exc:
        messages.info(request, _("These answers were already sent; here they are."))
        return redirect(exc.submission)
    return redirect(submission)


@never_cache
@patient_required
@require_http_methods(["GET"])
def submission_detail_view(request, pk):
    return _submission_page(request, submission_for_patient(request.user, pk))


def _submission_page(request, submission, *, reply_form=None, status=200):
    """Her questionnaire: what happens next, the conversation with the clinic, her answers."""
    submission_case_state(submission)
    summary = submission_summary(submission, visit=patient_next_visit(submission.patient))
    case = getattr(submission, "case", None)
    return render(
        request,
        "patients/submission_detail.html",
        {
            "submission": submission,
            "summary": summary,
            "advice": summary.advice,
            "actions": summary.actions,
            "answers_html": answers_html(submission, ANSWERS),
            "conversation": patient_conversation(case, case_messages(case.pk), form=reply_form)
            if case is not None
            else None,
        },
        status=status,
    )


@never_cache
@patient_required
@require_http_methods(["POST"])
def submission_reply_view(request, pk):
    """Her reply to the clinic on this questionnaire; refused with the text kept next to the box."""
    submission = submission_for_patient(request.user, pk)
    case = getattr(submission, "case", None)
    if case is None:
        raise Http404
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_post_by_patient(
                case_id=case.pk,
                user=request.user,
                text=form.cleaned_data["text"],
                key=form.cleaned_data["key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your reply has been sent to the clinic."))
            if request.POST.get("from") == "home":
                return redirect(reverse("home") + f"#conversation-{case.pk}")
            return redirect(reverse("patients:submission_detail", args=[case.pk]) + "#conversation")
    return _submission_page(request, submission, reply_form=form, status=400)


@never_cache
@patient_required
@require_http_methods(["GET"])
def submission_print_view(request, pk):
    """Her own answers on one page, under the clinic's name, address and phone, for her records."""
    submission = submission_for_patient(request.user, pk)
    return render(
        request,
        "patients/submission_print.html",
        {
            "submission": submission,
            "answers_html": answers_html(submission, PRINT_ANSWERS),
            "printed_at": timezone.now(),
        },
    )
