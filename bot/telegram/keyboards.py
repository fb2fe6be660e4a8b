"""Telegram keyboards from rendered menus.

Inline keyboards come from :class:`bot.ui.render.Menu` rows (callback data is built in
:mod:`bot.ui.callbacks`). The one reply keyboard of the bot offers location sharing at the
time zone step; it is removed with :func:`remove` when the person moves on.
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.i18n import Translator
from bot.ui.render import Menu


def inline(menu: Menu) -> InlineKeyboardMarkup | None:
    """The menu's buttons as an inline keyboard (``None`` when it has none)."""
    if not menu.rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in menu.rows
        ]
    )


def share_location(t: Translator) -> ReplyKeyboardMarkup:
    """A reply keyboard with one button that sends the person's location."""
    button = KeyboardButton("📍 " + t.pgettext("button", "Send my location"), request_location=True)
    return ReplyKeyboardMarkup(
        [[button]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=t._("A city or UTC+3"),
    )


def remove() -> ReplyKeyboardRemove:
    """Remove the reply keyboard."""
    return ReplyKeyboardRemove()
