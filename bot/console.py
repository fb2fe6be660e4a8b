"""``kpi-coach console``: the same conversation as in Telegram, in a terminal.

The same use cases (:mod:`kpi_core.services.onboarding`, :mod:`kpi_core.services.daily_loop`,
:mod:`kpi_core.services.team`), the same database and the same rendering (:mod:`bot.ui`) as the
bot; buttons become numbered options. It reads lines from standard input, so it can be
scripted::

    printf '1\\n1\\n2\\n2\\ndone\\n' | kpi-coach console --lang en

What can be typed:

* ``#3`` — press option 3, always (``#1,3,4`` ticks several options of a multiple choice);
* a bare number — press that option where the screen has only buttons (and at a time
  question, an option's number); where a number is the answer (a plan, a head count, the
  value /log asked for) a typed number is always the answer: ``9,500,000``, ``2,5``;
* ``done`` / ``готово``, ``back`` / ``назад``, ``skip`` / ``пропустить``, ``save`` /
  ``сохранить`` — the buttons of that name;
* a results line, as in Telegram: ``calls 35, meetings 4`` or ``вчера: звонки 30``;
* ``/start``, ``/start join_<code>``, ``/restart``, ``/cancel``, ``/log [day or results]``,
  ``/today``, ``/digest`` (the morning digest that would be sent now), ``/report`` and
  ``/report month`` (the weekly and monthly report that would be sent), ``/plan``, ``/kpis``,
  ``/team``, ``/settings``, ``/language [en|ru]``, ``/help``, ``/privacy``, ``/delete_me``,
  ``/quit``;
* anything else — a typed answer (an amount, a city, a time).

It exits with code 0 at the end of input.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.calendars import HolidaysCalendarProvider
from bot.charts import draw_progress
from bot.clock import SystemClock
from bot.i18n import SUPPORTED_LANGUAGES, Translator, resolve_language, translator
from bot.settings import load_settings
from bot.timezone_lookup import canonical_zone, city_zone, country_code, zone_suggestions
from bot.ui import callbacks, daily_render, digests, render, reports
from kpi_core.advice.questionnaire import Kind, Validators
from kpi_core.ports import Clock, UnitOfWork
from kpi_core.services import daily_loop
from kpi_core.services import onboarding as use
from kpi_core.services import team as use_team
from kpi_core.services.common import Deps, Who
from kpi_core.services.membership import invite_code_from_payload
from kpi_core.tracking.reports import ReportKind

CONSOLE_USER_ID = 0
"""The console's person: Telegram never gives id 0 to anyone."""

_DONE_WORDS = {"done", "готово", "d"}
_BACK_WORDS = {"back", "назад", "b"}
_SKIP_WORDS = {"skip", "пропустить", "s"}
_SAVE_WORDS = {"save", "ok", "сохранить", "ок"}
_NAMED_WORDS = _DONE_WORDS | _BACK_WORDS | _SKIP_WORDS | _SAVE_WORDS
_MENU_PREFIXES = render.MENU_PREFIXES
"""Buttons of the stored conversations, whose second part names the action."""


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
    parser.add_argument("--lang", choices=SUPPORTED_LANGUAGES, default=None,
                        help="language (default: the stored one, else DEFAULT_LANGUAGE)")
    parser.add_argument(
        "--database-url", default=None,
        help="SQLAlchemy URL (default: DATABASE_URL or the SQLite file in DATA_DIR)",
    )
    parser.add_argument("--user-id", type=int, default=CONSOLE_USER_ID,
                        help="Telegram id to act as (default: 0, a console-only person)")
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
        *,
        width: int | None = None,
        prompt: str = "",
        echo: bool = False,
        chart_dir: Path | None = None,
    ) -> None:
        self._new_uow = uow_factory
        self._chart_dir = chart_dir
        self._clock = clock
        self._out = out
        self._width = width
        self._prompt = prompt
        self._echo = echo
        self._who = Who(chat_id=user_id, telegram_id=user_id, language=language, name="Console")
        calendars = HolidaysCalendarProvider()
        self._deps = Deps(
            clock=clock,
            calendars=calendars,
            validators=Validators(
                zone_name=canonical_zone,
                country_supported=calendars.supports,
                country_code=country_code,
                city_zone=city_zone,
                zone_suggestions=zone_suggestions,
            ),
        )
        self._reply: use.Reply | None = None
        self._daily: daily_loop.DailyReply | None = None
        self._buttons: list[render.Button] = []

    @property
    def t(self) -> Translator:
        """The translator of the current language."""
        return translator(self._who.language)

    # -- running --------------------------------------------------------------------------
    def run(self, lines: Iterable[str]) -> int:
        """Greet, start (or resume) the setup, then apply each line of input; return 0."""
        self._print(self.t._(
            "KPI Coach in the terminal. Type your answers; #2 presses option 2; "
            "/help lists the commands, /quit ends."))
        self._call(use.begin)
        self._ask()
        for raw in lines:
            line = raw.strip()
            if line in ("/quit", "/exit"):
                break
            if line and self._echo:  # input from a file: the output reads as a transcript
                self._out.write(f"› {line}\n")
            if line:
                self.handle(line)
            self._ask()
        return 0

    def _ask(self) -> None:
        if self._prompt:
            self._out.write(self._prompt)
            self._out.flush()

    def handle(self, line: str) -> None:
        """Apply one line of input."""
        if line.startswith("/"):
            self._command(line)
            return
        chosen = _option_numbers(line[1:]) if line.startswith("#") else None
        if chosen is not None:
            self._press_numbers(chosen)
            return
        numbers = _option_numbers(line)
        if numbers is not None and self._buttons and self._is_choice(numbers):
            self._press_numbers(numbers)
        elif line.lower() in _NAMED_WORDS and self._named(line.lower()):
            pass
        else:
            self._typed(line)

    def _is_choice(self, numbers: list[int]) -> bool:
        """Whether bare numbers press options here (see the module docs)."""
        if self._daily is not None:
            return len(numbers) == 1  # the daily loop's screens: buttons or typed results
        view = self._reply.view if self._reply else None
        if not isinstance(view, use.QuestionView):
            return len(numbers) == 1
        screen = view.screen
        if len(numbers) > 1:
            return screen.can_done  # "1,3,4" ticks options only at a multiple choice
        if not screen.accepts_text:
            return True
        if screen.question.kind in (Kind.NUMBER, Kind.AMOUNT):
            return False  # a number is the answer: "10" people, not option 10
        # Where other text is taken (a time), a number with no option of its own is typed:
        # "7" at the evening reminder is 19:00.
        return 1 <= numbers[0] <= len(self._buttons)

    def _typed(self, line: str) -> None:
        """Typed text: the daily loop's when the person is set up, else the conversation's."""
        reply = daily_loop.typed(self._new_uow(), self._deps, self._who, line)
        if reply.handled:
            self._show_daily(reply)
            return
        self._call(use.typed, line)

    # -- commands -------------------------------------------------------------------------
    def _command(self, line: str) -> None:
        name, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        commands: dict[str, Callable[[], None]] = {
            "start": lambda: self._start(rest),
            "team": lambda: self._call(use_team.open_team),
            "today": lambda: self._show_daily(
                daily_loop.today(self._new_uow(), self._deps, self._who)),
            "log": lambda: self._show_daily(
                daily_loop.log_command(self._new_uow(), self._deps, self._who, rest)),
            "digest": self._digest,
            "progress": lambda: self._progress(rest),
            "report": lambda: self._report(rest),
            "restart": lambda: self._call(use.begin, restart=True),
            "cancel": lambda: self._call(use.cancel),
            "plan": lambda: self._call(use.open_plan),
            "kpis": lambda: self._call(use.open_kpis),
            "settings": lambda: self._call(use.open_settings),
            "delete_me": lambda: self._call(use.open_delete),
            "language": lambda: self._language(rest),
            "help": lambda: self._print(self.t._(
                "Options are numbered: #2 presses option 2 (a bare 2 works where there are only "
                "buttons); at a multiple choice #1,3,4 ticks several. Where a number is the "
                "answer, type it as it is: 9,500,000. Back, skip, done and save are words too. "
                "Log results in one line: calls 35, meetings 4. Commands: /start /restart "
                "/cancel /log /today /progress /digest /report /plan /kpis /team /settings "
                "/language /privacy /delete_me /quit")),
            "privacy": lambda: self._print(self.t._(
                "Everything is stored in the bot's database: your settings, answers, plan, KPIs "
                "and results. /delete_me erases it.")),
        }
        action = commands.get(name.lower())
        if action is None:
            self._print(self.t._("Unknown command. /help lists the commands."))
            return
        action()

    def _digest(self) -> None:
        """The morning digest that would be sent now (whatever the hour)."""
        preview = daily_loop.digest_preview(self._new_uow(), self._deps, self._who)
        if preview.digest is None:
            self._print(translator(preview.language).render(preview.reason))
            return
        self._daily = None
        self._show_menu(digests.digest(translator(preview.language), preview.digest))

    def _progress(self, rest: str) -> None:
        """/progress: the charts as PNG files (the current folder unless told), their paths."""
        team_only = rest.lower() in ("team", "команда")
        drawn = draw_progress(self._new_uow(), self._deps, self._who, team_only=team_only)
        t = translator(drawn.language)
        folder = self._chart_dir or Path.cwd()
        for i, picture in enumerate(drawn.pictures):
            name = "team" if team_only or i > 0 else "progress"
            path = folder / f"{name}-{drawn.today.isoformat()}.png"
            path.write_bytes(picture.png)
            self._print(t._("{caption}: saved to {path}").format(caption=picture.caption,
                                                                   path=path))
        if drawn.notice is not None:
            self._print(drawn.notice)

    def _report(self, which: str) -> None:
        """The weekly report that would be sent this week (``/report month``: the monthly)."""
        kind = ReportKind.MONTH if which.lower() in ("month", "месяц") else ReportKind.WEEK
        preview = daily_loop.report_preview(self._new_uow(), self._deps, self._who, kind)
        if preview.report is None:
            self._print(translator(preview.language).render(preview.reason))
            return
        self._daily = None
        self._show_menu(reports.report(translator(preview.language), preview.report))

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
        self._who = Who(self._who.chat_id, self._who.telegram_id, code, self._who.name)
        reply = use.set_language(self._new_uow(), self._deps, self._who, code)
        self._print(render.language_switched(self.t))
        if reply.view is not None:
            self._show(reply)

    # -- buttons --------------------------------------------------------------------------
    def _named(self, word: str) -> bool:
        """Press the button a word names: done, back, skip (questions) or save (KPI list)."""
        wanted = {"d": _DONE_WORDS, "b": _BACK_WORDS, "s": _SKIP_WORDS, "ok": _SAVE_WORDS,
                  "back": _BACK_WORDS}
        for button in self._buttons:
            try:
                cb = callbacks.decode(button.data)
            except callbacks.InvalidCallback:
                continue
            if cb.prefix in _MENU_PREFIXES and word in wanted.get(cb.part(1), ()):
                self._press(button)
                return True
        return False

    def _press_numbers(self, numbers: list[int]) -> None:
        if any(not 1 <= n <= len(self._buttons) for n in numbers):
            self._print(self.t._("There is no option with that number."))
            self._redraw()
            return
        view = self._reply.view if self._reply and self._daily is None else None
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
        if cb.prefix == "d":
            pressed = callbacks.daily_press(button.data)
            if isinstance(pressed, daily_loop.Snooze):
                self._print(self.t._("Reminders are snoozed in Telegram."))
                return
            self._show_daily(daily_loop.press(self._new_uow(), self._deps, self._who, pressed))
            return
        try:
            menu_press = render.press_of(button.data)
        except callbacks.InvalidCallback:  # a button of a screen that has been closed
            self._print(self.t._("This menu has expired."))
            return
        self._call(use.press, menu_press, quiet=quiet)

    # -- output ---------------------------------------------------------------------------
    def _call(
        self, fn: Callable[..., use.Reply], *args: object, quiet: bool = False,
        **kwargs: object,
    ) -> None:
        reply = fn(self._new_uow(), self._deps, self._who, *args, **kwargs)
        if not reply.handled:
            self._print(self.t._("Nothing is open right now. /help lists the commands."))
            return
        if quiet and reply.error is None:
            self._reply = reply
            self._daily = None
            self._refresh_buttons(reply)
            return
        self._show(reply)

    def _refresh_buttons(self, reply: use.Reply) -> None:
        menu = render.render(translator(reply.language), reply, self._now())
        self._buttons = _pressable(menu) if menu else []

    def _show(self, reply: use.Reply) -> None:
        self._reply = reply
        self._daily = None
        menu = render.render(translator(reply.language), reply, self._now())
        if menu is None:
            self._buttons = []
            return
        self._show_menu(menu)

    def _show_daily(self, reply: daily_loop.DailyReply) -> None:
        """A daily-loop reply: the button's toast (if any), then its screen."""
        t = translator(reply.language)
        if reply.toast is not None:
            self._print(t.render(reply.toast))
        menu = daily_render.show(t, reply)
        if menu is None:
            return
        self._daily = reply
        self._show_menu(menu)

    def _show_menu(self, menu: render.Menu) -> None:
        self._buttons = _pressable(menu)
        lines = [self._wrap(render.plain(menu.text))]
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

    def _wrap(self, text: str) -> str:
        """Wrap long lines at word boundaries for a terminal (a pipe gets lines as they are)."""
        if not self._width:
            return text
        width = max(40, min(self._width, 100))
        return "\n".join(
            textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False,
                          subsequent_indent=_indent_of(line))
            if len(line) > width else line
            for line in text.split("\n")
        )

    def _redraw(self) -> None:
        if self._daily is not None:
            self._show_daily(replace(self._daily, toast=None))
        elif self._reply is not None:  # the step again, without the last answer's error
            self._show(replace(self._reply, error=None, notice=None, zone=None))

    def _print(self, text: str) -> None:
        self._out.write(text + "\n\n")
        self._out.flush()

    def _now(self) -> datetime:
        return self._clock.now()


def _option_numbers(text: str) -> list[int] | None:
    """``2`` or ``1,3,4`` (spaces allowed) as option numbers; ``None`` for anything else."""
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    if not parts or not all(p.isdigit() and len(p) <= 3 for p in parts):
        return None
    return [int(p) for p in parts]


def _indent_of(line: str) -> str:
    """The indent a wrapped list line continues with ("• " items hang under their text)."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    return indent + ("  " if stripped[:2] in ("• ", "- ") else "")


def _pressable(menu: render.Menu) -> list[render.Button]:
    """The menu's buttons that do something here (links open only in Telegram)."""
    return [b for row in menu.rows for b in row if b.url is None]


def stored_language(uow: UnitOfWork, telegram_id: int) -> str | None:
    """The person's stored language, if they are known."""
    with uow:
        user = uow.users.by_telegram_id(telegram_id)
        return user.language if user else None


def run_console(
    args: argparse.Namespace, *, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
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
            use.set_language(factory(), Deps(clock, HolidaysCalendarProvider()),
                             Who(args.user_id, args.user_id, args.lang), args.lang)
        stream_in = stdin or sys.stdin
        stream_out = stdout or sys.stdout
        interactive = stream_in.isatty()
        prompt = "› " if interactive else ""
        width = shutil.get_terminal_size().columns if stream_out.isatty() else None
        console = Console(factory, clock, args.user_id, language, stream_out, prompt=prompt,
                          width=width, echo=not interactive)
        return console.run(stream_in)
    finally:
        engine.dispose()
