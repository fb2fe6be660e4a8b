"""Joining a team: ``/start join_<code>`` opens the short questionnaire (the ``join`` flow,
:data:`~kpi_core.advice.questionnaire.MEMBER` mode); at its last answer the person is a member
of the team with the team's KPIs that fit their role, and the owner is told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from kpi_core.advice.profile import Role
from kpi_core.advice.questionnaire import MEMBER, State, answers_on_path
from kpi_core.advice.questionnaire import start as start_questionnaire
from kpi_core.advice.recommend import ROLE_FITS, recommend
from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState, Team
from kpi_core.ports import UnitOfWork
from kpi_core.services import membership as team_ops
from kpi_core.services.common import Deps, Who
from kpi_core.services.membership import Notification
from kpi_core.services.onboarding import targets as kpi_targets
from kpi_core.services.onboarding.context import (
    FLOW_JOIN,
    FLOW_SWITCH,
    Ctx,
    open_ctx,
    profile_of,
    reply,
    save_question,
    settings_answers,
)
from kpi_core.services.onboarding.plan import cards, time_of, weekdays_of
from kpi_core.services.onboarding.records import team_plan
from kpi_core.services.onboarding.views import (
    Action,
    ButtonPress,
    FinishedView,
    NoticeView,
    QuestionView,
    Reply,
    SwitchTeamView,
)

BAD_INVITE = N_("This invite link does not work any more. Ask whoever sent it for a new one.")
EXPIRED_INVITE = N_("This invite link has expired. Ask whoever sent it for a new one.")
_ALREADY_IN_TEAM = N_("You are already in the team “{team}”.")
_LEADS_OTHERS = N_(
    "You lead the team “{team}” with other people in it, so you cannot join another team."
)
_INVITED = N_(
    "{owner} invites you to the team “{team}”. A few quick questions, and you can log your "
    "results."
)
_INVITED_OWN = N_(
    "{owner} invites you to their team. A few quick questions, and you can log your results."
)
_STAYED = N_("You stay in the team “{team}”; nothing has changed.")
_JOINED_YOUR_TEAM = N_("{name} is now in your team “{team}”.")
_SEND_TEAM = N_("/team shows everyone and the invite link.")


def join(uow: UnitOfWork, deps: Deps, who: Who, code: str) -> Reply:
    """``/start join_<code>``: the short questionnaire of someone joining a team.

    An unknown or replaced code, someone already in that team, and the owner of a team with
    other people in it get a notice instead. Nothing changes until the last answer.
    """
    with uow:
        ctx = open_ctx(uow, deps, who, create=True)
        assert ctx is not None
        team = uow.teams.by_invite_code(code) if code else None
        if team is None:
            answer = reply(ctx, NoticeView(Message(BAD_INVITE)), None, closed=True)
        elif not team_ops.invite_works(team, deps.clock.now()):
            answer = reply(ctx, NoticeView(Message(EXPIRED_INVITE)), None, closed=True)
        else:
            refusal = _refusal(ctx, team)
            answer = refusal if refusal is not None else _ask_or_start(ctx, team, code)
        uow.commit()  # the person's row, so that their language is remembered
        return answer


def _refusal(ctx: Ctx, team: Team) -> Reply | None:
    current = ctx.membership()
    if current is not None and current.team_id == team.id:
        notice = Message(_ALREADY_IN_TEAM, {"team": team.name})
        return reply(ctx, NoticeView(notice), None, closed=True)
    leads = team_ops.leads_others(ctx.uow, ctx.user_id, except_team=team.id)
    if leads is not None:
        notice = Message(_LEADS_OTHERS, {"team": leads.name})
        return reply(ctx, NoticeView(notice), None, closed=True)
    return None


def _ask_or_start(ctx: Ctx, team: Team, code: str) -> Reply:
    """Someone in a team with other people is asked first: joining means leaving it."""
    current = ctx.membership()
    if current is None or current.team_id == team.id or not ctx.user.onboarded:
        return start_join(ctx, team, code)
    mine = ctx.uow.teams.get(current.team_id)
    if mine is None or team_ops.joined_count(ctx.uow, current.team_id) <= 1:
        return start_join(ctx, team, code)  # set up alone: nobody else's team to leave
    conv = ctx.save_state(
        ConversationState(ctx.who.chat_id, ctx.user_id, FLOW_SWITCH, "confirm",
                          {"team": team.id, "code": code}), new_token=True)
    return reply(ctx, SwitchTeamView(mine.name, team.name), conv)


def press_switch(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    """"Leave my team for the new one?": yes opens its questions, no keeps everything."""
    if pressed.action == Action.STAY:
        ctx.clear()
        current = ctx.membership()
        mine = ctx.uow.teams.get(current.team_id) if current else None
        notice = Message(_STAYED, {"team": mine.name if mine else ""})
        return reply(ctx, NoticeView(notice), None, closed=True)
    if pressed.action != Action.SWITCH:
        return None
    team_id, code = conv.data.get("team"), conv.data.get("code")
    team = ctx.uow.teams.get(team_id) if isinstance(team_id, int) else None
    if team is None or not isinstance(code, str) or team.invite_code != code:
        ctx.clear()
        return reply(ctx, NoticeView(Message(BAD_INVITE)), None, closed=True)
    refusal = _refusal(ctx, team)
    if refusal is not None:
        ctx.clear()
        return refusal
    return start_join(ctx, team, code)


def start_join(ctx: Ctx, team: Team, code: str | None) -> Reply:
    """Open the member questionnaire for ``team`` (``code`` None: already a member)."""
    owner = ctx.uow.users.get(team.owner_user_id)
    previous = ctx.profile_record()
    answers: dict[str, Any] = settings_answers(ctx.user) if ctx.user.onboarded else {}
    answers["country"] = owner.country if owner else ctx.user.country  # the team's calendar
    if previous.get("role") in (Role.SALES_MANAGER.value, Role.MARKETER.value):
        answers["role"] = previous["role"]
    outcome = start_questionnaire(ctx.today, ctx.language, answers, mode=MEMBER)
    before = ctx.conversation()  # an open menu is replaced: its buttons go
    conv = save_question(ctx, None, outcome.state, flow=FLOW_JOIN, new_token=True,
                         extra={"team": team.id, "code": code})
    assert outcome.screen is not None
    owner_name = (owner.display_name or str(owner.telegram_id)) if owner else ""
    # A new team is named after its owner: "Anna invites you to the team “Anna”" says it twice.
    invited = _INVITED_OWN if team.name == owner_name else _INVITED
    notice = Message(invited, {"owner": owner_name, "team": team.name})
    return reply(ctx, QuestionView(outcome.screen), conv, notice=notice,
                 screen_ref=before.message_id if before else None)


def accept_join(ctx: Ctx, conv: ConversationState, qs: State, left_location: bool) -> Reply:
    """The last answer of the member questionnaire: join the team, take its KPIs, tell the
    owner."""
    user = ctx.user
    team_id, code = conv.data.get("team"), conv.data.get("code")
    team = ctx.uow.teams.get(team_id) if isinstance(team_id, int) else None
    current = ctx.membership()
    already = team is not None and current is not None and current.team_id == team.id
    if team is None or (not already and (code is None or team.invite_code != code)):
        # The owner made a new link (or the team is gone) while this was being answered.
        ctx.clear()
        return reply(ctx, NoticeView(Message(BAD_INVITE)), None, closed=True,
                     offered_location_done=left_location)
    refusal = None if already else _refusal(ctx, team)
    if refusal is not None:
        ctx.clear()
        return replace(refusal, offered_location_done=left_location)
    answers = answers_on_path(qs)
    owner = ctx.uow.users.get(team.owner_user_id)
    user.language = ctx.language
    user.country = owner.country if owner else user.country
    user.working_weekdays = weekdays_of(answers)
    user.timezone = str(answers.get("timezone") or user.timezone)
    user.digest_time = time_of(answers.get("digest"))
    user.reminder_time = time_of(answers.get("reminder"))
    user.display_name = user.display_name or ctx.who.name
    user.onboarded = True
    ctx.uow.users.save(user)
    if not already:
        team_ops.join_team(ctx.uow, user, team, ctx.today)
        team_ops.use_invite(ctx.uow, team, ctx.deps.clock.now())
    owner_profile = ctx.uow.profiles.get(team.owner_user_id)
    owner_answers = owner_profile.answers if owner_profile else {}
    # What the team does (business, channel, goals, data) comes from the owner's answers:
    # /kpis can then offer the member alternatives that fit.
    record: dict[str, Any] = {
        k: owner_answers[k] for k in ("business", "channel", "goals", "data") if k in owner_answers
    }
    record.update(answers)
    kpis = _member_kpis(ctx, team, record)
    assert team.id is not None
    ctx.uow.assignments.replace(ctx.user_id, team.id, kpis)
    ctx.save_profile_record(record)
    ctx.clear()
    plan = team_plan(ctx, team)
    owner_name = (owner.display_name or str(owner.telegram_id)) if owner else ""
    view = FinishedView(
        cards=cards(kpis, profile_of(record), kpi_targets.quotas_for(ctx, None, plan, kpis)),
        plan=plan.summary if plan else None,
        digest=user.digest_time,
        reminder=user.reminder_time,
        timezone=user.timezone,
        joined_team=team.name,
        owner=owner_name,
    )
    notify: tuple[Notification, ...] = ()
    if (not already and owner is not None and owner.telegram_id is not None
            and owner.id != user.id):
        count = team_ops.joined_count(ctx.uow, team.id)
        name = user.display_name or str(user.telegram_id)
        lines = (
            Message(_JOINED_YOUR_TEAM, {"name": name, "team": team.name}),
            team_ops.headcount(count, team.planned_size),
            Message(_SEND_TEAM),
        )
        notify = (Notification(owner.telegram_id, owner.language, lines),)
    return reply(ctx, view, None, closed=True, offered_location_done=left_location,
                 notify=notify)


def _member_kpis(ctx: Ctx, team: Team, answers: Mapping[str, Any]) -> list[str]:
    """The team's KPIs that fit the person's role; advice from the team's answers when none
    of the owner's set does (a marketer joining a team that tracks only sales)."""
    role = Role(str(answers.get("role")))
    chosen = team_ops.member_kpis(team_ops.owner_kpis(ctx.uow, team), role)
    if chosen:
        return chosen
    profile = profile_of(answers)
    if profile is not None:
        return list(recommend(profile).kpi_ids)
    return [fit.kpi_id for fit in ROLE_FITS[role][:3]]
