"""The case page's pieces, prepared in Python: its flags, answers, timeline, history and trend,
its forms as first shown, and the printed sheet's context."""

from dataclasses import dataclass
from datetime import datetime

from crispy_forms.utils import render_crispy_form
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from clinic.fragments import Fragment

from .. import chips, rules
from ..chips import escape, flag_items, level_badge_context, markup
from ..models import CaseEvent, CaseLevel
from ..models import cases as case_models
from ..questionnaire import readable_answers
from . import forms, summary, trend
from .selectors import case_assessment, case_events, case_follow_up_on, case_history, is_overdue_case
from .summary import AMOUNT_LABELS, case_summary, sorted_answers
from .trend import Chart, Series, trend_chart

# The trend chart's measures, top to bottom (`trend` draws them).
TREND_LEVELS = (
    CaseLevel.ROUTINE,
    CaseLevel.FOLLOW_UP,
    CaseLevel.PRIORITY,
    CaseLevel.URGENT,
    CaseLevel.EMERGENCY,
)


@dataclass(frozen=True)
class TrendRow:
    """One questionnaire in the chart's data table, oldest first."""

    when: datetime
    is_current: bool
    episodes: int
    amount: str
    pain: int
    level: int


@dataclass(frozen=True)
class TrendView:
    chart: Chart
    rows: list[TrendRow]
    latest: TrendRow


def case_trend(history) -> TrendView | None:
    """The trend chart and its data table from the patient's history (`selectors.case_history`).

    Levels are drawn from routine to emergency; a questionnaire the rules
    could not assess has no level and leaves a gap in that panel.
    """
    entries = sorted(history.entries, key=lambda item: item.submitted_at)
    if not entries:
        return None
    series = (
        Series("episodes", gettext("Bleeding episodes (3 months)")),
        Series(
            "amount",
            gettext("Bleeding amount"),
            top=len(rules.BLEEDING_AMOUNTS) - 1,
            bottom_label=str(AMOUNT_LABELS["none"]),
            top_label=gettext("heavy"),
        ),
        Series("pain", gettext("Worst pain (0-10)"), top=10, top_label="10"),
        Series(
            "level",
            gettext("Level"),
            top=len(TREND_LEVELS) - 1,
            bottom_label=str(CaseLevel.ROUTINE.label),
            top_label=str(CaseLevel.EMERGENCY.label),
        ),
    )
    points = [
        {
            "when": item.submitted_at,
            "is_current": item.is_current,
            "episodes": item.bleeding_episodes_3m,
            "amount": item.amount_rank,
            "amount_text": AMOUNT_LABELS.get(item.bleeding_amount, item.bleeding_amount),
            "pain": item.pain,
            "level": TREND_LEVELS.index(item.level) if item.level in TREND_LEVELS else None,
            "level_text": level_badge_context(item.level)["label"],
        }
        for item in entries
    ]
    rows = [
        TrendRow(
            when=item.submitted_at,
            is_current=item.is_current,
            episodes=item.bleeding_episodes_3m,
            amount=str(AMOUNT_LABELS.get(item.bleeding_amount, item.bleeding_amount)),
            pain=item.pain,
            level=item.level,
        )
        for item in entries
    ]
    return TrendView(chart=trend_chart(points, series), rows=rows, latest=rows[-1])


# Each fragment of the case page: its template and the values its key is made of.
CASE_FLAGS = Fragment(
    "triage/cases/_case_flags.html", key=lambda codes, version: (codes, version), code=[chips]
)


def answers_fragment(template_name: str, code=()) -> Fragment:
    """A sent questionnaire's answers printed by `template_name`, keyed by the submission, its
    questionnaire version and the answers themselves (`answers_html`)."""
    return Fragment(template_name, key=lambda pk, version, answers: (pk, version, answers), code=code)


# The doctor's lists mark the positive answers and fold the negative ones as `summary` sorts them,
# so a release that sorts them otherwise is new markup; her own copy lists them as she gave them.
ANSWERS = answers_fragment("triage/cases/_answers.html", code=[summary])
SHEET_ANSWERS = answers_fragment("triage/cases/_sheet_answers.html", code=[summary])
PRINT_ANSWERS = answers_fragment("triage/cases/_print_answers.html")
TIMELINE_EVENT = Fragment(
    "triage/cases/_timeline_event.html",
    key=lambda event: (
        event.pk,
        event.kind,
        event.created_at,
        event.from_status,
        event.to_status,
        event.follow_up_on,
        event.text,
        event.detail,
        event.actor.display_name if event.actor else None,
    ),
    # The event's summaries ("Visit moved: ...") are written by the model.
    code=[case_models],
)
CASE_HISTORY = Fragment(
    "triage/cases/_case_history.html",
    key=lambda history: (tuple(history.entries), history.recent_bleeding_reports, history.truncated),
    code=[trend, chips],
)
# A form as first shown: the form's own `fragment_parts()` (its case, version, choices, where it
# posts), drawn by crispy's templates from the layout in `forms`.
STATUS_FORM = Fragment(
    "bootstrap5/whole_uni_form.html",
    kind="case-status-form",
    key=lambda form: form.fragment_parts(),
    code=[forms],
)
NOTE_FORM = Fragment(
    "bootstrap5/whole_uni_form.html",
    kind="case-note-form",
    key=lambda form: form.fragment_parts(),
    code=[forms],
)
UNBOUND_FORMS = {"case-status": STATUS_FORM, "case-note": NOTE_FORM}


@dataclass(frozen=True)
class Deadline:
    """By when the clinic should act on an open case nobody has acted on yet (RULES.md 11.2, S8)."""

    act_by: datetime
    # "◷ Overdue by 2 h 10 min" once it has passed; empty before.
    overdue: SafeString | str


def case_deadline(case, now: datetime | None = None) -> Deadline | None:
    """The case page's deadline beside the level; None once acted on, closed, or without one."""
    now = now or timezone.now()
    if case.act_by is None or case.acted_on_at is not None or case.status == case_models.Case.Status.CLOSED:
        return None
    overdue = (
        chips.overdue_html(case.act_by, now) if is_overdue_case(case.act_by, None, case.status, now) else ""
    )
    return Deadline(act_by=case.act_by, overdue=overdue)


def case_flags_html(codes, version: int | None) -> SafeString:
    """A case's flags with their reasons, as the case page lists them: a cached fragment.

    The key is the flags themselves and the rule set that defines their labels, reasons and levels,
    so a re-assessment that changes either is a new fragment.
    """
    codes = tuple(codes or ())
    return CASE_FLAGS.one(
        lambda: render_to_string(CASE_FLAGS.kind, {"flags": flag_items(codes, version)}), codes, version
    )


def answers_html(submission, fragment: Fragment) -> SafeString:
    """A sent questionnaire's answers by section, printed by `fragment` (`answers_fragment`): as
    she gave them (`sections`), or sorted for the doctor (`sorted`, `summary.sorted_answers`).

    Sent answers are never changed; the key still names the answers themselves with the submission
    and its questionnaire version, so even a corrected import could not show stale answers. Answers
    the questionnaire does not know (an import, an older form) are passed as `extra_answers`.
    """
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    version = submission.questionnaire_version

    def render() -> str:
        known = rules.rule_set(version).fields_by_name
        return render_to_string(
            fragment.kind,
            {
                "sections": readable_answers(answers, version),
                "sorted": sorted_answers(answers, version),
                "extra_answers": [(name, value) for name, value in answers.items() if name not in known],
            },
        )

    return fragment.one(render, submission.pk, version, answers)


def timeline_events_html(events) -> list[SafeString]:
    """The case timeline's events, each a cached fragment.

    Events are only ever added; the key names each event's own values and the display name of the
    person who acted, so a name change shows on the next request.
    """
    events = list(events)
    template = get_template(TIMELINE_EVENT.kind)
    return TIMELINE_EVENT.many(
        events, lambda missing: [template.render({"event": event}) for event in missing]
    )


# Stand-ins in a cached form for what belongs to one request: letters only, which escaping keeps.
CSRF_MARK = "csrftokenfragmentmark"
LIVE_MARK = "livevaluefragmentmark"


def contact_log_entries(events) -> list[CaseEvent]:
    """The contact log's attempts, oldest first, taken from the timeline's events already read
    (each says its outcome and channel: `CaseEvent.contact_summary`)."""
    return [event for event in events if event.kind == CaseEvent.Kind.CONTACT]


def unbound_form_html(request, kind: str, form) -> SafeString:
    """A crispy form as first shown (unbound, no errors), rendered once per `form.fragment_parts()`.

    The CSRF token and the values that must differ on each showing (`form.LIVE_INITIAL`, such as
    a booking's once-only key) are never stored: the cached rendering holds stand-ins, replaced by
    this request's values. A bound form, with the doctor's input or errors, is never cached.
    `kind` is "case-status" or "case-note" (`UNBOUND_FORMS`).
    """
    if form.is_bound:
        raise ValueError("Only an unbound form is cached.")
    live = {name: form.initial[name] for name in form.LIVE_INITIAL if name in form.fields}

    def render() -> str:
        saved = dict(form.initial)
        form.initial.update({name: f"{LIVE_MARK}{index}" for index, name in enumerate(live)})
        try:
            return render_crispy_form(form, context={"csrf_token": CSRF_MARK})
        finally:
            form.initial.clear()
            form.initial.update(saved)

    made = str(UNBOUND_FORMS[kind].one(render, form)).replace(CSRF_MARK, get_token(request))
    for index, value in enumerate(live.values()):
        made = made.replace(f"{LIVE_MARK}{index}", escape(value))
    return markup(made)


def case_history_html(history) -> SafeString:
    """The case page's trend chart and questionnaire history: a cached fragment.

    The key is the history itself (`selectors.PatientHistory`: every questionnaire's date, level,
    status and answers as shown, and how many count towards recurrence), so a new questionnaire, a
    re-assessment or a closed case elsewhere in her history is a new fragment.
    """
    return CASE_HISTORY.one(
        lambda: render_to_string(CASE_HISTORY.kind, {"history": history, "trend": case_trend(history)}),
        history,
    )


# Enough earlier questionnaires to show a trend while the summary stays on one page.
PRINT_HISTORY_ROWS = 8


def case_print_context(case) -> dict:
    """What `triage/cases/_case_sheet.html` prints of a case."""
    history = case_history(case)
    earlier = [item for item in history.entries if not item.is_current]
    return {
        "case": case,
        "follow_up_on": case_follow_up_on(case),
        "patient": case.patient,
        "age_today": case.patient.age_on(timezone.localdate()),
        "assessment": case_assessment(case),
        "summary": case_summary(case.submission),
        "answers_html": answers_html(case.submission, SHEET_ANSWERS),
        "history": earlier[:PRINT_HISTORY_ROWS],
        "history_cut": len(earlier) > PRINT_HISTORY_ROWS or history.truncated,
        "recent_bleeding_reports": history.recent_bleeding_reports,
        "events": case_events(case).filter(
            kind__in=[
                CaseEvent.Kind.NOTE,
                CaseEvent.Kind.STATUS,
                CaseEvent.Kind.SIGN_OFF,
                CaseEvent.Kind.TASK_DONE,
            ]
        ),
        "printed_at": timezone.now(),
    }
