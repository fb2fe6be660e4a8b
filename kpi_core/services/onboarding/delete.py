"""``/delete_me``: ask, then erase everything the bot knows about the person (the ``delete``
flow); the figures they reported for a team stay in its totals, anonymously
(:mod:`kpi_core.services.erase`)."""

from __future__ import annotations

from kpi_core.messages import N_, Message
from kpi_core.model import ConversationState
from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps, Who
from kpi_core.services.erase import erase_person, stays_in_a_team
from kpi_core.services.onboarding.context import FLOW_DELETE, Ctx, open_ctx, reply
from kpi_core.services.onboarding.views import Action, ButtonPress, DeleteView, NoticeView, Reply

_ERASED = N_(
    "Done: everything I knew about you is erased. If you ever want to start again, send /start."
)
_ERASED_KEPT = N_(
    "Done: everything I knew about you is erased. The figures you reported stay in your team's "
    "totals, without your name. If you ever want to start again, send /start."
)
_KEPT = N_("Nothing was deleted.")


def open_delete(uow: UnitOfWork, deps: Deps, who: Who) -> Reply:
    """``/delete_me``: ask for confirmation."""
    with uow:
        ctx = open_ctx(uow, deps, who)
        if ctx is None:
            return Reply(NoticeView(Message(_ERASED)), closed=True, language=who.language)
        conv = ctx.save_state(
            ConversationState(who.chat_id, ctx.user_id, FLOW_DELETE, "confirm", {}), new_token=True
        )
        uow.commit()
        return reply(ctx, DeleteView(stays_in_a_team(uow, ctx.user_id)), conv)


def press_delete(ctx: Ctx, conv: ConversationState, pressed: ButtonPress) -> Reply | None:
    """Yes (erase) or No (keep); ``None`` for anything else."""
    if pressed.action == Action.ERASE:
        kept = erase_person(ctx.uow, ctx.user_id, ctx.today)
        done = _ERASED_KEPT if kept else _ERASED
        return reply(ctx, NoticeView(Message(done)), None, closed=True)
    if pressed.action == Action.KEEP:
        ctx.clear()
        return reply(ctx, NoticeView(Message(_KEPT)), None, closed=True)
    return None
