"""``/language``: store the person's language; the open screen comes back in it."""

from __future__ import annotations

from dataclasses import replace

from kpi_core.ports import UnitOfWork
from kpi_core.services.common import Deps, Who
from kpi_core.services.onboarding.context import open_ctx, reply
from kpi_core.services.onboarding.conversation import view_of
from kpi_core.services.onboarding.views import Reply


def set_language(uow: UnitOfWork, deps: Deps, who: Who, language: str) -> Reply:
    """Store the person's language; the reply is the current screen in that language."""
    with uow:
        ctx = open_ctx(uow, deps, who, create=True)
        assert ctx is not None
        ctx.user.language = language
        uow.users.save(ctx.user)
        ctx = replace(ctx, who=replace(who, language=language))
        conv = ctx.conversation()
        uow.commit()
        if conv is None:
            return Reply(None, language=language, closed=True)
        return reply(ctx, view_of(ctx, conv), conv)
