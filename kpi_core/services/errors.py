"""Errors of the daily loop and the team commands, each with a message for the person."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kpi_core.errors import DomainError
from kpi_core.messages import N_, NN_, Message
from kpi_core.parsing.quickform import MAX_DAYS_BACK


# ------------------------------------------------------------------------------------
class DailyError(DomainError):
    """Base class of the daily loop's errors."""


class NotSetUp(DailyError):
    """The person has no KPIs (or is unknown): they must set up first."""

    def __init__(self) -> None:
        super().__init__(Message(N_(
            "You have no KPIs to log yet. Send /start to choose them and set a plan."
        )))


class DayOutOfRange(DailyError):
    """A day in the future or too long ago."""

    def __init__(self, day: date, today: date) -> None:
        if day > today:
            message = Message(N_("{day} is still ahead: results can be logged for today or "
                                 "earlier."), {"day": day})
        else:
            one, many = NN_(
                "{day} is too long ago: results can be logged for the last {count} day.",
                "{day} is too long ago: results can be logged for the last {count} days.",
            )
            message = Message(one, {"day": day}, plural=many, count=MAX_DAYS_BACK)
        super().__init__(message)
        self.day = day


class UnknownMetric(DailyError):
    """A metric the person does not log (a stale button, a forged callback)."""

    def __init__(self) -> None:
        super().__init__(Message(N_("That KPI is not among yours any more. Send /log to see "
                                    "your current KPIs.")))


class WholeNumberNeeded(DailyError):
    """A count with a fraction (3.5 calls)."""

    def __init__(self, label: Message, value: Decimal) -> None:
        super().__init__(Message(
            N_("{kpi} is counted in whole numbers: {value} has a fraction."),
            {"kpi": label, "value": value},
        ))


class NothingToUndo(DailyError):
    """The entries of that message were changed since (or were undone already)."""

    def __init__(self) -> None:
        super().__init__(Message(N_(
            "Nothing to undo: these values have been changed or undone since."
        )))


class NotAllowed(DailyError):
    """Only a team's owner or admin may link or unlink its group chats."""

    def __init__(self) -> None:
        super().__init__(Message(N_(
            "Only the owner or an admin of a team can link a group to it. Set up your team "
            "with /start in a private chat with me first."
        )))




class NotAllowedToUnlink(NotAllowed):
    """Only an owner or admin of the team linked to a group may unlink it (its own words:
    the /link refusal talks about setting up a team, which is not the point here)."""

    def __init__(self) -> None:
        DailyError.__init__(self, Message(N_(
            "Only the owner or an admin of the team linked to this group can unlink it."
        )))
