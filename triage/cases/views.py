"""The case page: one case with its assessment, answers, history and timeline; its status, notes
and assignment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ..access import case_for_doctor
from ..advice import advice_given, patient_language
from ..audit.writer import Actor, audit_record
from ..conversation.forms import MessageForm
from ..conversation.presenters import case_conversation
from ..conversation.selectors import case_has_new_reply, case_messages
from ..conversation.services import message_post_by_doctor
from ..decorators import doctor_required
from ..models import AuditEvent, Case, ContactAttempt
from ..worklist.selectors import opened_from, with_query
from .forms import CaseNoteForm, CaseStatusForm, ContactForm, ContactTaskForm, SignOffForm
from .presenters import (
    ANSWERS,
    answers_html,
    case_deadline,
    case_flags_html,
    case_history_html,
    contact_log_entries,
    timeline_events_html,
    unbound_form_html,
)
from .retriage_tasks import case_contact_task_close, case_keep_higher, case_sign_off_lower
from .selectors import case_assessment, case_contact_count, case_events, case_follow_up_on, case_history
from .services import CaseConflict, case_add_note, case_assign, case_change_status, case_log_contact
from .summary import case_summary

# The buttons of the case page's assignment form (templates/triage/cases/_assignment.html).
ASSIGNMENT_CHOICES = ("take", "release")


def _case_page(
    request,
    case: Case,
    *,
    status_form=None,
    note_form=None,
    message_form=None,
    task_form=None,
    conflict=False,
    status=200,
):
    """Render a case; every rendering shows health data, so each one is audited as a view, and the
    conversation, when it has messages, as read (which clears the worklist's "new reply")."""
    listed = opened_from(request)
    query = listed.query
    status_url = with_query(reverse("triage:case_status", args=[case.pk]), query)
    note_url = with_query(reverse("triage:case_note", args=[case.pk]), query)
    message_url = with_query(reverse("triage:case_message", args=[case.pk]), query)
    actor = Actor.from_request(request)
    new_reply = getattr(case, "new_reply", None)
    if new_reply is None:
        new_reply = case_has_new_reply(case.pk)
    messages_shown = case_messages(case.pk)
    audit_record(actor, AuditEvent.Action.CASE_VIEW, obj=case, patient=case.patient_id)
    if messages_shown:
        audit_record(actor, AuditEvent.Action.CONVERSATION_READ, obj=case, patient=case.patient_id)
    history = case_history(case)
    events = list(case_events(case))
    fresh_status_form = None if status_form else CaseStatusForm(case=case, action=status_url)
    fresh_note_form = None if note_form else CaseNoteForm(action=note_url)
    context = {
        "case": case,
        "follow_up_on": case_follow_up_on(case),
        "assessment": case_assessment(case),
        "advice": advice_given(case, patient_language(case.patient.user)),
        # A lower re-assessment waiting for a doctor's decision (RULES.md 11.2, S5).
        "pending_flags_html": case_flags_html(
            case.pending_sign_off.flags, case.pending_sign_off.rules_version
        )
        if case.pending_sign_off_id
        else "",
        "sign_off_url": with_query(reverse("triage:case_sign_off", args=[case.pk]), query),
        "sign_off_decisions": SignOffForm.DECISIONS,
        # The task to contact her about new advice (S4 d), closed only with a note.
        "task_form": task_form
        or (
            ContactTaskForm(
                action=with_query(reverse("triage:case_contact_task", args=[case.pk]), query),
                task_id=case.contact_task_id,
            )
            if case.contact_task_id
            else None
        ),
        "events": timeline_events_html(events),
        "contact_entries": contact_log_entries(events),
        "flags_html": case_flags_html(case.flags, case.rules_version),
        "deadline": case_deadline(case),
        "summary": case_summary(case.submission),
        "history": history,
        "history_html": case_history_html(history),
        # Answers the questionnaire does not know are shown too: a case the engine could not
        # assess must be read in full.
        "answers_html": answers_html(case.submission, ANSWERS),
        "status_form": status_form or fresh_status_form,
        "note_form": note_form or fresh_note_form,
        # A form as first shown is a cached fragment; one with the doctor's input is rendered anew.
        "status_form_html": None
        if status_form
        else unbound_form_html(request, "case-status", fresh_status_form),
        "note_form_html": None if note_form else unbound_form_html(request, "case-note", fresh_note_form),
        "conversation": case_conversation(case, messages_shown, action=message_url, new_reply=new_reply),
        "message_form": message_form or MessageForm(),
        "conflict": conflict,
        "query": query,
        "ignored": listed.ignored,
        "assign_url": with_query(reverse("triage:case_assign", args=[case.pk]), query),
        "contact_url": with_query(reverse("triage:case_contact", args=[case.pk]), query),
        "contact_seen": case_contact_count(case),
        "contact_outcomes": ContactAttempt.button_choices(),
    }
    return render(request, "triage/cases/case_detail.html", context, status=status)


@never_cache
@doctor_required
@require_GET
def case_detail_view(request, pk):
    case = case_for_doctor(request, pk)
    return _case_page(request, case)


@never_cache
@doctor_required
@require_POST
def case_status_view(request, pk):
    case = case_for_doctor(request, pk)
    query = opened_from(request).query
    action = with_query(reverse("triage:case_status", args=[pk]), query)
    form = CaseStatusForm(request.POST, case=case, action=action)
    if not form.is_valid():
        return _case_page(request, case, status_form=form, status=400)
    data = form.cleaned_data
    try:
        case_change_status(
            case_id=case.pk,
            actor=Actor.from_request(request),
            to_status=data["to_status"],
            expected_version=data["version"],
            follow_up=form.follow_up(),
            reason=data.get("reason", ""),
        )
    except CaseConflict:
        # Show the current state; the doctor's input stays in the form, now
        # against the current version, so saving it again is a deliberate act.
        current = case_for_doctor(request, pk)
        fresh = request.POST.copy()
        fresh["version"] = str(current.version)
        form = CaseStatusForm(fresh, case=current, action=action)
        return _case_page(request, current, status_form=form, conflict=True, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _case_page(request, case, status_form=form, status=400)
    messages.success(
        request, _("Status changed to “%(status)s”.") % {"status": Case.Status(data["to_status"]).label}
    )
    return redirect(with_query(reverse("triage:case_detail", args=[pk]), query))


@never_cache
@doctor_required
@require_POST
def case_note_view(request, pk):
    case = case_for_doctor(request, pk)
    query = opened_from(request).query
    form = CaseNoteForm(request.POST, action=with_query(reverse("triage:case_note", args=[pk]), query))
    if form.is_valid():
        try:
            case_add_note(case_id=case.pk, actor=Actor.from_request(request), text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Note added."))
            return redirect(with_query(reverse("triage:case_detail", args=[pk]), query))
    return _case_page(request, case, note_form=form, status=400)


@never_cache
@doctor_required
@require_POST
def case_message_view(request, pk):
    """A doctor writes to the patient; on a refusal the page comes back with the text as typed."""
    case = case_for_doctor(request, pk)
    query = opened_from(request).query
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_post_by_doctor(
                case_id=case.pk,
                actor=Actor.from_request(request),
                text=form.cleaned_data["text"],
                key=form.cleaned_data["key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Message sent. She gets an email with a link to read it."))
            return redirect(with_query(reverse("triage:case_detail", args=[pk]), query) + "#conversation")
    return _case_page(request, case, message_form=form, status=400)


@never_cache
@doctor_required
@require_POST
def case_assign_view(request, pk):
    """Take the case ("assign to me") or release it; the change is in the timeline and the audit log."""
    case = case_for_doctor(request, pk)
    choice = request.POST.get("assignment")
    if choice not in ASSIGNMENT_CHOICES:
        messages.error(request, _("Choose to take the case or to release it."))
        return _case_page(request, case, status=400)
    take = choice == "take"
    query = opened_from(request).query
    if case_assign(case_id=case.pk, actor=Actor.from_request(request), take=take):
        messages.success(request, _("The case is assigned to you.") if take else _("The case was released."))
    return redirect(with_query(reverse("triage:case_detail", args=[pk]), query))


@never_cache
@doctor_required
@require_POST
def case_contact_view(request, pk):
    """Log one attempt to reach her (a contact log button, on the case page or the worklist row)."""
    case = case_for_doctor(request, pk)
    query = opened_from(request).query
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the outcomes offered."))
        return _case_page(request, case, status=400)
    outcome, seen = form.cleaned_data["contact"]
    logged = case_log_contact(case_id=case.pk, actor=Actor.from_request(request), outcome=outcome, seen=seen)
    if logged.attempt is not None:
        messages.success(
            request, _("Logged: %(outcome)s.") % {"outcome": ContactAttempt.Outcome(outcome).label}
        )
    else:
        messages.info(
            request,
            _(
                "The contact log had changed since this page was shown, so nothing was added: "
                "check the log and click again if this was another call."
            ),
        )
    if form.from_worklist:
        return redirect(with_query(reverse("triage:dashboard"), query) + f"#case-{case.pk}")
    return redirect(with_query(reverse("triage:case_detail", args=[pk]), query) + "#contact-log")


@never_cache
@doctor_required
@require_POST
def case_sign_off_view(request, pk):
    """A doctor signs off the lower re-assessment pending on the case, or keeps the higher level."""
    case = case_for_doctor(request, pk)
    query = opened_from(request).query
    form = SignOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to sign off the lower level or to keep the higher one."))
        return _case_page(request, case, status=400)
    decide = case_sign_off_lower if form.signs_off else case_keep_higher
    if decide(
        case_id=case.pk, actor=Actor.from_request(request), assessment_id=form.cleaned_data["assessment"]
    ):
        messages.success(
            request,
            _("Signed off: the case and the advice she is shown now follow the lower level.")
            if form.signs_off
            else _("The higher level is kept; the lower assessment was set aside. Nothing changed for her."),
        )
    else:
        messages.info(
            request,
            _(
                "This re-assessment had already been decided, or a later one replaced it, so nothing "
                "changed: check the case as it is now."
            ),
        )
    return redirect(with_query(reverse("triage:case_detail", args=[pk]), query) + "#assessment-title")


@never_cache
@doctor_required
@require_POST
def case_contact_task_view(request, pk):
    """Close the task to contact her about new advice; without a note the page comes back with the error
    next to the box and what was typed."""
    case = case_for_doctor(request, pk)
    query = opened_from(request).query
    form = ContactTaskForm(
        request.POST, action=with_query(reverse("triage:case_contact_task", args=[pk]), query)
    )
    if form.is_valid():
        try:
            closed = case_contact_task_close(
                case_id=case.pk,
                actor=Actor.from_request(request),
                task_id=form.cleaned_data["task"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if closed:
                messages.success(request, _("Task closed; your note is on the timeline."))
            else:
                messages.info(request, _("This task was already closed; nothing changed."))
            return redirect(with_query(reverse("triage:case_detail", args=[pk]), query) + "#timeline-title")
    return _case_page(request, case, task_form=form, status=400)
