"""The one calling convention of the use cases: ``use_case(uow, deps, who, ...) -> reply``.

Every use case that serves a person's update takes the unit of work (it opens the transaction
itself with ``with uow:`` and commits what it changes, once), the :class:`Deps` (clock,
calendars, validators, token makers) and :class:`Who` (the person and the chat), then the input
of that update. It returns a reply as data; the adapters turn it into words and buttons.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from kpi_core.advice.questionnaire import Validators
from kpi_core.ports import CalendarProvider, Clock
from kpi_core.services import membership as team_ops

__all__ = ["Deps", "Who"]


@dataclass(frozen=True, slots=True)
class Who:
    """The person talking and where.

    Attributes:
        chat_id: The chat (a private chat's id is the person's Telegram id).
        telegram_id: The person's Telegram user id.
        language: The language to use now (stored choice, else Telegram's, else default).
        name: The person's first name, for a new team's name.
    """

    chat_id: int
    telegram_id: int
    language: str = "en"
    name: str = ""


def _random_token() -> str:
    return secrets.token_hex(3)


@dataclass(frozen=True, slots=True)
class Deps:
    """What the use cases need besides the unit of work.

    Attributes:
        clock: The current instant.
        calendars: Production calendars by country.
        validators: Time zone and country checks from the adapters.
        new_token: Makes a new menu token (short, no ``:``); tests pass a predictable one.
        new_invite_code: Makes a team's invite code (random, URL-safe, at most 32 characters).
    """

    clock: Clock
    calendars: CalendarProvider
    validators: Validators = field(default_factory=Validators)
    new_token: Callable[[], str] = _random_token
    new_invite_code: Callable[[], str] = team_ops.new_invite_code


