"""``/team`` → 🎯 individual targets and 🏖 days off: who carries how much of the plan.

Both screens work like the weights screen: nothing is saved until ✅, and every screen shows
what each person's daily need becomes. What is pending lives in the chat's conversation row
(flow ``team``), so a restart loses nothing and a typed amount or date finds its screen.

Press actions (``tm:<action>[:<membership id>]``):

* 🎯 (the owner's: :attr:`~kpi_core.services.permissions.TeamAction.EDIT_PLAN`): ``pt`` opens
  the targets of the plan's first summed KPI, ``ptk`` the next KPI, ``pte`` asks for a member's
  target (typed; ``ptb`` goes back to the list keeping what is pending), ``ptr`` gives them a
  share of the rest again, ``ptsv`` saves.
* 🏖 (the owner or an admin: ``SET_DAYS_OFF``): ``do`` lists who is away when, ``dom`` asks
  for a member's days off (typed: ``21.04–25.04``), ``dok`` changes their kind (vacation, sick
  leave, other), ``dsh`` who carries them (the rest of the team, or nobody: the plan is
  reduced, which is the owner's alone), ``dsv`` saves, ``dcl`` clears the member's days off
  from today on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kpi_core.advice.catalog import Aggregation, get_kpi
from kpi_core.errors import DomainError
from kpi_core.messages import N_, Message, Money
from kpi_core.model import (
    ConversationState,
    DayOff,
    DayOffKind,
    DayOffShare,
    Membership,
    Plan,
    Team,
    User,
)
from kpi_core.parsing.dates import parse_day_range
from kpi_core.parsing.numbers import parse_amount
from kpi_core.planning.calendar import Period, count_working_days
from kpi_core.planning.quotas import COUNT_QUANTUM, TeamQuota
from kpi_core.planning.team import TargetsExceedPlan, Vacancy, dropped
from kpi_core.ports import UnitOfWork
from kpi_core.services import membership as team_ops
from kpi_core.services.common import Deps, Who
from kpi_core.services.onboarding import EXPIRED, NoticeView, Reply
from kpi_core.services.onboarding.context import FLOW_TEAM
from kpi_core.services.permissions import TeamAction, check
from kpi_core.services.share_views import (
    DayOffPreview,
    DaysOffLine,
    DaysOffView,
    NeedLine,
    SharePromptView,
    TargetLine,
    TargetsShareView,
)
from kpi_core.tracking.reminders import local_date, zone

__all__ = ["ACTIONS", "FLOW", "press", "takes_text", "typed"]

FLOW = FLOW_TEAM
ACTIONS = frozenset({"pt", "ptb", "ptk", "pte", "ptr", "ptsv",
                     "do", "dom", "dok", "dsh", "dsv", "dcl"})
_TARGETS, _TARGET_AMOUNT = "targets", "target_amount"
_DAYS_OFF, _OFF_DATES, _OFF_PREVIEW = "days_off", "off_dates", "off_preview"
_TEXT_STEPS = frozenset({_TARGET_AMOUNT, _OFF_DATES})
_KINDS = (DayOffKind.VACATION, DayOffKind.SICK, DayOffKind.OTHER)

_NO_PLAN = N_("There is no plan to share yet: set one with /plan.")
_NO_SUMMED = N_("The plan has no target that adds up over the team (revenue, calls, deals…): "
                "there is nothing to give out in shares.")
_NOT_IN_TEAM = N_("This person is not in the team any more.")
_NOT_TRACKED = N_("{name} does not track this KPI: their target stays with those who do.")
_ASK_TARGET = N_("Send {name}'s target for {period} for “{kpi}”, for example {example}. "
                 "The rest of the plan is shared by everyone else.")
_ASK_DAYS = N_("Send {name}'s days off: one day (21.04) or a range (21.04–25.04).")
_NOT_BELOW_ZERO = N_("A target cannot be negative: send zero or more, for example {example}.")
_WHOLE = N_("This KPI is counted in whole units: send a whole number, for example {example}.")
_KOPECKS = N_("Round it to kopecks (cents), for example {example}.")
_EXCEEDS = N_("The individual targets would add up to {targets}, more than the plan of "
              "{plan}. Send a smaller target.")
_TARGETS_SAVED = N_("Saved: everyone's daily need follows the new targets.")
_OFF_SAVED = N_("Saved: {name}'s days off are marked, and the reminders leave them alone "
                "on those days.")
_OFF_CLEARED = N_("{name}'s days off from today on are removed.")
_NO_OFF = N_("{name} has no days off from today on.")


def takes_text(conv: ConversationState) -> bool:
    """The chat's conversation waits for a typed target or days off."""
    return conv.flow == FLOW and conv.step in _TEXT_STEPS


@dataclass(frozen=True, slots=True)
class _Screen:
    """Who is pressing, in which team, with the plan in force on their today."""

    uow: UnitOfWork
    deps: Deps
    who: Who
    user: User
    team: Team
    viewer: Membership
    today: date

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    def plan(self) -> Plan | None:
        assert self.team.id is not None
        return self.uow.plans.current(self.team.id, self.today)

    def members(self) -> list[Membership]:
        assert self.team.id is not None
        return [m for m in self.uow.teams.members(self.team.id)
                if m.left_on is None and m.id is not None]

    def member(self, arg: str) -> Membership | None:
        return next((m for m in self.members() if str(m.id) == arg), None)

    def name(self, m: Membership) -> str:
        return team_ops.member_name(self.uow.users.get(m.user_id))

    def state(self) -> ConversationState | None:
        conv = self.uow.conversations.get(self.who.chat_id, self.user_id)
        return conv if conv is not None and conv.flow == FLOW else None

    def remember(self, step: str, data: dict[str, Any]) -> None:
        self.uow.conversations.save(
            ConversationState(self.who.chat_id, self.user_id, FLOW, step, data))

    def forget(self) -> None:
        if self.state() is not None:
            self.uow.conversations.clear(self.who.chat_id, self.user_id)

    def show(self, view: Any, *, notice: Message | None = None,
             error: Message | None = None) -> Reply:
        return Reply(view, notice=notice, error=error, moved=error is None, closed=True,
                     language=self.who.language)

    def refuse(self, why: Message) -> Reply:
        """The team screen, with why nothing changed."""
        view = team_ops.team_view(self.uow, self.team, self.viewer)
        return Reply(view, error=why, moved=False, closed=True, language=self.who.language)


def press(
    uow: UnitOfWork, deps: Deps, who: Who, user: User, team: Team, viewer: Membership,
    action: str, arg: str,
) -> Reply:
    """One of the 🎯 / 🏖 buttons (inside the caller's unit of work; it commits)."""
    s = _Screen(uow, deps, who, user, team, viewer, local_date(deps.clock.now(), _zone(user)))
    needed = TeamAction.EDIT_PLAN if action.startswith("pt") else TeamAction.SET_DAYS_OFF
    refusal = check(viewer, needed, team.id)
    if refusal is not None:
        return s.refuse(refusal)
    if action.startswith("pt"):
        return _targets_press(s, action, arg)
    return _days_off_press(s, action, arg)


def typed(uow: UnitOfWork, deps: Deps, who: Who, conv: ConversationState, text: str) -> Reply:
    """A target or days off typed for the screen waiting for it (the caller commits)."""
    user = uow.users.by_telegram_id(who.telegram_id)
    viewer = team_ops.current_membership(uow, user.id) if user and user.id else None
    team = uow.teams.get(viewer.team_id) if viewer else None
    if user is None or viewer is None or team is None:
        uow.conversations.clear(conv.chat_id, conv.user_id)
        return Reply(NoticeView(Message(_NOT_IN_TEAM)), closed=True, language=who.language)
    s = _Screen(uow, deps, who, user, team, viewer, local_date(deps.clock.now(), _zone(user)))
    needed = TeamAction.EDIT_PLAN if conv.step == _TARGET_AMOUNT else TeamAction.SET_DAYS_OFF
    refusal = check(viewer, needed, team.id)
    if refusal is not None:  # demoted since the question was asked
        s.forget()
        return s.refuse(refusal)
    if conv.step == _TARGET_AMOUNT:
        return _typed_target(s, conv, text)
    return _typed_days(s, conv, text)


# -- 🎯 individual targets ---------------------------------------------------------------------


def _summed_kpis(plan: Plan) -> list[str]:
    return [t.kpi_id for t in plan.targets if get_kpi(t.kpi_id).aggregation is Aggregation.SUM]


def _pending(conv: ConversationState | None, plan: Plan) -> dict[str, dict[int, Decimal]]:
    """The individual targets on screen: the saved ones, with the changes not saved yet."""
    stored = {t.kpi_id: dict(t.personal) for t in plan.targets}
    if conv is None or conv.step not in (_TARGETS, _TARGET_AMOUNT):
        return stored
    for kpi_id, targets in dict(conv.data.get("personal", {})).items():
        if kpi_id in stored:
            stored[kpi_id] = {int(k): Decimal(v) for k, v in targets.items()}
    return stored


def _targets_data(kpi_id: str, pending: dict[str, dict[int, Decimal]]) -> dict[str, Any]:
    return {"kpi": kpi_id,
            "personal": {k: {str(u): str(a) for u, a in v.items()} for k, v in pending.items()}}


def _targets_press(s: _Screen, action: str, arg: str) -> Reply:
    plan = s.plan()
    if plan is None or not plan.targets:
        return s.refuse(Message(_NO_PLAN))
    kpis = _summed_kpis(plan)
    if not kpis:
        return s.refuse(Message(_NO_SUMMED))
    conv = s.state() if action != "pt" else None
    pending = _pending(conv, plan)
    kpi_id = str(conv.data.get("kpi")) if conv is not None else kpis[0]
    if kpi_id not in kpis:
        kpi_id = kpis[0]
    if action == "ptk":
        kpi_id = kpis[(kpis.index(kpi_id) + 1) % len(kpis)]
    if action in ("pte", "ptr"):
        target = s.member(arg)
        if target is None:
            return s.refuse(Message(_NOT_IN_TEAM))
        if action == "ptr":
            pending[kpi_id].pop(target.user_id, None)
        else:
            return _ask_target(s, plan, kpi_id, pending, target)
    if action == "ptsv":
        return _save_targets(s, plan, pending)
    s.remember(_TARGETS, _targets_data(kpi_id, pending))
    s.uow.commit()
    return s.show(_targets_view(s, plan, kpi_id, pending, len(kpis) > 1))


def _ask_target(s: _Screen, plan: Plan, kpi_id: str, pending: dict[str, dict[int, Decimal]],
                target: Membership) -> Reply:
    tracking = _split_people(s, plan, kpi_id, pending)
    name = s.name(target)
    if tracking is not None and target.user_id not in tracking:
        return s.show(_targets_view(s, plan, kpi_id, pending, len(_summed_kpis(plan)) > 1),
                      error=Message(_NOT_TRACKED, {"name": name}))
    data = _targets_data(kpi_id, pending)
    data["member"] = target.id
    s.remember(_TARGET_AMOUNT, data)
    s.uow.commit()
    return s.show(SharePromptView(_target_prompt(plan, kpi_id, name), "ptb"))


def _example(plan: Plan, kpi_id: str) -> object:
    if team_ops.quantum_of(kpi_id) == COUNT_QUANTUM:
        return 120
    return Money(Decimal(1_500_000), plan.currency)


def _target_prompt(plan: Plan, kpi_id: str, name: str) -> Message:
    return Message(_ASK_TARGET, {"name": name, "kpi": Message(get_kpi(kpi_id).name),
                                 "example": _example(plan, kpi_id), "period": _period(plan)})


def _period(plan: Plan) -> Period:
    return Period(plan.period_start, plan.period_end)


def _split_people(s: _Screen, plan: Plan, kpi_id: str,
                  pending: dict[str, dict[int, Decimal]]) -> set[int] | None:
    """The user ids the KPI's target is split over (``None``: no split)."""
    try:
        found = team_ops.team_split(s.uow, s.deps.calendars, s.team, plan, kpi_id,
                                    personal=pending.get(kpi_id, {}))
    except TargetsExceedPlan:
        found = team_ops.team_split(s.uow, s.deps.calendars, s.team, plan, kpi_id,
                                    personal={})
    if found is None:
        return None
    return {p.key for p in found[0].people if isinstance(p.key, int)}


def _typed_target(s: _Screen, conv: ConversationState, text: str) -> Reply:
    plan = s.plan()
    if plan is None:
        s.forget()
        return s.refuse(Message(_NO_PLAN))
    kpi_id = str(conv.data.get("kpi"))
    pending = _pending(conv, plan)
    target = s.member(str(conv.data.get("member")))
    if target is None or kpi_id not in pending:
        s.forget()
        return s.refuse(Message(_NOT_IN_TEAM))
    count = team_ops.quantum_of(kpi_id) == COUNT_QUANTUM
    prompt = SharePromptView(_target_prompt(plan, kpi_id, s.name(target)), "ptb")
    try:
        amount = _amount(text, s.who.language, count, _example(plan, kpi_id))
    except DomainError as exc:
        return s.show(prompt, error=exc.message)
    trial = {**pending, kpi_id: {**pending[kpi_id], target.user_id: amount}}
    try:
        team_ops.team_split(s.uow, s.deps.calendars, s.team, plan, kpi_id,
                            personal=trial[kpi_id])
    except TargetsExceedPlan as exc:
        error = Message(_EXCEEDS, {"targets": _value(exc.targets, kpi_id, plan),
                                   "plan": _value(exc.plan, kpi_id, plan)})
        return s.show(prompt, error=error)
    s.remember(_TARGETS, _targets_data(kpi_id, trial))
    return s.show(_targets_view(s, plan, kpi_id, trial, len(_summed_kpis(plan)) > 1))


def _amount(text: str, language: str, count: bool, example: object) -> Decimal:
    value = parse_amount(text, language)
    if value < 0:
        raise DomainError(Message(_NOT_BELOW_ZERO, {"example": example}))
    if count and value != value.to_integral_value():
        raise DomainError(Message(_WHOLE, {"example": example}))
    if not count and value != value.quantize(Decimal("0.01")):
        raise DomainError(Message(_KOPECKS, {"example": example}))
    return value


def _value(amount: Decimal, kpi_id: str, plan: Plan) -> object:
    return amount if team_ops.quantum_of(kpi_id) == COUNT_QUANTUM else Money(amount, plan.currency)


def _targets_view(s: _Screen, plan: Plan, kpi_id: str,
                  pending: dict[str, dict[int, Decimal]], more: bool) -> TargetsShareView:
    target = plan.target_for(kpi_id)
    assert target is not None
    before = _quota(s, plan, kpi_id, personal=target.personal)
    after = _quota(s, plan, kpi_id, personal=pending.get(kpi_id, {}))
    people = {p.key: p for p in after.people} if after else {}
    then = {p.key: p for p in before.people} if before else {}
    lines = []
    for m in s.members():
        if m.user_id not in people:
            continue
        assert m.id is not None
        now = people[m.user_id]
        was = then.get(m.user_id)
        lines.append(TargetLine(
            m.id, s.name(m), pending.get(kpi_id, {}).get(m.user_id), now.total,
            NeedLine(s.name(m), was.daily if was else None, now.daily)))
    unassigned = people.get(Vacancy(0))
    vacant = [p.total for k, p in people.items()  # seats not taken, days before joining
              if isinstance(k, Vacancy) and not k.off and k != Vacancy(0)]
    return TargetsShareView(
        kpi_id, plan.currency, target.target, tuple(lines),
        unassigned.total if unassigned else None,
        sum(vacant, start=Decimal(0)) if vacant else None,
        pending.get(kpi_id, {}) != target.personal, more)


def _quota(s: _Screen, plan: Plan, kpi_id: str, **changes: Any) -> TeamQuota | None:
    try:
        found = team_ops.team_split(s.uow, s.deps.calendars, s.team, plan, kpi_id, **changes)
    except TargetsExceedPlan:
        return None
    return found[0] if found else None


def _save_targets(s: _Screen, plan: Plan, pending: dict[str, dict[int, Decimal]]) -> Reply:
    changed = False
    for target in plan.targets:
        wanted = pending.get(target.kpi_id, target.personal)
        if wanted != target.personal:
            target.personal = dict(wanted)
            changed = True
    if changed:
        s.uow.plans.save(plan)
    s.forget()
    s.uow.commit()
    notice = Message(_TARGETS_SAVED) if changed else None
    return s.show(team_ops.team_view(s.uow, s.team, s.viewer), notice=notice)


# -- 🏖 days off --------------------------------------------------------------------------------


def _days_off_press(s: _Screen, action: str, arg: str) -> Reply:
    if action == "do":
        s.forget()
        s.uow.commit()
        return s.show(_days_off_view(s))
    if action in ("dom", "dcl"):
        target = s.member(arg)
        if target is None:
            return s.refuse(Message(_NOT_IN_TEAM))
        if action == "dcl":
            return _clear(s, target)
        s.remember(_OFF_DATES, {"member": target.id})
        s.uow.commit()
        return s.show(SharePromptView(Message(_ASK_DAYS, {"name": s.name(target)}), "do"))
    conv = s.state()
    if conv is None or conv.step != _OFF_PREVIEW:  # an old screen: start again
        return s.show(_days_off_view(s), error=Message(EXPIRED))
    data = dict(conv.data)
    target = s.member(str(data.get("member")))
    if target is None:
        s.forget()
        return s.refuse(Message(_NOT_IN_TEAM))
    if action == "dok":
        kind = DayOffKind(str(data.get("kind", DayOffKind.VACATION)))
        data["kind"] = _KINDS[(_KINDS.index(kind) + 1) % len(_KINDS)].value
    if action == "dsh":
        share = DayOffShare(str(data.get("share", DayOffShare.TEAM)))
        wanted = DayOffShare.TEAM if share is DayOffShare.REDUCE else DayOffShare.REDUCE
        refusal = check(s.viewer, TeamAction.EDIT_PLAN, s.team.id)
        if wanted is DayOffShare.REDUCE and refusal is not None:  # only an old or forged button
            return s.show(_preview(s, target, data), error=refusal)
        data["share"] = wanted.value
    if action == "dsv":
        return _save_days(s, target, data)
    s.remember(_OFF_PREVIEW, data)
    s.uow.commit()
    return s.show(_preview(s, target, data))


def _typed_days(s: _Screen, conv: ConversationState, text: str) -> Reply:
    target = s.member(str(conv.data.get("member")))
    if target is None:
        s.forget()
        return s.refuse(Message(_NOT_IN_TEAM))
    try:
        first, last = parse_day_range(text, s.today)
    except DomainError as exc:
        prompt = Message(_ASK_DAYS, {"name": s.name(target)})
        return s.show(SharePromptView(prompt, "do"), error=exc.message)
    data = {"member": target.id, "first": first.isoformat(), "last": last.isoformat(),
            "kind": DayOffKind.VACATION.value, "share": DayOffShare.TEAM.value}
    s.remember(_OFF_PREVIEW, data)
    return s.show(_preview(s, target, data))


def _days(data: dict[str, Any]) -> list[date]:
    first, last = date.fromisoformat(str(data["first"])), date.fromisoformat(str(data["last"]))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _preview(s: _Screen, target: Membership, data: dict[str, Any]) -> DayOffPreview:
    days = _days(data)
    kind = DayOffKind(str(data.get("kind", DayOffKind.VACATION)))
    share = DayOffShare(str(data.get("share", DayOffShare.TEAM)))
    person = s.uow.users.get(target.user_id)
    plan = s.plan()
    kpis = _summed_kpis(plan) if plan else []
    needs: list[NeedLine] = []
    plan_before = plan_after = None
    working = 0
    if person is not None:
        schedule = team_ops.member_schedule(s.deps.calendars, person, target)
        working = count_working_days(days[0], days[-1], schedule)
    if plan is not None and kpis:
        kpi_id = kpis[0]
        before = _quota(s, plan, kpi_id)
        after = _quota(s, plan, kpi_id, days_off={target.user_id: dict.fromkeys(days, share)})
        then = {p.key: p for p in before.people} if before else {}
        now = {p.key: p for p in after.people} if after else {}
        for m in s.members():
            if m.user_id in then or m.user_id in now:
                was, will = then.get(m.user_id), now.get(m.user_id)
                needs.append(NeedLine(s.name(m), was.daily if was else None,
                                      will.daily if will else None))
        plan_before = before.plan - dropped(before) if before else None
        plan_after = after.plan - dropped(after) if after else None
    assert target.id is not None
    return DayOffPreview(
        target.id, s.name(target), days[0], days[-1], working, kind, share,
        kpis[0] if kpis else None, plan.currency if plan else "RUB", tuple(needs),
        plan_before, plan_after,
        check(s.viewer, TeamAction.EDIT_PLAN, s.team.id) is None)


def _save_days(s: _Screen, target: Membership, data: dict[str, Any]) -> Reply:
    share = DayOffShare(str(data.get("share", DayOffShare.TEAM)))
    refusal = check(s.viewer, TeamAction.EDIT_PLAN, s.team.id)
    if share is DayOffShare.REDUCE and refusal is not None:  # demoted since choosing it
        return s.show(_preview(s, target, data), error=refusal)
    kind = DayOffKind(str(data.get("kind", DayOffKind.VACATION)))
    for day in _days(data):
        s.uow.days_off.add(DayOff(target.user_id, day, kind, share=share))
    s.forget()
    s.uow.commit()
    return s.show(_days_off_view(s), notice=Message(_OFF_SAVED, {"name": s.name(target)}))


def _clear(s: _Screen, target: Membership) -> Reply:
    coming = s.uow.days_off.in_range([target.user_id], s.today, s.today + timedelta(days=400))
    for off in coming:
        s.uow.days_off.remove(target.user_id, off.day)
    s.forget()
    s.uow.commit()
    msgid = _OFF_CLEARED if coming else _NO_OFF
    return s.show(_days_off_view(s), notice=Message(msgid, {"name": s.name(target)}))


def _days_off_view(s: _Screen) -> DaysOffView:
    """Everyone's days off from the start of the plan (or a month back) on."""
    plan = s.plan()
    start = min(plan.period_start if plan else s.today, s.today - timedelta(days=31))
    members = s.members()
    offs: dict[int, list[DayOff]] = {}
    for off in s.uow.days_off.in_range([m.user_id for m in members], start,
                                       s.today + timedelta(days=400)):
        offs.setdefault(off.user_id, []).append(off)
    lines = []
    for m in members:
        assert m.id is not None
        lines.append(DaysOffLine(m.id, s.name(m), _runs(offs.get(m.user_id, []))))
    return DaysOffView(tuple(lines))


def _runs(offs: list[DayOff]) -> tuple[tuple[date, date, DayOffKind, DayOffShare], ...]:
    """Consecutive days off of one kind and share, as first and last day."""
    runs: list[list[Any]] = []
    for off in sorted(offs, key=lambda o: o.day):
        last = runs[-1] if runs else None
        if (last is not None and last[1] + timedelta(days=1) == off.day
                and last[2] is off.kind and last[3] is off.share):
            last[1] = off.day
        else:
            runs.append([off.day, off.day, off.kind, off.share])
    return tuple((r[0], r[1], r[2], r[3]) for r in runs)


def _zone(user: User) -> Any:
    try:
        return zone(user.timezone)
    except KeyError:
        return zone("UTC")
