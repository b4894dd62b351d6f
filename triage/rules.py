"""Pre-visit triage rules for discharge and bleeding after intercourse.

Implements rule set version 1 of RULES.md. The module imports nothing from
Django so the rules can be tested, benchmarked and reviewed on their own;
`triage.services` supplies the patient's age and earlier submissions.
"""

import enum
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass

RULES_VERSION = 1


def gettext_noop(message: str) -> str:
    """Mark a string for makemessages while keeping this module Django-free."""
    return message


class Level(enum.IntEnum):
    """Urgency level; the integer order lets `max()` pick the most urgent (RULES 2)."""

    ROUTINE = 0
    FOLLOW_UP = 1
    PRIORITY = 2
    EMERGENCY = 3

    @property
    def code(self) -> str:
        """The lowercase code used in RULES.md and vignette files."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> "Level":
        """Return the level for a RULES.md code such as "follow_up"."""
        try:
            return _LEVELS_BY_CODE[code]
        except (KeyError, TypeError):
            raise ValueError(
                f"Unknown level code {code!r}; expected one of: {', '.join(LEVEL_CODES)}."
            ) from None


LEVEL_CODES = tuple(level.code for level in Level)
_LEVELS_BY_CODE = {level.code: level for level in Level}
_LEVELS = tuple(Level)


# --- Questionnaire fields (RULES 3.1) ---------------------------------------

AGE_MIN = 10
AGE_MAX = 120
NOTES_MAX_LENGTH = 2000

MENOPAUSE_STATUSES = ("premenopausal", "perimenopausal", "postmenopausal", "unsure")
PREGNANCY_STATUSES = ("not_pregnant", "possible", "confirmed")
DISCHARGE_COLORS = (
    "none",
    "clear_white",
    "pink",
    "red",
    "brown",
    "yellow_green",
    "grey",
)
BLEEDING_AMOUNTS = ("none", "streaks", "spotting", "light", "moderate", "heavy")
BLEEDING_TRENDS = ("first_time", "less", "same", "more")
SCREENING_INTERVALS = ("within_3y", "3_to_5y", "over_5y", "never", "unsure")

BOOL = "bool"
INT = "int"
CHOICE = "choice"
TEXT = "text"


@dataclass(frozen=True, slots=True)
class Field:
    """One questionnaire field: enough for forms and validation to agree."""

    name: str
    kind: str
    default: bool | int | str
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None

    def error_for(self, value: object) -> str | None:
        """Return why `value` is not acceptable, or None (RULES 3.2 Validation)."""
        if self.kind == BOOL:
            if value is True or value is False:
                return None
            return "Must be true or false."
        if self.kind == INT:
            if not _is_int(value):
                return "Must be a whole number."
            if not self.min_value <= value <= self.max_value:
                return f"Must be between {self.min_value} and {self.max_value}."
            return None
        if self.kind == CHOICE:
            if isinstance(value, str) and value in self.choices:
                return None
            return f"Must be one of: {', '.join(self.choices)}."
        if not isinstance(value, str):
            return "Must be text."
        if len(value) > self.max_length:
            return f"Must be at most {self.max_length} characters (got {len(value)})."
        return None


def _bool(name: str) -> Field:
    return Field(name, BOOL, False)


def _int(name: str, max_value: int) -> Field:
    return Field(name, INT, 0, min_value=0, max_value=max_value)


def _choice(name: str, choices: tuple[str, ...], default: str) -> Field:
    return Field(name, CHOICE, default, choices=choices)


# RULES 3.1 order; `age` comes from the profile and is an argument of assess().
FIELDS: tuple[Field, ...] = (
    _choice("menopause_status", MENOPAUSE_STATUSES, "premenopausal"),
    _choice("pregnancy_status", PREGNANCY_STATUSES, "not_pregnant"),
    _bool("discharge_after_sex"),
    _choice("discharge_color", DISCHARGE_COLORS, "none"),
    _bool("bleeding_after_sex"),
    _int("bleeding_episodes_3m", 99),
    _int("bleeding_first_noticed_weeks", 520),
    _choice("bleeding_amount", BLEEDING_AMOUNTS, "none"),
    _choice("bleeding_trend", BLEEDING_TRENDS, "first_time"),
    _bool("clots"),
    _bool("soaks_pad_hourly"),
    _int("pain_during_sex", 10),
    _int("pelvic_pain_days", 365),
    _bool("burning"),
    _bool("itching"),
    _bool("bad_odor"),
    _bool("persistent_discomfort"),
    _bool("fever"),
    _bool("dizziness_fainting"),
    _bool("intermenstrual_bleeding"),
    _bool("vaginal_dryness"),
    _choice("last_cervical_screening", SCREENING_INTERVALS, "within_3y"),
    _bool("abnormal_screening_history"),
    _bool("anticoagulants"),
    _bool("new_partner_3m"),
    Field("notes", TEXT, "", max_length=NOTES_MAX_LENGTH),
)
FIELDS_BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}

# RULES 3.2 Branching: shown only when the matching yes/no answer is yes.
BLEEDING_DETAIL_FIELDS = (
    "bleeding_episodes_3m",
    "bleeding_first_noticed_weeks",
    "bleeding_amount",
    "bleeding_trend",
    "clots",
)
DISCHARGE_DETAIL_FIELDS = ("discharge_color",)
_ALWAYS_VISIBLE = frozenset(FIELDS_BY_NAME) - set(BLEEDING_DETAIL_FIELDS) - set(DISCHARGE_DETAIL_FIELDS)


def visible_fields(raw_answers: Mapping[str, object]) -> set[str]:
    """Names of the questions the live form shows for these answers (RULES 3.2)."""
    visible = set(_ALWAYS_VISIBLE)
    if raw_answers.get("bleeding_after_sex") is True:
        visible.update(BLEEDING_DETAIL_FIELDS)
    if raw_answers.get("discharge_after_sex") is True:
        visible.update(DISCHARGE_DETAIL_FIELDS)
    return visible


@dataclass(frozen=True, slots=True)
class Answers:
    """One submission's answers, with the RULES 3.2 defaults.

    Built unchecked for speed; use `answers_from_mapping()` for any input
    that did not come from this module.
    """

    menopause_status: str = "premenopausal"
    pregnancy_status: str = "not_pregnant"
    discharge_after_sex: bool = False
    discharge_color: str = "none"
    bleeding_after_sex: bool = False
    bleeding_episodes_3m: int = 0
    bleeding_first_noticed_weeks: int = 0
    bleeding_amount: str = "none"
    bleeding_trend: str = "first_time"
    clots: bool = False
    soaks_pad_hourly: bool = False
    pain_during_sex: int = 0
    pelvic_pain_days: int = 0
    burning: bool = False
    itching: bool = False
    bad_odor: bool = False
    persistent_discomfort: bool = False
    fever: bool = False
    dizziness_fainting: bool = False
    intermenstrual_bleeding: bool = False
    vaginal_dryness: bool = False
    last_cervical_screening: str = "within_3y"
    abnormal_screening_history: bool = False
    anticoagulants: bool = False
    new_partner_3m: bool = False
    notes: str = ""


class InvalidAnswers(ValueError):
    """Rejected input (RULES 3.2 Validation); `errors` maps field names to messages."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors: dict[str, str] = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


def _is_int(value: object) -> bool:
    # bool is an int subclass, but true/false is never a count (RULES 3.2).
    return isinstance(value, int) and not isinstance(value, bool)


def answers_from_mapping(mapping: Mapping[str, object]) -> Answers:
    """Validate raw answers strictly and fill in the defaults (RULES 3.2).

    Values are never coerced: the form already produced typed values, and
    the engine must not guess.
    """
    if not isinstance(mapping, Mapping):
        raise InvalidAnswers({"__all__": "Answers must be a mapping of field names to values."})
    errors: dict[str, str] = {}
    for name in mapping:
        if name not in FIELDS_BY_NAME:
            if name == "age":
                errors[name] = "Unknown field: age comes from the profile and is passed separately."
            else:
                errors[str(name)] = "Unknown field."
    values = {}
    for field in FIELDS:
        if field.name in mapping:
            value = mapping[field.name]
            message = field.error_for(value)
            if message is None:
                values[field.name] = value
            else:
                errors[field.name] = message
    if errors:
        raise InvalidAnswers(errors)
    return Answers(**values)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """An earlier submission of the same patient (RULES 6)."""

    days_ago: int
    answers: Answers


# --- Derived terms (RULES 2), always from the current submission --------------


def pregnant_or_possible(a: Answers) -> bool:
    return a.pregnancy_status == "possible" or a.pregnancy_status == "confirmed"


def any_bleeding(a: Answers) -> bool:
    return a.bleeding_after_sex or a.intermenstrual_bleeding


def treated_as_postmenopausal(a: Answers, age: int) -> bool:
    return a.menopause_status == "postmenopausal" or (a.menopause_status == "unsure" and age >= 55)


def infection_signs(a: Answers) -> bool:
    return a.burning or a.bad_odor or a.discharge_color == "yellow_green" or a.discharge_color == "grey"


def earlier_bleeding_reports(history: Sequence[HistoryEntry]) -> int:
    """Count earlier bleeding-after-sex reports inside the 1..90 day window (RULES 6).

    Same-day entries are usually corrected re-submissions of the same
    episode, so they do not count.
    """
    count = 0
    for index, entry in enumerate(history):
        days_ago = entry.days_ago
        if not _is_int(days_ago) or days_ago < 0:
            raise InvalidAnswers({f"history[{index}].days_ago": "Must be a whole number of days, 0 or more."})
        if 1 <= days_ago <= 90 and entry.answers.bleeding_after_sex:
            count += 1
    return count


# --- Flags (RULES 4) -----------------------------------------------------------

BASE = "base"
ESCALATION = "escalation"
INFO = "info"

# condition(answers, age, earlier_bleeding_reports, step1_flag_codes) -> bool
Condition = Callable[[Answers, int, int, Set[str]], bool]


@dataclass(frozen=True, slots=True)
class FlagRule:
    """One row of the RULES 4 table; `condition` decides whether it is raised."""

    number: int
    code: str
    kind: str
    level: Level | None
    weight: int
    reason: str
    label: str
    condition: Condition


FLAG_RULES: tuple[FlagRule, ...] = (
    # RULES 4 #1: needs no bleeding answer at all (RULES 4 notes).
    FlagRule(
        1,
        "HEAVY_ACUTE",
        BASE,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Soaking at least one pad or tampon an hour, or feeling faint/fainting, within the last 24 h: possible major blood loss or circulatory compromise (in a possible pregnancy think of a ruptured ectopic)."
        ),
        gettext_noop("Heavy / faint"),
        lambda a, age, earlier, flags: a.soaks_pad_hourly or a.dizziness_fainting,
    ),
    # RULES 4 #2
    FlagRule(
        2,
        "ESC_PREGNANCY_RED_FLAG",
        ESCALATION,
        Level.EMERGENCY,
        10,
        gettext_noop(
            "Bleeding in a possible or confirmed pregnancy together with pelvic pain, severe pain on intercourse or faintness: ectopic pregnancy or miscarriage must be excluded the same day."
        ),
        gettext_noop("Pregnancy red flag"),
        lambda a, age, earlier, flags: (
            "PREGNANCY_BLEEDING" in flags
            and (a.pelvic_pain_days >= 1 or a.pain_during_sex >= 7 or a.dizziness_fainting)
        ),
    ),
    # RULES 4 #3: any bleeding, not only after sex (RULES 4 notes).
    FlagRule(
        3,
        "PREGNANCY_BLEEDING",
        BASE,
        Level.PRIORITY,
        6,
        gettext_noop(
            "Vaginal bleeding with a possible or confirmed pregnancy: needs a pregnancy test and early-pregnancy assessment."
        ),
        gettext_noop("Pregnancy bleeding"),
        lambda a, age, earlier, flags: pregnant_or_possible(a) and any_bleeding(a),
    ),
    # RULES 4 #4: never for perimenopausal; unsure only from 55 (RULES 2).
    FlagRule(
        4,
        "POSTMENOPAUSAL_BLEEDING",
        BASE,
        Level.PRIORITY,
        6,
        gettext_noop(
            "Bleeding after the menopause (after sex or spontaneous), or at age 55+ with uncertain menopausal status: manage as postmenopausal bleeding, which meets suspected-cancer referral criteria."
        ),
        gettext_noop("Postmenopausal bleeding"),
        lambda a, age, earlier, flags: treated_as_postmenopausal(a, age) and any_bleeding(a),
    ),
    # RULES 4 #5: an ectopic pregnancy can hurt without visible bleeding.
    FlagRule(
        5,
        "PREGNANCY_PAIN",
        BASE,
        Level.PRIORITY,
        5,
        gettext_noop(
            "Ongoing pelvic or lower-abdominal pain with a possible or confirmed pregnancy: an ectopic pregnancy can cause pain without visible bleeding."
        ),
        gettext_noop("Pregnancy pain"),
        lambda a, age, earlier, flags: pregnant_or_possible(a) and a.pelvic_pain_days >= 1,
    ),
    # RULES 4 #6
    FlagRule(
        6,
        "FEVER_PELVIC_PAIN",
        BASE,
        Level.PRIORITY,
        5,
        gettext_noop(
            "Fever of 38 °C or more with pelvic pain or at least moderate pain on intercourse: consider pelvic inflammatory disease or another pelvic infection."
        ),
        gettext_noop("Fever, pelvic pain"),
        lambda a, age, earlier, flags: a.fever and (a.pelvic_pain_days >= 1 or a.pain_during_sex >= 4),
    ),
    # RULES 4 #7
    FlagRule(
        7,
        "ESC_MULTIPLE_FEATURES",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop("Post-coital bleeding combines two or more of: recurring, heavier/increasing, painful."),
        gettext_noop("Multiple features"),
        lambda a, age, earlier, flags: (
            ("RECURRENT" in flags) + ("ABUNDANT" in flags) + ("PAINFUL" in flags) >= 2
        ),
    ),
    # RULES 4 #8
    FlagRule(
        8,
        "ESC_RECURRENT_SCREENING",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Recurring post-coital bleeding in a woman whose cervical screening is overdue/unknown or previously abnormal: prioritise examination of the cervix."
        ),
        gettext_noop("Recurrent, screening risk"),
        lambda a, age, earlier, flags: (
            "RECURRENT" in flags and ("SCREENING_GAP" in flags or "PRIOR_ABNORMAL_SCREENING" in flags)
        ),
    ),
    # RULES 4 #9
    FlagRule(
        9,
        "ESC_PERSISTENT_AGE",
        ESCALATION,
        Level.PRIORITY,
        3,
        gettext_noop(
            "Recurring post-coital bleeding first noticed 4 or more weeks ago in a woman aged 35+: persistent bleeding in this age group warrants prompt gynaecological assessment."
        ),
        gettext_noop("Persistent, 35+"),
        lambda a, age, earlier, flags: (
            "RECURRENT" in flags and a.bleeding_first_noticed_weeks >= 4 and age >= 35
        ),
    ),
    # RULES 4 #10: the only rule that reads the history (RULES 6).
    FlagRule(
        10,
        "RECURRENT",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Post-coital bleeding is recurring (2+ episodes in 3 months, or also reported in an earlier submission within 90 days)."
        ),
        gettext_noop("Recurrent"),
        lambda a, age, earlier, flags: a.bleeding_after_sex and (a.bleeding_episodes_3m >= 2 or earlier >= 1),
    ),
    # RULES 4 #11
    FlagRule(
        11,
        "ABUNDANT",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Post-coital bleeding is more than spotting (needed a pad, soaked a pad or clots) or is getting heavier."
        ),
        gettext_noop("Abundant"),
        lambda a, age, earlier, flags: (
            a.bleeding_after_sex
            and (
                a.bleeding_amount == "moderate"
                or a.bleeding_amount == "heavy"
                or a.clots
                or a.bleeding_trend == "more"
            )
        ),
    ),
    # RULES 4 #12: does not need bleeding.
    FlagRule(
        12,
        "PAINFUL",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "At least moderate pain on intercourse (4/10 or more) or pelvic pain lasting 3 days or more."
        ),
        gettext_noop("Painful"),
        lambda a, age, earlier, flags: a.pain_during_sex >= 4 or a.pelvic_pain_days >= 3,
    ),
    # RULES 4 #13
    FlagRule(
        13,
        "INTERMENSTRUAL_BLEEDING",
        BASE,
        Level.FOLLOW_UP,
        2,
        gettext_noop(
            "Bleeding unrelated to intercourse outside the period: abnormal uterine bleeding to be evaluated (PALM-COEIN causes)."
        ),
        gettext_noop("Intermenstrual bleeding"),
        lambda a, age, earlier, flags: a.intermenstrual_bleeding,
    ),
    # RULES 4 #14: discharge_color is read whatever discharge_after_sex says (RULES 2, 3.2).
    FlagRule(
        14,
        "INFECTION_SIGNS",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop(
            "Burning, bad smell or yellow-green/grey discharge: possible vaginitis, cervicitis or sexually transmitted infection."
        ),
        gettext_noop("Infection signs"),
        lambda a, age, earlier, flags: infection_signs(a),
    ),
    # RULES 4 #15
    FlagRule(
        15,
        "PERSISTENT_DISCOMFORT",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop("The patient reports intimate discomfort that does not settle."),
        gettext_noop("Persistent discomfort"),
        lambda a, age, earlier, flags: a.persistent_discomfort,
    ),
    # RULES 4 #16: from age 25 only; 3_to_5y is a gap only at 25-29 (RULES 4 notes).
    FlagRule(
        16,
        "SCREENING_GAP",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop(
            "Post-coital bleeding while cervical screening is overdue, never done or unknown: check screening status and take the test if due."
        ),
        gettext_noop("Screening gap"),
        lambda a, age, earlier, flags: (
            a.bleeding_after_sex
            and age >= 25
            and (
                a.last_cervical_screening == "over_5y"
                or a.last_cervical_screening == "never"
                or a.last_cervical_screening == "unsure"
                or (a.last_cervical_screening == "3_to_5y" and age <= 29)
            )
        ),
    ),
    # RULES 4 #17
    FlagRule(
        17,
        "PRIOR_ABNORMAL_SCREENING",
        BASE,
        Level.FOLLOW_UP,
        1,
        gettext_noop(
            "Post-coital bleeding in a woman with a past abnormal screening result or cervical treatment."
        ),
        gettext_noop("Prior abnormal screening"),
        lambda a, age, earlier, flags: a.bleeding_after_sex and a.abnormal_screening_history,
    ),
    # RULES 4 #18: informational, never changes the level.
    FlagRule(
        18,
        "ANTICOAGULANTS",
        INFO,
        None,
        0,
        gettext_noop(
            "Takes anticoagulants: may increase the amount of bleeding; consider when judging cause and severity."
        ),
        gettext_noop("Anticoagulants"),
        lambda a, age, earlier, flags: a.anticoagulants,
    ),
    # RULES 4 #19: informational, never changes the level.
    FlagRule(
        19,
        "DRYNESS",
        INFO,
        None,
        0,
        gettext_noop(
            "Reports vaginal dryness: a possible benign contributor (friction, low oestrogen); lubricant or local treatment advice may help. It never explains away other flags."
        ),
        gettext_noop("Dryness"),
        lambda a, age, earlier, flags: a.vaginal_dryness,
    ),
    # RULES 4 #20: informational, never changes the level.
    FlagRule(
        20,
        "STI_RISK",
        INFO,
        None,
        0,
        gettext_noop(
            "New sexual partner within 3 months together with post-coital bleeding or infection signs: offer chlamydia, gonorrhoea and wider STI testing."
        ),
        gettext_noop("STI risk"),
        lambda a, age, earlier, flags: a.new_partner_3m and (a.bleeding_after_sex or infection_signs(a)),
    ),
)
FLAG_CODES: tuple[str, ...] = tuple(rule.code for rule in FLAG_RULES)
FLAG_RULES_BY_CODE: dict[str, FlagRule] = {rule.code: rule for rule in FLAG_RULES}

_STEP1_RULES = tuple(rule for rule in FLAG_RULES if rule.kind != ESCALATION)
_ESCALATION_RULES = tuple(rule for rule in FLAG_RULES if rule.kind == ESCALATION)
_NO_FLAGS: frozenset[str] = frozenset()


# --- Patient advice (RULES 8) ----------------------------------------------------

ADVICE: dict[Level, dict[str, str]] = {
    Level.EMERGENCY: {
        "it": (
            "Alcune sue risposte sono segnali di allarme che vanno valutati subito. "
            "Vada ora al pronto soccorso più vicino (se è o potrebbe essere incinta, "
            "meglio un pronto soccorso ostetrico-ginecologico) oppure chiami il 112. "
            "Non aspetti l'appuntamento in studio. Se si sente debole o sul punto di "
            "svenire, non guidi: si faccia accompagnare o chiami il 112."
        ),
        "en": (
            "Some of your answers are warning signs that need to be checked straight "
            "away. Go to the nearest emergency department now (if you are or might be "
            "pregnant, an obstetric-gynaecological emergency service is best) or call "
            "112. Do not wait for your clinic appointment. If you feel weak or faint, "
            "do not drive: ask someone to take you, or call 112."
        ),
    },
    Level.PRIORITY: {
        "it": (
            "Dalle sue risposte è consigliabile una visita ginecologica a breve. "
            "Telefoni allo studio oggi stesso o il primo giorno lavorativo utile, così "
            "da fissare rapidamente la visita; il medico esaminerà le sue risposte. Se "
            "nel frattempo il sanguinamento diventa abbondante (un assorbente inzuppato "
            "in un'ora), compare un dolore forte o febbre con dolore al basso ventre, "
            "oppure si sente svenire, vada al pronto soccorso o chiami il 112."
        ),
        "en": (
            "Your answers suggest you should see the gynaecologist soon. Please phone "
            "the clinic today or on the next working day so that a visit can be "
            "arranged quickly; the doctor will review your answers. If in the meantime "
            "the bleeding becomes heavy (a pad soaked within an hour), you get severe "
            "pain or a fever with lower-belly pain, or you feel faint, go to the "
            "emergency department or call 112."
        ),
    },
    Level.FOLLOW_UP: {
        "it": (
            "Dalle sue risposte emerge qualcosa che è bene controllare con una visita "
            "ginecologica, per esempio un sanguinamento dopo i rapporti che si ripete o "
            "aumenta, oppure accompagnato da dolore, bruciore, cattivo odore o un "
            "fastidio che non passa. Spesso la causa è lieve e curabile (come "
            "un'infezione o una piccola alterazione del collo dell'utero), ma va "
            "verificata: prenoti una visita nelle prossime settimane. Se il "
            "sanguinamento diventa abbondante, o compaiono dolore forte, febbre o "
            "sensazione di svenimento, vada al pronto soccorso o chiami il 112."
        ),
        "en": (
            "Your answers show something worth checking at a gynaecological visit, for "
            "example bleeding after sex that keeps coming back or is getting heavier, or "
            "that comes with pain, burning, an unusual smell or discomfort that does not "
            "go away. The cause is often minor and treatable (such as an infection or a "
            "small change on the cervix), but it should be looked at: please book a "
            "visit in the coming weeks. If the bleeding becomes heavy, or you get severe "
            "pain, a fever or feel faint, go to the emergency department or call 112."
        ),
    },
    Level.ROUTINE: {
        "it": (
            "Da quanto descrive non emergono segnali che richiedano un'attenzione "
            "particolare. Le perdite dopo un rapporto fanno parte del normale "
            "funzionamento del corpo, e una traccia occasionale rosata o striata di "
            "sangue può derivare da una piccola irritazione innocua dei tessuti, che "
            "sono delicati e ricchi di vasi (per esempio intorno all'ovulazione, prima "
            "del ciclo o se c'è un po' di secchezza). Conta soprattutto quanto spesso "
            "succede, quanto è abbondante e che cosa lo accompagna. Compili di nuovo il "
            "modulo o contatti lo studio se l'episodio si ripete, diventa più abbondante "
            "oppure si accompagna a dolore, bruciore, cattivo odore o un fastidio che "
            "non passa. Continui a fare regolarmente lo screening del collo dell'utero."
        ),
        "en": (
            "From what you describe, nothing needs special attention at the moment. "
            "Some fluid coming out after intercourse is part of how the body normally "
            "works, and an occasional light pink or blood-streaked trace can come from a "
            "tiny, harmless irritation of delicate, well-supplied tissue (for example "
            "around ovulation, before a period, or with some dryness). What matters is "
            "how often it happens, how much there is and what comes with it. Fill in "
            "this form again or contact the clinic if it happens again, gets heavier, or "
            "comes with pain, burning, a bad smell or discomfort that does not go away. "
            "Keep up with your regular cervical screening."
        ),
    },
}
ADVICE_LANGUAGES = ("it", "en")
DEFAULT_ADVICE_LANGUAGE = "it"


# --- Assessment (RULES 5, 7) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    """What the engine hands back for one submission (RULES 7 Engine output)."""

    level: Level
    score: int
    flags: tuple[str, ...]
    rules_version: int = RULES_VERSION

    @property
    def reasons(self) -> tuple[tuple[str, str], ...]:
        """(code, clinician reason) for each raised flag, in canonical order."""
        return tuple((code, FLAG_RULES_BY_CODE[code].reason) for code in self.flags)

    @property
    def labels(self) -> tuple[tuple[str, str], ...]:
        """(code, short badge label) for each raised flag, in canonical order."""
        return tuple((code, FLAG_RULES_BY_CODE[code].label) for code in self.flags)

    def advice(self, lang: str = DEFAULT_ADVICE_LANGUAGE) -> str:
        """Patient advice for the level; Italian unless English is asked for (RULES 8).

        Regional tags such as "en-gb" count as their language so a Django
        language code can be passed as it is.
        """
        texts = ADVICE[self.level]
        if lang not in texts and isinstance(lang, str):
            lang = lang.replace("_", "-").split("-", 1)[0].lower()
        return texts.get(lang, texts[DEFAULT_ADVICE_LANGUAGE])


def assess(answers: Answers, age: int, history: Sequence[HistoryEntry] = ()) -> Result:
    """Evaluate RULES 4 in the two steps of RULES 5 and derive level and score (RULES 7).

    `answers` is trusted (build it with `answers_from_mapping()`); `age` and
    the history's `days_ago` are checked because they come from elsewhere.
    """
    if not _is_int(age) or not AGE_MIN <= age <= AGE_MAX:
        raise InvalidAnswers({"age": f"Must be a whole number between {AGE_MIN} and {AGE_MAX}."})
    earlier = earlier_bleeding_reports(history) if history else 0

    # Step 1 (RULES 5): base and info flags from answers and history only.
    step1 = set()
    for rule in _STEP1_RULES:
        if rule.condition(answers, age, earlier, _NO_FLAGS):
            step1.add(rule.code)
    # Step 2: escalations read step-1 flags only, so they never feed each other.
    raised = set(step1)
    for rule in _ESCALATION_RULES:
        if rule.condition(answers, age, earlier, step1):
            raised.add(rule.code)

    level = 0
    score = 0
    codes = []
    for rule in FLAG_RULES:
        if rule.code in raised:
            codes.append(rule.code)
            score += rule.weight
            # Informational flags have no level (RULES 7).
            if rule.level is not None and rule.level > level:
                level = rule.level
    return Result(_LEVELS[level], score, tuple(codes))
