"""Domain errors. Each carries a :class:`~kpi_core.messages.Message` for the user."""

from __future__ import annotations

from kpi_core.messages import Message


class DomainError(Exception):
    """Base class: something the user can fix; ``message`` says what was expected."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.msgid)
        self.message = message
