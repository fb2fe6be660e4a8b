"""The onboarding questionnaire, declared as data, and the pure function that walks it.

:data:`QUESTIONS` lists every question in order. Each :class:`Question` says what kind of
answer it takes (one button, several buttons, a number, an amount of money, a time ...), its
prompt (an English msgid), its options, when it is asked (:class:`When` conditions on earlier
answers) and whether it may be skipped. Nothing here renders anything: :func:`screen` turns a
:class:`State` into a :class:`Screen` (what to show: prompt, options with ✓ marks, progress,
Back/Skip/Done), and the adapters (Telegram, console) draw it in the user's language.

:func:`advance` is the whole behaviour: ``advance(state, answer) -> Outcome`` with the new state,
the next screen, and an error message when the answer could not be used (the state is then
unchanged, so nothing typed before is lost). It is pure: the date and the language it needs are
part of the state (:attr:`State.today`, :attr:`State.language`), refreshed by the use case.

State is plain JSON (:meth:`State.to_json` / :meth:`State.from_json`), stored in the database
after every step.

Two modes walk the same questions (:attr:`State.mode`): :data:`FULL`, everything, for whoever
sets up a plan; and :data:`MEMBER`, the five questions of :data:`MEMBER_QUESTIONS` (role,
working days, time zone, digest, reminder) for someone who joins a team by its invite link —
the team already has its plan, KPIs and calendar.

Adding a question: append a :class:`Question` to :data:`QUESTIONS` at the right place (give it a
new, short, stable ``id``), add a ``when=`` if it depends on earlier answers, translate its
prompt and labels in ``locales/ru/LC_MESSAGES/messages.po``, and read its answer in
:mod:`kpi_core.services.onboarding` (``plan.build_profile``, ``plan.compute_plan``).
``tests/unit/test_questionnaire.py`` walks every branch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kpi_core.advice.profile import (
    ASKABLE_DATA_SOURCES,
    BusinessType,
    DataSource,
    Goal,
    Role,
    SalesChannel,
    label,
)
from kpi_core.errors import DomainError
from kpi_core.messages import N_, NP_, Message
from kpi_core.parsing.numbers import AmbiguousNumber, PercentNotAllowed, parse_amount, parse_number
from kpi_core.parsing.timezones import city_for_zone, resolve_zone_text, zones_for_country
from kpi_core.planning.calendar import Period
from kpi_core.planning.quotas import MONEY_QUANTUM as CENT
from kpi_core.planning.quotas import OffQuantum

__all__ = [
    "DONE",
    "FULL",
    "MEMBER",
    "MEMBER_QUESTIONS",
    "QUESTIONS",
    "Answer",
    "Back",
    "Choose",
    "Done",
    "Kind",
    "Located",
    "Option",
    "Outcome",
    "Question",
    "Screen",
    "ShownOption",
    "Skip",
    "State",
    "Text",
    "Toggle",
    "Validators",
    "When",
    "advance",
    "answers_on_path",
    "parse_time",
    "period_for",
    "question",
    "screen",
    "start",
    "step_numbers",
]

DONE = "done"
"""The ``step`` of a finished questionnaire."""

FULL = "full"
"""Mode of the whole questionnaire: an owner, a head or someone on their own."""
MEMBER = "member"
"""Mode of the short questionnaire of someone joining a team by an invite link: the team
already has its plan and KPIs, so only the person's role, week, time zone and times are asked
(the language comes from Telegram)."""

BUTTON = "button"
"""``pgettext`` context of generic button labels (Back, Skip, Done ...)."""


class Kind(StrEnum):
    """What kind of answer a question takes."""

    SINGLE = "single"
    """One of the options (a button press; in the console, its number)."""
    MULTI = "multi"
    """Several options toggled on and off, then Done."""
    NUMBER = "number"
    """A typed number (quick-pick buttons may offer common values)."""
    AMOUNT = "amount"
    """A typed amount of money; the options pick the currency."""
    DATES = "dates"
    """Two typed dates: the first and the last day of a period."""
    ZONE = "zone"
    """A time zone: a button, a typed city or UTC offset, or a shared location."""
    TIME = "time"
    """A time of day: a button, a typed ``HH:MM``, or Off."""


# ---------------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class When:
    """Ask a question only when an earlier answer is (or is not) one of ``values``.

    For a multiple-choice answer, "is" means "contains any of". A condition on a question that
    was not asked (or was skipped) does not hold, unless ``negate`` is set.

    Attributes:
        question: The id of the earlier question.
        values: The answer values that make the condition hold.
        negate: Hold when the answer is *not* one of ``values``.
    """

    question: str
    values: frozenset[str]
    negate: bool = False

    def holds(
        self, answers: Mapping[str, Any], unknown: frozenset[str] = frozenset()
    ) -> bool | None:
        """True or False, or ``None`` when the earlier question is in ``unknown`` (not reached)."""
        if self.question in unknown:
            return None
        value = answers.get(self.question)
        if value is None:
            hit = False
        elif isinstance(value, list):
            hit = any(str(v) in self.values for v in value)
        else:
            hit = str(value) in self.values
        return hit != self.negate


def _is(question: str, *values: str) -> When:
    return When(question, frozenset(values))


def _is_not(question: str, *values: str) -> When:
    return When(question, frozenset(values), negate=True)


def _all(*conditions: When) -> tuple[When, ...]:
    return conditions


# ---------------------------------------------------------------------------------------------
# Questions as data
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a question.

    Attributes:
        value: Stable value stored in the answers (and sent in callback data; keep it short).
        label: What the button says: a message, or plain text shown as is (times, numbers,
            currency codes).
    """

    value: str
    label: Message | str


OptionsGetter = Callable[["State"], Sequence[Option]]
ParamsGetter = Callable[["State"], Mapping[str, object]]
DefaultGetter = Callable[["State"], Any]


@dataclass(frozen=True, slots=True)
class Question:
    """One step of the questionnaire.

    Attributes:
        id: Short stable id: the key of the answer in the state and in callback data.
        kind: What kind of answer it takes.
        prompt: English msgid of the question, may have ``{placeholders}`` filled by ``params``.
        hint: English msgid shown under the prompt: what can be typed, why we ask.
        options: Fixed options, or a getter computing them from the state (zones of the
            chosen country, currencies ...).
        when: Conditions that must all hold for the question to be asked.
        skippable: Offer a Skip button; a skipped answer is stored as ``None``.
        default: The answer pre-selected (✓) when the question is shown the first time.
        params: Values for the placeholders of ``prompt`` and ``hint``.
        columns: How many buttons per row the adapters should draw.
        min_selected: For ``MULTI``: how many options must be ticked before Done.
        minimum: For ``NUMBER``/``AMOUNT``: the smallest accepted value.
        maximum: For ``NUMBER``/``AMOUNT``: the largest accepted value.
        whole: For ``NUMBER``: only whole numbers.
        likely: The usual branch: kept for readers and older callers (the step counter no
            longer estimates, see :func:`step_numbers`).
        substep: Part of the question before it (the dates after "Other dates"): it shows the
            same step number, so that taking it does not add a step.
        number_hint: For ``NUMBER``: what to send when the typed text is not a number this
            question takes (a word, a negative, below the minimum), instead of the number
            parser's general advice.
        evening: For ``TIME``: a bare hour from 1 to 11 (``7``, ``в 9``) is in the evening
            (19:00, 21:00), as anyone asked "when in the evening?" means it.
    """

    id: str
    kind: Kind
    prompt: str
    hint: str | None = None
    options: Sequence[Option] | OptionsGetter = ()
    when: tuple[When, ...] = ()
    skippable: bool = False
    default: DefaultGetter | None = None
    params: ParamsGetter | None = None
    columns: int = 1
    min_selected: int = 0
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    whole: bool = False
    likely: bool = True
    evening: bool = False
    substep: bool = False
    number_hint: str | None = None

    def options_for(self, state: State) -> tuple[Option, ...]:
        """The options to show in ``state``."""
        if callable(self.options):
            return tuple(self.options(state))
        return tuple(self.options)

    def asked(
        self, answers: Mapping[str, Any], unknown: frozenset[str] = frozenset()
    ) -> bool | None:
        """Whether the question is asked given ``answers``.

        Args:
            answers: The answers on the path taken.
            unknown: Questions not reached yet; a condition on one of them gives ``None``.

        Returns:
            True or False, or ``None`` when it depends on a question in ``unknown``.
        """
        result: bool | None = True
        for condition in self.when:
            holds = condition.holds(answers, unknown)
            if holds is False:
                return False
            if holds is None:
                result = None
        return result


def _enum_options(
    members: Sequence[Role | BusinessType | SalesChannel | Goal | DataSource],
) -> tuple[Option, ...]:
    return tuple(Option(m.value, label(m)) for m in members)


def _button(context_msgid: tuple[str, str]) -> Message:
    context, msgid = context_msgid
    return Message(msgid, context=context)


SALES_ROLES = (Role.OWNER.value, Role.HEAD_OF_SALES.value, Role.SALES_MANAGER.value)
MARKETING_ROLES = (Role.HEAD_OF_MARKETING.value, Role.MARKETER.value)
HEAD_ROLES = (Role.HEAD_OF_SALES.value, Role.HEAD_OF_MARKETING.value)
CALL_CHANNELS = (SalesChannel.PHONE.value, SalesChannel.MIXED.value, SalesChannel.FIELD.value)

SOLO = "solo"
TEAM = "team"
THIS_MONTH = "this_month"
NEXT_MONTH = "next_month"
CUSTOM = "custom"
OFF = "off"

COUNTRIES: tuple[tuple[str, tuple[str, str], str], ...] = (
    ("RU", NP_("country", "Russia"), "RUB"),
    ("KZ", NP_("country", "Kazakhstan"), "KZT"),
    ("BY", NP_("country", "Belarus"), "BYN"),
    ("UZ", NP_("country", "Uzbekistan"), "UZS"),
    ("KG", NP_("country", "Kyrgyzstan"), "KGS"),
    ("AM", NP_("country", "Armenia"), "AMD"),
    ("GE", NP_("country", "Georgia"), "GEL"),
    ("AZ", NP_("country", "Azerbaijan"), "AZN"),
    ("RS", NP_("country", "Serbia"), "RSD"),
    ("TR", NP_("country", "Turkey"), "TRY"),
    ("AE", NP_("country", "UAE"), "AED"),
    ("DE", NP_("country", "Germany"), "EUR"),
    ("GB", NP_("country", "United Kingdom"), "GBP"),
    ("US", NP_("country", "USA"), "USD"),
)
"""(ISO code, label, currency) of the countries offered as buttons; others can be typed."""

COUNTRY_CURRENCY: dict[str, str] = {
    **{code: currency for code, _, currency in COUNTRIES},
    # Countries that can be typed as a code (no button): the currency to suggest first.
    **dict.fromkeys(
        ("AT", "BE", "CY", "EE", "ES", "FI", "FR", "GR", "IE", "IT", "LT", "LV", "ME", "NL", "PT"),
        "EUR",
    ),
    "PL": "PLN", "IL": "ILS", "UA": "UAH", "MD": "MDL", "TJ": "TJS", "MN": "MNT", "TH": "THB",
    "ID": "IDR", "VN": "VND", "CN": "CNY", "IN": "INR", "CA": "CAD", "AU": "AUD", "CZ": "CZK",
    "CH": "CHF", "SE": "SEK", "NO": "NOK", "DK": "DKK", "HU": "HUF", "RO": "RON", "BG": "BGN",
    "EG": "EGP", "BR": "BRL", "MX": "MXN", "AR": "ARS",
}
COMMON_CURRENCIES = ("RUB", "USD", "EUR")

WEEKDAYS: tuple[tuple[str, str], ...] = (
    NP_("weekday", "Mon"),
    NP_("weekday", "Tue"),
    NP_("weekday", "Wed"),
    NP_("weekday", "Thu"),
    NP_("weekday", "Fri"),
    NP_("weekday", "Sat"),
    NP_("weekday", "Sun"),
)
"""Short weekday labels, Monday first (``date.weekday()`` order)."""


def _currency_options(state: State) -> list[Option]:
    codes = [_default_currency(state), *COMMON_CURRENCIES]
    return [Option(code, code) for code in dict.fromkeys(codes)]


def _default_currency(state: State) -> str:
    return COUNTRY_CURRENCY.get(str(state.answers.get("country") or ""), "USD")


def _zone_options(state: State) -> list[Option]:
    options = []
    for zone in zones_for_country(state.answers.get("country")):
        city = city_for_zone(zone)
        options.append(Option(zone, Message(city.name) if city else zone))
    return options


def _default_zone(state: State) -> str | None:
    zones = zones_for_country(state.answers.get("country"))
    return zones[0] if len(zones) == 1 else None


def _role_options(state: State) -> list[Option]:
    if state.mode == MEMBER:  # the team has its leader; who joins sells or markets
        return list(_enum_options([Role.SALES_MANAGER, Role.MARKETER]))
    return list(_enum_options(list(Role)))


def _goal_options(state: State) -> list[Option]:
    goals = list(Goal)
    if state.answers.get("role") not in (Role.OWNER.value, Role.HEAD_OF_SALES.value):
        goals.remove(Goal.TEAM_DISCIPLINE)  # only a leader can make a team disciplined
    return list(_enum_options(goals))


def _default_country(state: State) -> str | None:
    return "RU" if state.language == "ru" else None


def _period_params(state: State) -> Mapping[str, object]:
    return {"this_month": _month(state.today_date, 0), "next_month": _month(state.today_date, 1)}


def _plan_params(state: State) -> Mapping[str, object]:
    # A Period parameter: the adapters write it as a range ("1–30 April 2025").
    period = period_for(state.answers.get("period"), state)
    return {"period": period if period else ""}


def _weekday_options(state: State) -> list[Option]:
    return [Option(str(i), _button(pair)) for i, pair in enumerate(WEEKDAYS)]


QUESTIONS: tuple[Question, ...] = (
    Question(
        id="role",
        kind=Kind.SINGLE,
        prompt=N_("Let's start with you. What is your role?"),
        hint=N_("It decides which numbers you control and which ones are other people's job."),
        options=_role_options,
    ),
    Question(
        id="business",
        kind=Kind.SINGLE,
        prompt=N_("What kind of business is it?"),
        options=_enum_options(list(BusinessType)),
    ),
    Question(
        id="channel",
        kind=Kind.SINGLE,
        prompt=N_("Where do most of your sales happen?"),
        options=_enum_options(list(SalesChannel)),
        columns=2,
    ),
    Question(
        id="goals",
        kind=Kind.MULTI,
        prompt=N_("What do you want to improve in the next few months?"),
        hint=N_("Choose one or more, then press Done."),
        options=_goal_options,
        min_selected=1,
    ),
    Question(
        id="data",
        kind=Kind.MULTI,
        prompt=N_("Where can you get the numbers from?"),
        hint=N_(
            "Tick everything you have — I will only suggest KPIs you can actually measure. "
            "Web analytics means Yandex Metrica, Google Analytics and the like. "
            "None of these? Just press Done: calls and meetings can be counted by hand."
        ),
        options=_enum_options(ASKABLE_DATA_SOURCES),
    ),
    Question(
        id="team",
        kind=Kind.SINGLE,
        prompt=N_("Who works on the sales plan?"),
        options=(
            Option(SOLO, _button(NP_("team", "Just me"))),
            Option(TEAM, _button(NP_("team", "Me and a team"))),
        ),
        when=_all(_is("role", Role.OWNER.value)),
    ),
    Question(
        id="team_size",
        kind=Kind.NUMBER,
        prompt=N_("How many people share the plan?"),
        hint=N_("Count everyone who sells to this plan. Tap a number or type your own."),
        options=tuple(Option(n, n) for n in ("2", "3", "5", "10")),
        when=_all(_is("role", Role.OWNER.value, *HEAD_ROLES), _is_not("team", SOLO)),
        columns=4,
        minimum=Decimal(1),
        maximum=Decimal(1000),
        whole=True,
        number_hint=N_("Send how many people share the plan: a whole number, at least 1, like 10."),
    ),
    Question(
        id="calls",
        kind=Kind.NUMBER,
        prompt=N_("About how many calls does one salesperson make on a working day now?"),
        hint=N_("I will use it as the starting point for the calls KPI. Not sure? Skip it."),
        options=tuple(Option(n, n) for n in ("20", "40", "60", "80")),
        when=_all(_is("role", *SALES_ROLES), _is("channel", *CALL_CHANNELS)),
        skippable=True,
        columns=4,
        minimum=Decimal(0),
        maximum=Decimal(1000),
        whole=True,
        number_hint=N_("Send how many calls a day: a whole number, 0 or more, like 40."),
    ),
    Question(
        id="country",
        kind=Kind.SINGLE,
        prompt=N_("Which country do you work in?"),
        hint=N_(
            "I use its calendar of public holidays to count working days. Not in the list? "
            "Type its name or two-letter code, like Poland or PL."
        ),
        options=tuple(Option(code, _button(pair)) for code, pair, _ in COUNTRIES),
        default=_default_country,
        columns=2,
    ),
    Question(
        id="period",
        kind=Kind.SINGLE,
        prompt=N_("Which period is the plan for?"),
        hint=N_("This month is {this_month}, next month is {next_month}."),
        params=_period_params,
        options=(
            Option(THIS_MONTH, _button(NP_("period", "This month"))),
            Option(NEXT_MONTH, _button(NP_("period", "Next month"))),
            Option(CUSTOM, _button(NP_("period", "Other dates"))),
        ),
        columns=2,
    ),
    Question(
        id="period_dates",
        kind=Kind.DATES,
        prompt=N_("Send the first and the last day of the period."),
        hint=N_("For example: {first} – {last}"),
        params=lambda state: _dates_example(state.today_date),
        when=_all(_is("period", CUSTOM)),
        likely=False,
        substep=True,
    ),
    Question(
        id="plan",
        kind=Kind.AMOUNT,
        prompt=N_("What is the sales plan for {period}?"),
        hint=N_(
            "The whole team's plan, if you share it. "
            "Type the amount, like 10,000,000 or 10 million; "
            "the buttons change the currency."
        ),
        params=_plan_params,
        options=_currency_options,
        default=_default_currency,
        when=_all(_is("role", *SALES_ROLES)),
        columns=4,
        minimum=Decimal("0.01"),
        maximum=Decimal(10) ** 15,
    ),
    Question(
        id="actual",
        kind=Kind.AMOUNT,
        prompt=N_("How much did you sell in the previous period of the same length?"),
        hint=N_(
            "I will check that the plan is realistic. Don't know? Press Skip."
        ),
        when=_all(_is("role", *SALES_ROLES)),
        skippable=True,
        minimum=Decimal(0),
        maximum=Decimal(10) ** 15,
    ),
    Question(
        id="plan_leads",
        kind=Kind.NUMBER,
        prompt=N_("How many leads should marketing bring in {period}?"),
        hint=N_("Type a number, like 300."),
        params=_plan_params,
        when=_all(_is("role", *MARKETING_ROLES)),
        minimum=Decimal(1),
        maximum=Decimal(10) ** 9,
        whole=True,
        likely=False,
    ),
    Question(
        id="actual_leads",
        kind=Kind.NUMBER,
        prompt=N_("And how many leads came in the previous period of the same length?"),
        hint=N_("I will check that the plan is realistic. Don't know? Press Skip."),
        when=_all(_is("role", *MARKETING_ROLES)),
        skippable=True,
        minimum=Decimal(0),
        maximum=Decimal(10) ** 9,
        whole=True,
        likely=False,
    ),
    Question(
        id="weekdays",
        kind=Kind.MULTI,
        prompt=N_("Which days of the week do you work?"),
        hint=N_(
            "Public holidays are taken into account automatically. Tap a day to switch it on or "
            "off, then press Done."
        ),
        options=_weekday_options,
        default=lambda state: ["0", "1", "2", "3", "4"],
        columns=7,
        min_selected=1,
    ),
    Question(
        id="timezone",
        kind=Kind.ZONE,
        prompt=N_("What is your time zone?"),
        hint=N_(
            "Tap your city, type another one (Kazan, Berlin) or an offset like UTC+3 — "
            "or share your location and I will work it out."
        ),
        options=_zone_options,
        default=_default_zone,
        columns=2,
    ),
    Question(
        id="digest",
        kind=Kind.TIME,
        prompt=N_("When should I send you the morning digest with today's quota?"),
        hint=N_("Tap a time or type your own, like 08:30."),
        options=(
            Option("08:00", "08:00"),
            Option("09:00", "09:00"),
            Option("10:00", "10:00"),
            Option(OFF, _button(NP_("reminder", "No digest"))),
        ),
        default=lambda state: "09:00",
        columns=3,
    ),
    Question(
        id="reminder",
        kind=Kind.TIME,
        prompt=N_("And when should I remind you in the evening to log the day's results?"),
        hint=N_("Tap a time or type your own, like 18:30."),
        options=(
            Option("17:00", "17:00"),
            Option("18:00", "18:00"),
            Option("19:00", "19:00"),
            Option(OFF, _button(NP_("reminder", "No reminder"))),
        ),
        default=lambda state: "18:00",
        columns=3,
        evening=True,
    ),
)
"""Every question, in the order asked."""

MEMBER_QUESTIONS: tuple[Question, ...] = tuple(
    q for q in QUESTIONS if q.id in ("role", "weekdays", "timezone", "digest", "reminder")
)
"""The questions of the :data:`MEMBER` mode, in the order asked (the same questions)."""

_BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}
_SEQUENCES: dict[str, tuple[Question, ...]] = {FULL: QUESTIONS, MEMBER: MEMBER_QUESTIONS}
_INDEXES: dict[str, dict[str, int]] = {
    mode: {q.id: i for i, q in enumerate(sequence)} for mode, sequence in _SEQUENCES.items()
}


def _sequence(mode: str) -> tuple[Question, ...]:
    return _SEQUENCES.get(mode, QUESTIONS)


def _index(mode: str) -> dict[str, int]:
    return _INDEXES.get(mode, _INDEXES[FULL])


def question(question_id: str) -> Question:
    """Return the question with ``question_id`` (``KeyError`` if there is none)."""
    return _BY_ID[question_id]


# ---------------------------------------------------------------------------------------------
# State, answers, screens
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class State:
    """Where a person is in the questionnaire. Serialises to JSON.

    Attributes:
        step: The id of the current question, or :data:`DONE`.
        answers: Answers by question id (JSON values). Answers on a branch left with Back are
            kept (they pre-select the buttons if the person comes back) but only those on
            :attr:`history` count (see :func:`answers_on_path`).
        history: The questions answered on the way to ``step``, in order (Back pops it).
        draft: The answer being built on the current step (ticks of a multiple choice, the
            currency of an amount); ``None`` until the person touches the step.
        today: The person's local date (ISO), for "this month" and "next month".
        language: The person's language, for reading typed numbers.
        mode: :data:`FULL` or :data:`MEMBER`: which questions are asked.
    """

    step: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    draft: Any = None
    today: str = "2000-01-01"
    language: str = "en"
    mode: str = FULL

    @property
    def today_date(self) -> date:
        """:attr:`today` as a date."""
        return date.fromisoformat(self.today)

    @property
    def finished(self) -> bool:
        """True once every question is answered."""
        return self.step == DONE

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "step": self.step,
            "answers": dict(self.answers),
            "history": list(self.history),
            "draft": self.draft,
            "today": self.today,
            "language": self.language,
            "mode": self.mode,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> State:
        """Rebuild a state from :meth:`to_json` output; unknown steps restart the walk."""
        mode = str(data.get("mode", FULL))
        if mode not in _SEQUENCES:
            mode = FULL
        first = _sequence(mode)[0].id
        step = str(data.get("step", first))
        if step != DONE and step not in _index(mode):
            step = first
        history = tuple(str(h) for h in data.get("history", ()) if str(h) in _index(mode))
        return cls(
            step=step,
            answers=dict(data.get("answers", {})),
            history=history,
            draft=data.get("draft"),
            today=str(data.get("today", "2000-01-01")),
            language=str(data.get("language", "en")),
            mode=mode,
        )

    def refreshed(self, today: date, language: str) -> State:
        """The same state with the person's current date and language."""
        return replace(self, today=today.isoformat(), language=language)


@dataclass(frozen=True, slots=True)
class ShownOption:
    """An option as it appears now: its value, its label and whether it is ticked."""

    value: str
    label: Message | str
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Screen:
    """What to show for the current step; the adapters draw it.

    Attributes:
        question: The question being asked.
        prompt: The question text.
        hint: A line under it (what may be typed, why it is asked), if any.
        options: The buttons, with ✓ marks where selected.
        position: 1-based number of this step (see :func:`step_numbers`).
        total: Number of steps; the same on every step and every branch.
        can_back: Offer Back.
        can_skip: Offer Skip.
        can_done: Offer Done (multiple choice).
        accepts_text: Typed text is a valid answer here.
        wants_location: Offer "share my location" (time zone).
        columns: Buttons per row.
    """

    question: Question
    prompt: Message
    hint: Message | None
    options: tuple[ShownOption, ...]
    position: int
    total: int
    can_back: bool
    can_skip: bool
    can_done: bool
    accepts_text: bool
    wants_location: bool
    columns: int

    @property
    def progress(self) -> Message:
        """"Step 3 of 9"."""
        return Message(
            N_("Step {position} of {total}"),
            {"position": self.position, "total": self.total},
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of :func:`advance`.

    Attributes:
        state: The new state (the old one when ``error`` is set).
        screen: What to show next; ``None`` once the questionnaire is finished.
        error: Why the answer could not be used (show it, then the same step again).
        moved: True when the step changed (the adapters then issue a new menu token);
            False for an error or a change within the step (a tick, a currency).
    """

    state: State
    screen: Screen | None
    error: Message | None = None
    moved: bool = False

    @property
    def finished(self) -> bool:
        """True when the last question has been answered."""
        return self.state.finished


# -- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choose:
    """A button of a single choice pressed (or a quick value of a number/time/zone/currency)."""

    value: str


@dataclass(frozen=True, slots=True)
class Toggle:
    """An option of a multiple choice ticked or unticked."""

    value: str


@dataclass(frozen=True, slots=True)
class Done:
    """Done pressed on a multiple choice."""


@dataclass(frozen=True, slots=True)
class Text:
    """Something typed."""

    text: str


@dataclass(frozen=True, slots=True)
class Back:
    """Back to the previous question."""


@dataclass(frozen=True, slots=True)
class Skip:
    """Skip an optional question."""


@dataclass(frozen=True, slots=True)
class Located:
    """A time zone worked out from a shared location (by the adapter)."""

    zone: str


Answer = Choose | Toggle | Done | Text | Back | Skip | Located


@dataclass(frozen=True, slots=True)
class Validators:
    """Checks that need data the domain does not have; the adapters pass real ones.

    Attributes:
        zone_name: The exact IANA spelling of a zone name, or ``None`` when there is no such
            zone (``zoneinfo`` in ``bot/``).
        country_supported: True when a production calendar exists for an ISO country code.
        country_code: The ISO code of a typed country: a code (``pl``) or a name in any
            language the adapter knows (``Польша``, ``Poland``); ``None`` when it is neither.
        city_zone: The IANA zone of a typed city that the adapter's gazetteer knows
            (``Boston`` → ``America/New_York``), tried after the built-in cities; ``None``
            when it knows no such city.
        zone_suggestions: For a time-zone answer that meant nothing: labels of cities with
            close names, in the person's language (``text``, ``language`` → ``("Boston
            (United States)", ...)``); empty when nothing is close.
    """

    zone_name: Callable[[str], str | None] = lambda zone: zone if "/" in zone else None
    country_supported: Callable[[str], bool] = lambda code: code in COUNTRY_CURRENCY
    country_code: Callable[[str], str | None] = lambda text: _two_letter_code(text)
    city_zone: Callable[[str], str | None] = lambda text: None
    zone_suggestions: Callable[[str, str], Sequence[str]] = lambda text, language: ()


def _two_letter_code(text: str) -> str | None:
    code = text.strip().upper()
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


# -- errors -----------------------------------------------------------------------------------

_CHOOSE_BUTTON = N_("Please choose one of the buttons above, or send /cancel.")
_CHOOSE_MANY = N_("Tick the options with the buttons above and press Done, or send /cancel.")
_CHOOSE_AT_LEAST = N_("Choose at least one option, then press Done.")
_NO_SKIP = N_("This one can't be skipped — it matters for the plan.")
_NO_BACK = N_("This is the first question, there is nothing before it.")
_TYPE_NUMBER = N_("Type a number, or tap one of the buttons above.")
_TOO_SMALL = N_("That is too little: send at least {minimum}.")
_TOO_BIG = N_("That is too much: send at most {maximum}.")
_NOT_WHOLE = N_("Send a whole number, like {example}.")
_BAD_TIME = N_("Send the time as HH:MM, like 08:30, or tap a button.")
_NO_SUCH_TIME = N_("There is no such time as {text}. Send a time from 00:00 to 23:59, like 08:30.")
_BAD_DATES = N_("Send two dates, like {first} – {last}.")
_NO_SUCH_DATE = N_("There is no such date as {text}. Check the day and the month.")
_PERIOD_TOO_LONG = N_("A plan period can be at most a year long.")
_UNKNOWN_ZONE = N_(
    "I don't know “{text}”. Send a city (Moscow, Berlin), an offset like UTC+3, or share your "
    "location."
)
_ZONE_DID_YOU_MEAN = N_(
    "I don't know “{text}”. Did you mean {cities}? Send the city again, an offset like UTC+3, "
    "or share your location."
)
_UNKNOWN_COUNTRY = N_(
    "I have no holiday calendar for “{text}”. Choose a country above or type a two-letter "
    "code, like PL."
)
_NOT_A_COUNTRY = N_(
    "I don't know a country called “{text}”. Choose one above or type its two-letter code, "
    "like PL."
)
_CURRENCY_FIRST = N_("The plan is in {currency}, so type this amount in {currency} too.")


class _Invalid(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message


def _invalid(msgid: str, **params: object) -> _Invalid:
    return _Invalid(Message(msgid, dict(params)))


# ---------------------------------------------------------------------------------------------
# Walking
# ---------------------------------------------------------------------------------------------


def start(
    today: date,
    language: str = "en",
    answers: Mapping[str, Any] | None = None,
    mode: str = FULL,
) -> Outcome:
    """A new questionnaire at its first question.

    Args:
        today: The person's local date.
        language: The person's language (reading typed numbers, default country).
        answers: Answers to pre-fill (e.g. from an earlier run after /restart, or the team's
            country for a member); they only pre-select buttons and offer options (a
            country's time zones), every question of the mode is still asked.
        mode: :data:`FULL` (every question) or :data:`MEMBER` (the short questionnaire).
    """
    state = State(
        step=_sequence(mode)[0].id,
        answers=dict(answers or {}),
        today=today.isoformat(),
        language=language,
        mode=mode if mode in _SEQUENCES else FULL,
    )
    return Outcome(state, screen(state), moved=True)


def answers_on_path(state: State) -> dict[str, Any]:
    """The answers that count: those of the questions on :attr:`State.history`."""
    return {qid: state.answers[qid] for qid in state.history if qid in state.answers}


def _next_step(mode: str, after: str, answers: Mapping[str, Any]) -> str:
    for q in _sequence(mode)[_index(mode)[after] + 1:]:
        if q.asked(answers):
            return q.id
    return DONE


def _paths(mode: str) -> list[tuple[Question, ...]]:
    """Every path through the questions of ``mode``: the questions asked for each
    combination of the answers that conditions look at (a value a condition names, or any
    other)."""
    sequence = _sequence(mode)
    branching: dict[str, set[str]] = {}
    for q in sequence:
        for condition in q.when:
            branching.setdefault(condition.question, {"\x00other"}).update(condition.values)
    names = [q.id for q in sequence if q.id in branching]
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**c, name: value} for c in combos for value in sorted(branching[name])]
    paths = []
    for combo in combos:
        answers: dict[str, str] = {}
        path = []
        for q in sequence:
            if q.asked(answers):
                path.append(q)
                if q.id in combo:
                    answers[q.id] = combo[q.id]
        paths.append(tuple(path))
    return paths


_STEP_NUMBERS: dict[str, tuple[dict[str, int], int]] = {}


def step_numbers(mode: str = FULL) -> tuple[Mapping[str, int], int]:
    """The step number of each question of ``mode`` and the number of steps.

    The count does not depend on the answers, so it never jumps ("Step 1 of 16", then "Step 2
    of 15"): a question's number is one more than the highest number of any question that can
    come before it on some path (a substep keeps that number), and the count is the highest
    number. On a branch that leaves questions out the number moves on by more than one, and
    the last question is always "N of N".
    """
    if mode in _STEP_NUMBERS:
        return _STEP_NUMBERS[mode]
    sequence = _sequence(mode)
    before: dict[str, set[str]] = {q.id: set() for q in sequence}
    for path in _paths(mode):
        for i, q in enumerate(path):
            before[q.id].update(p.id for p in path[:i])
    numbers: dict[str, int] = {}
    for q in sequence:
        highest = max((numbers[p] for p in before[q.id]), default=0)
        numbers[q.id] = highest if q.substep and highest else highest + 1
    result = (numbers, max(numbers.values(), default=0))
    _STEP_NUMBERS[mode] = result
    return result


def _selected(q: Question, state: State) -> set[str]:
    if q.kind is Kind.MULTI:
        value = state.draft if state.draft is not None else state.answers.get(q.id)
        if value is None and q.default is not None:
            value = q.default(state)
        return {str(v) for v in (value or [])}
    if q.kind is Kind.AMOUNT:
        return {str(_currency_of(q, state))} if q.options else set()
    value = state.answers.get(q.id)
    if value is None and q.default is not None and q.id not in state.answers:
        value = q.default(state)
    return {str(value)} if value is not None else set()


def _currency_of(q: Question, state: State) -> str:
    if state.draft is not None:
        return str(state.draft)
    stored = state.answers.get(q.id)
    if isinstance(stored, dict) and stored.get("currency"):
        return str(stored["currency"])
    return _default_currency(state)


def screen(state: State) -> Screen | None:
    """What to show for ``state``; ``None`` when the questionnaire is finished."""
    if state.finished:
        return None
    q = _BY_ID[state.step]
    params = dict(q.params(state)) if q.params else {}
    selected = _selected(q, state)
    options = tuple(
        ShownOption(o.value, o.label, o.value in selected) for o in q.options_for(state)
    )
    return Screen(
        question=q,
        prompt=Message(q.prompt, params),
        hint=Message(q.hint, params) if q.hint else None,
        options=options,
        position=step_numbers(state.mode)[0][q.id],
        total=step_numbers(state.mode)[1],
        can_back=bool(state.history),
        can_skip=q.skippable,
        can_done=q.kind is Kind.MULTI,
        accepts_text=q.kind not in (Kind.SINGLE, Kind.MULTI) or q.id == "country",
        wants_location=q.kind is Kind.ZONE,
        columns=q.columns,
    )


def advance(state: State, answer: Answer, validators: Validators | None = None) -> Outcome:
    """Apply one answer and return the new state and what to show next.

    Pure: the same state and answer always give the same outcome. An answer that cannot be
    used returns the *unchanged* state with an ``error`` message (the adapters show it and the
    same step again); nothing given before is lost.

    Args:
        state: The current state.
        answer: What the person did.
        validators: Checks the adapters provide (time zone names, supported countries).

    Returns:
        The outcome: new state, next screen, error, and whether the step moved.
    """
    checks = validators or Validators()
    if isinstance(answer, Back) and state.history:
        return _back(state)
    if state.finished:
        return Outcome(state, None)
    q = _BY_ID[state.step]
    try:
        if isinstance(answer, Back):
            raise _invalid(_NO_BACK)
        if isinstance(answer, Skip):
            if not q.skippable:
                raise _invalid(_NO_SKIP)
            return _record(state, q, None)
        if q.kind is Kind.MULTI:
            return _multi(state, q, answer)
        if q.kind is Kind.AMOUNT:
            return _amount(state, q, answer)
        value = _single_value(state, q, answer, checks)
        return _record(state, q, value)
    except _Invalid as exc:
        return Outcome(state, screen(state), error=exc.message)
    except DomainError as exc:
        return Outcome(state, screen(state), error=exc.message)


def _back(state: State) -> Outcome:
    previous = state.history[-1]
    new = replace(state, step=previous, history=state.history[:-1], draft=None)
    return Outcome(new, screen(new), moved=True)


def _record(state: State, q: Question, value: Any) -> Outcome:
    answers = dict(state.answers)
    answers[q.id] = value
    history = (*state.history, q.id)
    on_path = {qid: answers[qid] for qid in history if qid in answers}
    step = _next_step(state.mode, q.id, on_path)
    new = replace(state, answers=answers, history=history, draft=None, step=step)
    return Outcome(new, screen(new), moved=True)


def _option_values(q: Question, state: State) -> set[str]:
    return {o.value for o in q.options_for(state)}


def _multi(state: State, q: Question, answer: Answer) -> Outcome:
    current = sorted(_selected(q, state), key=_option_order(q, state))
    if isinstance(answer, Toggle):
        if answer.value not in _option_values(q, state):
            raise _invalid(_CHOOSE_MANY)
        chosen = set(current) ^ {answer.value}
        draft = sorted(chosen, key=_option_order(q, state))
        new = replace(state, draft=draft)
        return Outcome(new, screen(new))
    if isinstance(answer, Done):
        if len(current) < q.min_selected:
            raise _invalid(_CHOOSE_AT_LEAST)
        return _record(state, q, current)
    raise _invalid(_CHOOSE_MANY)


def _option_order(q: Question, state: State) -> Callable[[str], int]:
    order = {o.value: i for i, o in enumerate(q.options_for(state))}
    return lambda value: order.get(value, len(order))


def _amount(state: State, q: Question, answer: Answer) -> Outcome:
    if isinstance(answer, Choose):
        if not q.options or answer.value not in _option_values(q, state):
            raise _invalid(_TYPE_NUMBER)
        new = replace(state, draft=answer.value)
        return Outcome(new, screen(new))
    if not isinstance(answer, Text):
        raise _invalid(_TYPE_NUMBER)
    text, named = _split_currency(answer.text)
    parsed = parse_number(text, state.language)
    if parsed.percent:
        raise PercentNotAllowed()
    _check_unambiguous(text, parsed.value)
    named = named or parsed.currency
    currency = _currency_of(q, state) if q.options else None
    if named is not None and q.options:
        currency = named  # "10 000 000 ₽" names its currency
    elif named is not None and named != _plan_currency(state):
        raise _invalid(_CURRENCY_FIRST, currency=_plan_currency(state))
    value = _checked(q, parsed.value)
    if value != value.quantize(CENT):
        raise OffQuantum(value, CENT)  # "100.005": money is split to the kopeck
    if q.options:
        return _record(state, q, {"amount": str(value), "currency": currency})
    return _record(state, q, str(value))


# Thousands typed with the language's decimal mark: "1,000" is 1 in Russian and "1.000" is 1
# in English, but nobody plans 1 ruble or one call that way. In an amount or a count the
# reading is asked for instead of taken silently (the parser already asks for "1.000" in
# Russian).
_THOUSANDS_LIKE = re.compile(r"^\D*?([1-9]\d{0,2})[.,](\d{3})\D*$")


def _check_unambiguous(text: str, value: Decimal) -> None:
    match = _THOUSANDS_LIKE.match(text.strip())
    if match is None:
        return
    as_decimal = Decimal(f"{match[1]}.{match[2]}")
    if abs(value) == as_decimal:  # the decimal reading was taken
        body = text.strip()[match.start(1):match.end(2)]
        raise AmbiguousNumber(body, Decimal(match[1] + match[2]), as_decimal)


# Currencies of the offered countries that the number parser does not know (it reads ₽, $, €
# and their words): typed before or after an amount, they name its currency.
_CURRENCY_WORDS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "₸": "KZT", "тг": "KZT", "тенге": "KZT", "сум": "UZS", "сумов": "UZS",
            "сом": "KGS", "сомов": "KGS", "֏": "AMD", "драм": "AMD", "драмов": "AMD",
            "₾": "GEL", "лари": "GEL", "₼": "AZN", "манат": "AZN", "манатов": "AZN",
            "₺": "TRY", "лир": "TRY", "лира": "TRY", "лиры": "TRY", "£": "GBP",
            "фунтов": "GBP", "фунта": "GBP", "фунт": "GBP", "дирхам": "AED", "дирхамов": "AED",
            "динар": "RSD", "динаров": "RSD", "₴": "UAH", "zł": "PLN", "злотых": "PLN",
            "₪": "ILS", "шекелей": "ILS", "¥": "CNY", "₹": "INR",
            **{code.lower(): code for code in set(COUNTRY_CURRENCY.values())},
        }.items(),
        key=lambda pair: -len(pair[0]),
    )
)


def _split_currency(text: str) -> tuple[str, str | None]:
    """``"20 000 000 ₸"`` → (``"20 000 000"``, ``"KZT"``); other text is returned as is."""
    stripped = text.strip()
    lowered = stripped.lower()
    for word, code in _CURRENCY_WORDS:
        if code in ("RUB", "USD", "EUR"):
            continue  # the number parser reads these itself
        if lowered.endswith(word) and lowered[: -len(word)].strip():
            before = stripped[: -len(word)]
            if not (word.isalpha() and before[-1:].isalpha()):  # not the end of a longer word
                return before.rstrip(), code
        if lowered.startswith(word) and lowered[len(word):].strip():
            after = stripped[len(word):]
            if not (word.isalpha() and after[:1].isalpha()):
                return after.lstrip(), code
    return text, None


def _plan_currency(state: State) -> str:
    plan = state.answers.get("plan")
    return str(plan.get("currency")) if isinstance(plan, dict) else _default_currency(state)


def _checked(q: Question, value: Decimal) -> Decimal:
    if q.minimum is not None and value < q.minimum:
        raise _invalid(_TOO_SMALL, minimum=q.minimum)
    if q.maximum is not None and value > q.maximum:
        raise _invalid(_TOO_BIG, maximum=q.maximum)
    if q.whole and value != value.to_integral_value():
        raise _invalid(_NOT_WHOLE, example=int(value) or 1)
    return value


def _single_value(state: State, q: Question, answer: Answer, checks: Validators) -> Any:
    if isinstance(answer, Choose):
        if answer.value not in _option_values(q, state):
            raise _invalid(_CHOOSE_BUTTON)
        if q.kind is Kind.NUMBER:
            return int(answer.value) if q.whole else answer.value
        return answer.value
    if isinstance(answer, Located) and q.kind is Kind.ZONE:
        located = checks.zone_name(answer.zone)
        if located is None:
            raise _invalid(_UNKNOWN_ZONE, text=answer.zone)
        return located
    if not isinstance(answer, Text):
        raise _invalid(_CHOOSE_BUTTON)
    text = answer.text.strip()
    if q.kind is Kind.NUMBER:
        return _typed_number(q, text, state.language)
    if q.kind is Kind.TIME:
        parsed = parse_time(text)
        if parsed is None:
            raise _invalid(_NO_SUCH_TIME if _looks_like_time(text) else _BAD_TIME, text=text[:20])
        if q.evening and _BARE_HOUR.match(text) and 1 <= parsed.hour <= 11:
            parsed = parsed.replace(hour=parsed.hour + 12)
        return parsed.strftime("%H:%M")
    if q.kind is Kind.ZONE:
        candidate = resolve_zone_text(text) or checks.city_zone(text)
        zone = checks.zone_name(candidate) if candidate else None
        if zone is None:
            close = checks.zone_suggestions(text, state.language) if text else ()
            if close:
                raise _invalid(_ZONE_DID_YOU_MEAN, text=text[:40], cities=", ".join(close[:4]))
            raise _invalid(_UNKNOWN_ZONE, text=text[:40])
        return zone
    if q.kind is Kind.DATES:
        start_day, end_day = _parse_dates(text, state.today_date)
        return [start_day.isoformat(), end_day.isoformat()]
    if q.id == "country":
        code = checks.country_code(text)
        if code is None:
            raise _invalid(_NOT_A_COUNTRY, text=text[:40])
        if not checks.country_supported(code):
            raise _invalid(_UNKNOWN_COUNTRY, text=text[:40])
        return code
    raise _invalid(_CHOOSE_BUTTON)


# ---------------------------------------------------------------------------------------------
# Typed times and dates, periods
# ---------------------------------------------------------------------------------------------

_TIME_RE = re.compile(
    r"^\s*(?:в\s+|at\s+)?(\d{1,2})(?:\s*[:.\-hч]\s*(\d{2}))?\s*"
    r"(am|pm|a\.m\.|p\.m\.|утра|ночи|дня|вечера)?\s*$",
    re.IGNORECASE,
)
_BARE_HOUR = re.compile(r"^\s*(?:в\s+|at\s+)?\d{1,2}\s*$", re.IGNORECASE)
_AFTERNOON = frozenset({"pm", "p.m.", "дня", "вечера"})


def _typed_number(q: Question, text: str, language: str) -> int | str:
    """A typed answer to a ``NUMBER`` question; what the question takes when it is not one.

    A word ("десять"), a negative or a number below the minimum gets the question's own
    :attr:`Question.number_hint` (the number parser speaks of money and "zero or more");
    an ambiguous "1,000", a fraction or a number above the maximum keep their own message.
    """
    if not text:
        raise _invalid(q.number_hint or _TYPE_NUMBER)
    try:
        amount = parse_amount(text, language)
        _check_unambiguous(text, amount)
    except AmbiguousNumber:
        raise
    except DomainError:
        if q.number_hint is None:
            raise
        raise _invalid(q.number_hint) from None
    if q.number_hint is not None and q.minimum is not None and amount < q.minimum:
        raise _invalid(q.number_hint)
    value = _checked(q, amount)
    return int(value) if q.whole else str(value)


def parse_time(text: str) -> time | None:
    """Parse a time of day: ``9``, ``09:30``, ``9.30``, ``18-00``, ``7pm``, ``7:30 am``,
    ``7 вечера``, ``в 9 утра``.

    Returns:
        The time, or ``None`` when the text is not a valid time.
    """
    match = _TIME_RE.match(text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    suffix = (match[3] or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            return None
        if suffix in _AFTERNOON:
            # "12 дня" is noon, "5 дня" 17:00; "12 ночи" is midnight, "3 ночи" 03:00.
            hour = hour if hour == 12 else hour + 12
        elif hour == 12:
            hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _looks_like_time(text: str) -> bool:
    """Shaped like a time (``25:00``, ``9:75``) even if it is not one."""
    return _TIME_RE.match(text) is not None


_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?")


def _parse_dates(text: str, today: date) -> tuple[date, date]:
    found = list(_DATE_RE.finditer(text))
    if len(found) != 2:
        raise _invalid(_BAD_DATES, **_dates_example(today))
    days = [_date_of(m, today) for m in found]
    period = Period(days[0], days[1])  # InvalidPeriod explains a reversed range
    if len(period) > 366:
        raise _invalid(_PERIOD_TOO_LONG)
    return period.start, period.end


def _dates_example(today: date) -> dict[str, str]:
    """The 1st and the 15th of next month, written the way the parser reads dates."""
    first = _month(today, 1).start
    return {"first": first.strftime("%d.%m.%Y"), "last": first.replace(day=15).strftime("%d.%m.%Y")}


def _date_of(match: re.Match[str], today: date) -> date:
    try:
        if match[1]:
            return date(int(match[1]), int(match[2]), int(match[3]))
        year_text = match[6]
        year = (
            today.year if not year_text
            else int(year_text) + (2000 if len(year_text) == 2 else 0)
        )
        return date(year, int(match[5]), int(match[4]))
    except ValueError:
        raise _invalid(_NO_SUCH_DATE, text=match[0]) from None


def period_for(choice: str | None, state: State) -> Period | None:
    """The plan period for a period answer (``this_month``, ``next_month`` or ``custom``)."""
    if choice == THIS_MONTH:
        return _month(state.today_date, 0)
    if choice == NEXT_MONTH:
        return _month(state.today_date, 1)
    if choice == CUSTOM:
        dates = state.answers.get("period_dates")
        if isinstance(dates, list) and len(dates) == 2:
            return Period(date.fromisoformat(dates[0]), date.fromisoformat(dates[1]))
    return None


def _month(today: date, ahead: int) -> Period:
    first = today.replace(day=1)
    for _ in range(ahead):
        first = (first + timedelta(days=32)).replace(day=1)
    return Period.month(first.year, first.month)
