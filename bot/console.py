"""``kpi-coach console``: the same conversation as in Telegram, in a terminal.

The same use cases (:mod:`kpi_core.services.onboarding`), the same database and the same
rendering (:mod:`bot.ui.render`) as the bot; buttons become numbered options. It reads
answers from standard input line by line, so it can be scripted::

    printf '1\\n1\\n2\\n2\\ndone\\n' | kpi-coach console --lang en

What can be typed:

* a number — press that option (``3``); at a question that takes a number or an amount the
  number is the answer, and ``#3`` presses option 3; where text is taken (a time), a number
  with no option of its own is typed (``7`` at the evening reminder);
* several numbers at a multiple choice — exactly those options, then Done (``1,3,4``);
* ``done`` / ``готово``, ``back`` / ``назад``, ``skip`` / ``пропустить``, ``save`` / ``сохранить``
  — the buttons of that name;
* ``/start``, ``/start join_<code>`` (join a team), ``/restart``, ``/cancel``, ``/plan``,
  ``/kpis``, ``/team``, ``/today``, ``/settings``, ``/language [en|ru]``, ``/help``,
  ``/privacy``, ``/delete_me``, ``/quit`` (results are logged in Telegram);
* anything else — a typed answer (an amount, a city, a time).

It exits with code 0 at the end of input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TextIO

from bot.calendars import HolidaysCalendarProvider
from bot.clock import SystemClock
from bot.i18n import SUPPORTED_LANGUAGES, Translator, resolve_language, translator
from bot.settings import load_settings
from bot.timezone_lookup import canonical_zone, country_code
from bot.ui import callbacks, render
from kpi_core.advice.questionnaire import Kind, Validators
from kpi_core.ports import Clock, UnitOfWork
from kpi_core.services import onboarding as use
from kpi_core.services import team as use_team
from kpi_core.services.membership import invite_code_from_payload

CONSOLE_USER_ID = 0
"""The console's person: Telegram never gives id 0 to anyone."""

_DONE_WORDS = {"done", "готово", "d"}
_BACK_WORDS = {"back", "назад", "b"}
_SKIP_WORDS = {"skip", "пропустить", "s"}
_SAVE_WORDS = {"save", "ok", "сохранить", "ок"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``console`` subcommand."""
    parser = subparsers.add_parser(
        "console",
        help="talk to the bot in the terminal (the same conversation as in Telegram)",
        description=(
            "Run the onboarding and the commands in the terminal, over the same database. "
            "Options are numbered; answers are read from standard input, so a file or a pipe "
            "works too. Ends at the end of input."
        ),
    )
    parser.add_argument("--lang", choices=SUPPORTED_LANGUAGES, default=None, help="language (default: the stored one, else DEFAULT_LANGUAGE)")
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL (default: DATABASE_URL or the SQLite file in DATA_DIR)")
    parser.add_argument("--user-id", type=int, default=CONSOLE_USER_ID, help="Telegram id to act as (default: 0, a console-only person)")
    parser.set_defaults(handler=run_console)


class Console:
    """One person's conversation over standard input and output."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        user_id: int,
        language: str,
        out: TextIO,
    ) -> None:
        self._new_uow = uow_factory
        self._clock = clock
        self._out = out
        self._who = use.Who(chat_id=user_id, telegram_id=user_id, language=language, name="Console")
        self._deps = use.Deps(
            clock=clock,
            calendars=HolidaysCalendarProvider(),
            validators=Validators(
                zone_name=canonical_zone,
                country_supported=HolidaysCalendarProvider().supports,
                country_code=country_code,
            ),
        )
        self._reply: use.Reply | None = None
        self._buttons: list[render.Button] = []

    @property
    def t(self) -> Translator:
        """The translator of the current language."""
        return translator(self._who.language)

    # -- running --------------------------------------------------------------------------
    def run(self, lines: Iterable[str]) -> int:
        """Start (or resume) the setup, then apply each line of input; return 0."""
        self._call(use.begin)
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            if line in ("/quit", "/exit"):
                break
            self.handle(line)
        return 0

    def handle(self, line: str) -> None:
        """Apply one line of input."""
        if line.startswith("/"):
            self._command(line)
            return
        if line.startswith("#") and line[1:].isdigit():  # "#2": the second button, even at a number question
            self._press_numbers([int(line[1:])])
            return
        lowered = line.lower()
        numbers = [p.strip() for p in line.replace(" ", "").split(",")]
        if all(p.isdigit() for p in numbers) and self._buttons and self._is_choice(numbers):
            self._press_numbers([int(p) for p in numbers])
        elif lowered in _DONE_WORDS | _BACK_WORDS | _SKIP_WORDS | _SAVE_WORDS and self._named(lowered):
            pass
        else:
            self._call(use.typed, line)

    def _is_choice(self, numbers: list[str]) -> bool:
        view = self._reply.view if self._reply else None
        # A number typed at a step that takes numbers is an answer, unless it names a button
        # ("#2"); at a step that takes other text (a time, a country), a number with no option
        # of its own is typed text too: "7" at the evening reminder is 19:00.
        if isinstance(view, use.QuestionView) and view.screen.accepts_text and len(numbers) == 1:
            if view.screen.question.kind in (Kind.NUMBER, Kind.AMOUNT):
                return False
            return 1 <= int(numbers[0]) <= len(self._buttons)
        return True

    # -- commands -------------------------------------------------------------------------
    def _command(self, line: str) -> None:
        name, _, rest = line[1:].partition(" ")
        commands: dict[str, Callable[[], None]] = {
            "start": lambda: self._start(rest.strip()),
            "team": lambda: self._call(use_team.open_team),
            "today": self._today,
            "log": lambda: self._print(self.t._("Results are logged in Telegram (/log there); here /today shows today's quotas.")),
            "restart": lambda: self._call(use.begin, restart=True),
            "cancel": lambda: self._call(use.cancel),
            "plan": lambda: self._call(use.open_plan),
            "kpis": lambda: self._call(use.open_kpis),
            "settings": lambda: self._call(use.open_settings),
            "delete_me": lambda: self._call(use.open_delete),
            "language": lambda: self._language(rest.strip()),
            "help": lambda: self._print(self.t._("Options are numbered: type a number to choose. At a multiple choice type several numbers, like 1,3,4. Commands: /start /restart /cancel /today /plan /kpis /team /settings /language /privacy /delete_me /quit")),
            "privacy": lambda: self._print(self.t._("Everything is stored in the bot's database: your settings, answers, plan, KPIs and results. /delete_me erases it.")),
        }
        action = commands.get(name.lower())
        if action is None:
            self._print(self.t._("Unknown command. /help lists the commands."))
            return
        action()

    def _today(self) -> None:
        """Today's quotas and progress: the bot's /today, as text (its buttons are Telegram's)."""
        from bot.ui import daily_render
        from kpi_core.errors import DomainError
        from kpi_core.services import daily

        try:
            report = daily.today_report(
                self._new_uow(), self._clock, self._deps.calendars, self._who.telegram_id
            )
        except DomainError as exc:
            self._print(self.t.render(exc.message))
            return
        self._print(render.plain(daily_render.today_screen(self.t, report).text))
        self._buttons = []

    def _start(self, payload: str) -> None:
        code = invite_code_from_payload(payload)
        if code is not None:
            self._call(use.join, code)
        else:
            self._call(use.begin)

    def _language(self, code: str) -> None:
        if code in SUPPORTED_LANGUAGES:
            self._set_language(code)
            return
        self._show_menu(render.language_menu(self.t))

    def _set_language(self, code: str) -> None:
        self._who = use.Who(self._who.chat_id, self._who.telegram_id, code, self._who.name)
        reply = use.set_language(self._new_uow(), self._deps, self._who, code)
        self._print(render.language_switched(self.t))
        if reply.view is not None:
            self._show(reply)

    # -- buttons --------------------------------------------------------------------------
    def _named(self, word: str) -> bool:
        """Press the button a word names: done, back, skip (questions) or save (KPI list)."""
        wanted = {"d": _DONE_WORDS, "b": _BACK_WORDS, "s": _SKIP_WORDS, "ok": _SAVE_WORDS, "back": _BACK_WORDS}
        for button in self._buttons:
            try:
                cb = callbacks.decode(button.data)
            except callbacks.InvalidCallback:
                continue
            action = cb.part(1)
            if cb.prefix in (use.PREFIX_QUESTION, use.PREFIX_REVIEW) and word in wanted.get(action, ()):
                self._press(button)
                return True
        return False

    def _press_numbers(self, numbers: list[int]) -> None:
        if any(not 1 <= n <= len(self._buttons) for n in numbers):
            self._print(self.t._("There is no option with that number."))
            self._redraw()
            return
        view = self._reply.view if self._reply else None
        multi = isinstance(view, use.QuestionView) and view.screen.can_done
        if not multi or len(numbers) == 1:
            self._press(self._buttons[numbers[0] - 1])
            return
        assert isinstance(view, use.QuestionView)
        wanted = {n - 1 for n in numbers}
        toggles = [
            button for i, button in enumerate(self._buttons)
            if i < len(view.screen.options) and (i in wanted) != view.screen.options[i].selected
        ]
        done = next((b for b in self._buttons if b.data.endswith(":d")), None)
        for button in toggles:
            self._press(button, quiet=True)
        if done is not None:
            self._press(done)

    def _press(self, button: render.Button, *, quiet: bool = False) -> None:
        cb = callbacks.decode(button.data)
        if cb.prefix == "lang":
            self._language(cb.part(0))
            return
        if cb.prefix == "tm":
            self._call(use_team.press, cb.part(0), cb.part(1), quiet=quiet)
            return
        pressed = use.Press(cb.prefix, cb.part(0), cb.part(1), cb.parts[2:])
        self._call(use.press, pressed, quiet=quiet)

    # -- output ---------------------------------------------------------------------------
    def _call(self, fn: Callable[..., use.Reply], *args: object, quiet: bool = False, **kwargs: object) -> None:
        reply = fn(self._new_uow(), self._deps, self._who, *args, **kwargs)
        if not reply.handled:
            self._print(self.t._("Nothing is open right now. /help lists the commands."))
            return
        if quiet and reply.error is None:
            self._reply = reply
            self._refresh_buttons(reply)
            return
        self._show(reply)

    def _refresh_buttons(self, reply: use.Reply) -> None:
        menu = render.render(translator(reply.language), reply, self._now())
        self._buttons = _pressable(menu) if menu else []

    def _show(self, reply: use.Reply) -> None:
        self._reply = reply
        menu = render.render(translator(reply.language), reply, self._now())
        if menu is None:
            self._buttons = []
            return
        self._show_menu(menu)

    def _show_menu(self, menu: render.Menu) -> None:
        self._buttons = _pressable(menu)
        lines = [render.plain(menu.text)]
        number = 0
        # One line per row of buttons, as in Telegram: "✖" stays next to the KPI it removes.
        for row in menu.rows:
            cells = []
            for button in row:
                if button.url is None:
                    number += 1
                    cells.append(f"{number}) {button.label}")
            if cells:
                lines.append("  " + "   ".join(cells))
        self._print("\n".join(lines))

    def _redraw(self) -> None:
        if self._reply is not None:  # the step again, without the last answer's error
            self._show(replace(self._reply, error=None, notice=None, zone=None))

    def _print(self, text: str) -> None:
        self._out.write(text + "\n\n")
        self._out.flush()

    def _now(self) -> datetime:
        return self._clock.now()


def _pressable(menu: render.Menu) -> list[render.Button]:
    """The menu's buttons that do something here (links open only in Telegram)."""
    return [b for row in menu.rows for b in row if b.url is None]


def stored_language(uow: UnitOfWork, telegram_id: int) -> str | None:
    """The person's stored language, if they are known."""
    with uow:
        user = uow.users.by_telegram_id(telegram_id)
        return user.language if user else None


def run_console(args: argparse.Namespace, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the console conversation; exit code 0 at the end of input."""
    from bot.storage import prepare_database, uow_factory

    settings = load_settings()
    url = args.database_url or settings.resolved_database_url()
    engine = prepare_database(url)
    try:
        clock = SystemClock()
        factory = uow_factory(engine, clock)
        stored = stored_language(factory(), args.user_id)
        language = resolve_language(args.lang or stored or settings.default_language)
        if args.lang and stored and args.lang != stored:
            use.set_language(factory(), use.Deps(clock, HolidaysCalendarProvider()), use.Who(args.user_id, args.user_id, args.lang), args.lang)
        console = Console(factory, clock, args.user_id, language, stdout or sys.stdout)
        return console.run(stdin or sys.stdin)
    finally:
        engine.dispose()
