"""Callback data for every inline button of the bot: formatted and parsed here, nowhere else.

Telegram gives a button at most 64 bytes of ``callback_data`` and sends it back verbatim when the
button is pressed, so the data is *untrusted input*: it says what was pressed, never who may do
it. Handlers check permissions and the conversation state server-side on every press.

Format: ``prefix:part:part...`` — a short registered prefix, then parts without ``:``. Menus
that belong to a stored conversation put the state's token first (``q:7f3a9c:c:owner``), so a
button from an older message (or a forged one) is told apart from the current menu and answered
with "This menu has expired".

Adding buttons for another feature (e.g. the daily loop)::

    # 1. register the prefix in PREFIXES below, with a comment saying who owns it;
    # 2. build the data with encode(...) (or menu(...) when the menu has a token);
    # 3. parse it with decode(...) in the handler; decode raises InvalidCallback for anything
    #    malformed, unknown or too long, and the handler answers "This menu has expired".
    data = encode("t", "log", "revenue")       # "t:log:revenue"
    cb = decode(data)                          # Callback(prefix="t", parts=("log", "revenue"))

A PTB ``CallbackQueryHandler(pattern=pattern("t"))`` routes one prefix to one handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kpi_core.services.daily_loop import (
    Choice,
    DailyPress,
    LogKpi,
    PickDay,
    ShowToday,
    Snooze,
    UndoSave,
    Verdict,
)

SEP = ":"
MAX_BYTES = 64
"""Telegram's limit for ``callback_data``."""

PREFIXES: dict[str, str] = {
    # onboarding and commands (this module's first owner)
    "q": "onboarding questionnaire step: q:<token>:<action>[:<arg>]",
    "r": "onboarding result screen (KPI review): r:<token>:<action>[:<arg>...]",
    "m": "command menus (/plan, /kpis, /settings): m:<token>:<action>[:<arg>...]",
    "lang": "language switch: lang:<code> (no state; always valid)",
    "del": "erase-my-data confirmation: del:<token>:<yes|no>",
    # teams (/team; checked against the presser's membership on every press)
    "tm": "team menu: tm:<new|one|off|rm|rmy|adm|mem|own|owny|board|wts|w+|w-|wsv|back>"
          "[:<membership id>]",
    # a linked group's digest options (the team's owner or an admin, checked on each press)
    "g": "group digest options: g:<lb|ms>",
    # daily loop (/log, /today, reminders, digests; layouts in bot/ui/daily_render.py)
    "d": "daily loop: d:<action>[:<arg>...] (k, p, day, u, ok, fix, re, z, t)",
    # /export and /import (whose entries is checked by the use case on every press)
    "x": "export: x:<xlsx|csv>:<own|team>",
    "im": "import preview: im:<token>:<ok|no>",
}
"""Every prefix in use, with its layout. A prefix not listed here cannot be encoded or decoded."""

_PART_RE = re.compile(r"^[^:\s]*$")


class InvalidCallback(ValueError):
    """The callback data is malformed, has an unknown prefix or is too long."""


@dataclass(frozen=True, slots=True)
class Callback:
    """Parsed callback data: the prefix and the parts after it, all strings."""

    prefix: str
    parts: tuple[str, ...]

    def part(self, index: int, default: str = "") -> str:
        """Return part ``index`` or ``default`` when the data has fewer parts."""
        return self.parts[index] if index < len(self.parts) else default


@dataclass(frozen=True, slots=True)
class MenuCallback:
    """A press on a menu tied to a stored conversation: token, action and arguments."""

    prefix: str
    token: str
    action: str
    args: tuple[str, ...]

    def arg(self, index: int = 0, default: str = "") -> str:
        """Return argument ``index`` or ``default``."""
        return self.args[index] if index < len(self.args) else default


def encode(prefix: str, *parts: str | int) -> str:
    """Build callback data; raise :class:`InvalidCallback` if it cannot be sent as is.

    Raises:
        InvalidCallback: unknown prefix, a part containing ``:`` or whitespace, or more than 64
            bytes in UTF-8.
    """
    if prefix not in PREFIXES:
        raise InvalidCallback(f"unknown callback prefix {prefix!r}")
    texts = [str(p) for p in parts]
    for text in texts:
        if not _PART_RE.match(text):
            raise InvalidCallback(f"callback part {text!r} contains ':' or whitespace")
    data = SEP.join([prefix, *texts])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise InvalidCallback(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback:
    """Parse callback data built by :func:`encode`.

    Raises:
        InvalidCallback: empty, too long, unknown prefix, or whitespace inside.
    """
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        raise InvalidCallback("empty or oversized callback data")
    prefix, *parts = data.split(SEP)
    if prefix not in PREFIXES:
        raise InvalidCallback(f"unknown callback prefix {prefix!r}")
    if any(not _PART_RE.match(p) for p in parts):
        raise InvalidCallback("whitespace in callback data")
    return Callback(prefix, tuple(parts))


def menu(prefix: str, token: str, action: str, *args: str | int) -> str:
    """Build data for a menu tied to a conversation state (``prefix:token:action:args``)."""
    return encode(prefix, token, action, *args)


def decode_menu(data: str | None, prefix: str) -> MenuCallback:
    """Parse data built by :func:`menu` for ``prefix``.

    Raises:
        InvalidCallback: anything that is not ``prefix:token:action[:args]``.
    """
    cb = decode(data)
    if cb.prefix != prefix or len(cb.parts) < 2 or not cb.parts[0] or not cb.parts[1]:
        raise InvalidCallback(f"not a {prefix!r} menu callback: {data!r}")
    return MenuCallback(prefix, cb.parts[0], cb.parts[1], cb.parts[2:])


def pattern(*prefixes: str) -> str:
    """A regex for ``CallbackQueryHandler(pattern=...)`` matching these prefixes."""
    for prefix in prefixes:
        if prefix not in PREFIXES:
            raise InvalidCallback(f"unknown callback prefix {prefix!r}")
    alternatives = "|".join(re.escape(p) for p in prefixes)
    return rf"^(?:{alternatives})(?::|$)"


# -- the daily loop's buttons: ``d:<action>[:<arg>...]`` ---------------------------------------
def day_code(day: date) -> str:
    """A day as a callback part: ``20250409``."""
    return day.strftime("%Y%m%d")


def parse_day_code(text: str) -> date | None:
    """The date of a ``yyyymmdd`` part, or ``None``."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def daily(action: str, *parts: str | int) -> str:
    """Callback data of a daily-loop button (layouts in :func:`daily_press`)."""
    return encode("d", action, *parts)


def daily_press(data: str | None) -> DailyPress | Snooze | None:
    """Parse a daily-loop button into what was pressed; ``None`` for anything malformed.

    =========================  ===========================================================
    ``d:k:<metric>:<yyyymmdd>``  log one KPI for a day: the bot asks for the number
    ``d:p``                      the date picker (the last seven days)
    ``d:day:<yyyymmdd>``         /log for that day
    ``d:u:<yyyymmdd>:<stamp>``   undo the save made at ``stamp`` (microseconds since 1970)
    ``d:ok:<token>:<metric>``    "Did you mean …?": keep the typed value
    ``d:fix:<token>:<metric>``   … take the suggested value
    ``d:re:<token>:<metric>``    … type it again
    ``d:z[:<yyyymmdd>]``         snooze the evening reminder for an hour
    ``d:t``                      show /today
    =========================  ===========================================================

    Never raises: forged, truncated or old data is ``None`` ("this menu has expired").
    """
    try:
        cb = decode(data)
    except InvalidCallback:
        return None
    if cb.prefix != "d" or not cb.parts:
        return None
    action, args = cb.parts[0], cb.parts[1:]
    if action == "k" and len(args) == 2 and args[0]:
        day = parse_day_code(args[1])
        return LogKpi(args[0], day) if day else None
    if action == "p" and not args:
        return PickDay()
    if action == "day" and len(args) == 1:
        day = parse_day_code(args[0])
        return PickDay(day) if day else None
    if action == "u" and len(args) == 2 and args[1].isdigit() and len(args[1]) <= 20:
        day = parse_day_code(args[0])
        return UndoSave(day, int(args[1])) if day else None
    if action in _CHOICES and len(args) == 2 and args[0] and args[1]:
        return Verdict(_CHOICES[action], args[0], args[1])
    if action == "z" and len(args) <= 1:
        return Snooze(parse_day_code(args[0]) if args else None)
    if action == "t" and not args:
        return ShowToday()
    return None


_CHOICES = {choice.value: choice for choice in Choice}
