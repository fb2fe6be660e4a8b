"""The daily loop in Telegram: /log, /today, quick forms, replies to reminders, /link.

Handlers are thin: parse the update, run one use case of :mod:`kpi_core.services.daily` in a
worker thread, render it with :mod:`bot.ui.daily_render`, reply. Domain errors become
their message, in the person's language.

Everything here is in :data:`DAILY_GROUP` (after onboarding, which consumes text only while its
own conversation is open). The little state the loop needs (a number asked for after a KPI
button, a "Did you mean …?" waiting for an answer) lives in the database
(:func:`kpi_core.services.daily.remember`), never in PTB's memory.

Free text in a private chat, in this order: the answer to a number the bot asked for; a reply
to the evening reminder (numbers in the order it listed, or a quick form); a quick form
(``calls 35, meetings 4``). Anything else is left alone.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from telegram import Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import Translator
from bot.scheduler import outbox
from bot.telegram import keyboards
from bot.telegram.context import BotContext
from bot.ui import callbacks, daily_render
from bot.ui.render import Menu, esc
from kpi_core.errors import DomainError
from kpi_core.parsing.numbers import NumberError, parse_amount
from kpi_core.parsing.quickform import (
    QuickForm,
    parse_day,
    parse_positional,
    parse_quick_form,
    resolve_day,
)
from kpi_core.services import daily
from kpi_core.tracking.reminders import zone

log = logging.getLogger(__name__)

DAILY_GROUP = 1
"""Handler group of the daily loop (onboarding's conversation handlers are in group 0)."""
REACTIVATE_GROUP = 2
PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS
STEP_VALUE = "value"
STEP_CONFIRM = "confirm"
STEP_REENTER = "reenter"


# -- helpers -----------------------------------------------------------------------------------
def _tg(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def _show(update: Update, context: BotContext, menu: Menu, *, edit: bool = False) -> None:
    """Send ``menu`` (or edit the pressed message in place)."""
    markup = keyboards.inline(menu)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(menu.text, parse_mode=ParseMode.HTML,
                                          reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in exc.message:
                return
            log.debug("Could not edit the message (%s); sending a new one", exc.message)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, menu.text, parse_mode=ParseMode.HTML,
                                   reply_markup=markup)


async def _say(update: Update, context: BotContext, text: str) -> None:
    await _show(update, context, Menu(esc(text)))


async def _run(context: BotContext, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a use case with a fresh unit of work in a worker thread."""
    return await context.run_sync(fn, context.services.uow_factory(), *args, **kwargs)


def _clock(context: BotContext) -> Any:
    return context.services.clock


# -- logging values ----------------------------------------------------------------------------
async def _save(
    update: Update,
    context: BotContext,
    values: Sequence[tuple[str, Decimal]],
    day: date | None,
    confirmed: Sequence[str] = (),
    *,
    edit: bool = False,
    note: str = "",
) -> None:
    """Log values (or ask "Did you mean …?" first) and reply."""
    s = context.services
    try:
        result = await _run(context, daily.log_values, s.clock, s.calendars, _tg(update),
                            list(values), day=day, confirmed=set(confirmed))
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    t = context.t
    if isinstance(result, daily.Logged):
        await _run(context, daily.forget, _tg(update))
        menu = daily_render.logged(t, result)
        if note:
            menu = Menu(menu.text + "\n\n" + note, menu.rows)
        await _show(update, context, menu, edit=edit)
        return
    data = {"day": result.day.isoformat(),
            "values": [[m, str(v)] for m, v in result.values],
            "confirmed": list(confirmed),
            "suggest": {o.metric_id: str(o.suggestion) for o in result.outliers
                        if o.suggestion is not None},
            "note": note}
    token = await _run(context, daily.remember, _tg(update), STEP_CONFIRM, data)
    await _show(update, context, daily_render.confirm_outlier(t, result, result.outliers[0], token),
                edit=edit)


def _values(data: dict[str, Any]) -> list[tuple[str, Decimal]]:
    return [(m, Decimal(v)) for m, v in data["values"]]


async def _quick_form(
    update: Update, context: BotContext, text: str, day: date | None = None
) -> bool:
    """Log a quick form; return False when the text is not one."""
    try:
        loggables = await _run(context, daily.loggables_of, _tg(update))
    except daily.NotSetUp:
        return False
    form: QuickForm = parse_quick_form(text, context.language, loggables, allow_day=day is None)
    if not form.looks_like_a_form:
        return False
    if form.day is not None:
        today = await _run(context, daily.today_of, _clock(context), _tg(update))
        day = resolve_day(form.day, today)
        if day is None:
            await _say(update, context, context.t._("That date does not exist. Try 12.05 or "
                                                    "yesterday."))
            return True
    problems = daily_render.quick_form_problems(context.t, form, loggables)
    if not form.values:
        await _show(update, context, Menu(problems or esc(context.t._("Nothing to log."))))
        return True
    await _save(update, context, [(v.metric_id, v.value) for v in form.values], day,
                note=problems)
    return True


# -- commands ----------------------------------------------------------------------------------
async def log_command(update: Update, context: BotContext) -> None:
    """/log: buttons for each KPI; ``/log yesterday``; ``/log calls 35, meetings 4``."""
    text = " ".join(context.args or [])
    ref = parse_day(text) if text else None
    if text and ref is None and await _quick_form(update, context, text):
        return
    try:
        day = None
        if ref is not None:
            today = await _run(context, daily.today_of, _clock(context), _tg(update))
            day = resolve_day(ref, today)
        menu = await _run(context, daily.log_menu, _clock(context), _tg(update), day)
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    await _show(update, context, daily_render.log_menu(context.t, menu))


async def today_command(update: Update, context: BotContext) -> None:
    """/today: today's quota per KPI and what is left this period."""
    s = context.services
    try:
        report = await _run(context, daily.today_report, s.clock, s.calendars, _tg(update))
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    await _show(update, context, daily_render.today_screen(context.t, report),
                edit=update.callback_query is not None)


async def link_command(update: Update, context: BotContext) -> None:
    """/link in a group: send the team digest here (team owner or admin only)."""
    chat = update.effective_chat
    assert chat is not None
    t = context.t
    try:
        _, team = await _run(context, daily.link_group, _tg(update), chat.id, chat.title or "",
                             context.language)
    except DomainError as exc:
        await _say(update, context, t.render(exc.message))
        return
    await _say(update, context, t._("Linked: the morning digest of the team “{team}” will come "
                                    "to this group on working days. /unlink stops it.")
               .format(team=team))


async def unlink_command(update: Update, context: BotContext) -> None:
    """/unlink in a group: stop the team digest here."""
    chat = update.effective_chat
    assert chat is not None
    t = context.t
    try:
        done = await _run(context, daily.unlink_group, _tg(update), chat.id)
    except DomainError as exc:
        await _say(update, context, t.render(exc.message))
        return
    await _say(update, context, t._("Unlinked: no more team digests here.") if done
               else t._("This group is not linked to a team."))


async def private_only(update: Update, context: BotContext) -> None:
    """/log or /today in a group: they work in a private chat."""
    await _say(update, context, context.t._("Send this command to me in a private chat."))


# -- buttons -----------------------------------------------------------------------------------
async def press_button(update: Update, context: BotContext) -> None:
    """Every ``d:`` button; the data says what was pressed, the database decides what is valid."""
    query = update.callback_query
    assert query is not None
    try:
        cb = callbacks.decode(query.data)
    except callbacks.InvalidCallback:
        await query.answer(context.t._("This menu has expired."))
        return
    action = cb.part(0)
    handler = _BUTTONS.get(action)
    if handler is None:
        await query.answer(context.t._("This menu has expired."))
        return
    await handler(update, context, cb.parts[1:])


async def _ask_value(update: Update, context: BotContext, args: Sequence[str]) -> None:
    """A KPI button: ask for its number."""
    query = update.callback_query
    assert query is not None
    day = daily_render.parse_day_code(args[1]) if len(args) > 1 else None
    try:
        menu = await _run(context, daily.log_menu, _clock(context), _tg(update), day)
    except DomainError as exc:
        await query.answer(context.t.render(exc.message), show_alert=True)
        return
    found = next(((item, value) for item, value in menu.items if item.metric_id == args[0]), None)
    if found is None:
        await query.answer(context.t._("This menu has expired."))
        return
    await _run(context, daily.remember, _tg(update), STEP_VALUE,
               {"metric": args[0], "day": menu.day.isoformat()})
    await query.answer()
    await _show(update, context, daily_render.ask_value(context.t, found[0], menu.day, menu.today,
                                                        found[1]))


async def _picker(update: Update, context: BotContext, args: Sequence[str]) -> None:
    """The date picker."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    today = await _run(context, daily.today_of, _clock(context), _tg(update))
    await _show(update, context, daily_render.day_picker(context.t, today), edit=True)


async def _pick_day(update: Update, context: BotContext, args: Sequence[str]) -> None:
    """A day from the picker: /log for that day."""
    query = update.callback_query
    assert query is not None
    day = daily_render.parse_day_code(args[0]) if args else None
    try:
        menu = await _run(context, daily.log_menu, _clock(context), _tg(update), day)
    except DomainError as exc:
        await query.answer(context.t.render(exc.message), show_alert=True)
        return
    await query.answer()
    await _show(update, context, daily_render.log_menu(context.t, menu), edit=True)


async def _undo(update: Update, context: BotContext, args: Sequence[str]) -> None:
    """Undo a save."""
    query = update.callback_query
    assert query is not None
    day = daily_render.parse_day_code(args[0]) if args else None
    if day is None or len(args) < 2 or not args[1].isdigit():
        await query.answer(context.t._("This menu has expired."))
        return
    try:
        result = await _run(context, daily.undo_log, _clock(context), _tg(update), day,
                            int(args[1]))
    except DomainError as exc:
        await query.answer(context.t.render(exc.message), show_alert=True)
        return
    await query.answer()
    if query.message is not None:
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(None)
    await _show(update, context, daily_render.undone(context.t, result))


async def _confirm(update: Update, context: BotContext, args: Sequence[str]) -> None:
    """An answer to "Did you mean …?": keep, take the suggestion, or type again."""
    query = update.callback_query
    assert query is not None
    action = callbacks.decode(query.data).part(0)
    token, metric = (args[0], args[1]) if len(args) > 1 else ("", "")
    state = await _run(context, daily.recall, _tg(update), token)
    if state is None or state.step != STEP_CONFIRM:
        await query.answer(context.t._("This menu has expired."))
        return
    await query.answer()
    data = dict(state.data)
    values = dict(_values(data))
    if metric not in values:
        return
    if action == "re":
        await _run(context, daily.remember, _tg(update), STEP_REENTER, {**data, "metric": metric})
        await _show(update, context, Menu(esc(context.t._("Send the right number, then."))),
                    edit=True)
        return
    if action == "fix" and metric in data.get("suggest", {}):
        values[metric] = Decimal(data["suggest"][metric])
    confirmed = [*data.get("confirmed", []), metric]
    await _save(update, context, list(values.items()), date.fromisoformat(data["day"]),
                confirmed, edit=True, note=data.get("note", ""))


async def _snooze(update: Update, context: BotContext, args: Sequence[str]) -> None:
    """Snooze the reminder for an hour."""
    query = update.callback_query
    assert query is not None
    message = query.message
    chat = update.effective_chat
    assert chat is not None
    due = None
    if message is not None:
        due = await _run(context, outbox.snooze_reminder, _clock(context).now(), chat.id,
                         message.message_id)
    t = context.t
    if due is None:
        await query.answer(t._("Too late to snooze today's reminder."), show_alert=True)
        return
    zone_name = await _run(context, daily.zone_of, _tg(update))
    local = due.astimezone(zone(zone_name))
    await query.answer(t._("I will remind you again at {time}.").format(time=t.time(local)))


async def _today_button(update: Update, context: BotContext, args: Sequence[str]) -> None:
    """The "Today" button."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    s = context.services
    try:
        report = await _run(context, daily.today_report, s.clock, s.calendars, _tg(update))
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    await _show(update, context, daily_render.today_screen(context.t, report))


_BUTTONS = {
    "k": _ask_value,
    "p": _picker,
    "day": _pick_day,
    "u": _undo,
    "ok": _confirm,
    "fix": _confirm,
    "re": _confirm,
    "z": _snooze,
    "t": _today_button,
}


# -- free text ---------------------------------------------------------------------------------
async def receive_text(update: Update, context: BotContext) -> None:
    """A number the bot asked for, a reply to the reminder, or a quick form."""
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    text = message.text
    state = await _run(context, daily.recall, _tg(update))
    if state is not None and state.step in (STEP_VALUE, STEP_REENTER):
        if _is_number(text, context.language) or not any(ch.isalpha() for ch in text):
            await _answer_number(update, context, text, state.step, dict(state.data))
            return
        await _run(context, daily.forget, _tg(update))  # moved on: words, not the number
    reply_to = message.reply_to_message
    if reply_to is not None and reply_to.from_user is not None and \
            reply_to.from_user.id == context.bot.id:
        chat = update.effective_chat
        assert chat is not None
        day = await _run(context, daily.reminder_day, chat.id, reply_to.message_id)
        if day is not None and await _reply_to_reminder(update, context, text, day):
            return
    if await _quick_form(update, context, text):
        return
    if any(ch.isdigit() for ch in text):
        await _say(update, context, context.t._(
            "To log results, send them like “calls 35, meetings 4”, or use /log."))


def _is_number(text: str, language: str) -> bool:
    try:
        parse_amount(text, language)
    except NumberError:
        return False
    return True


async def _answer_number(
    update: Update, context: BotContext, text: str, step: str, data: dict[str, Any]
) -> None:
    t: Translator = context.t
    try:
        value = parse_amount(text, context.language)
    except NumberError as exc:
        await _say(update, context, t.render(exc.message))
        return
    day = date.fromisoformat(data["day"])
    if step == STEP_VALUE:
        await _save(update, context, [(data["metric"], value)], day)
        return
    values = dict(_values(data))
    values[data["metric"]] = value
    confirmed = [m for m in data.get("confirmed", []) if m != data["metric"]]
    await _save(update, context, list(values.items()), day, confirmed, note=data.get("note", ""))


async def _reply_to_reminder(update: Update, context: BotContext, text: str, day: date) -> bool:
    """Numbers in the reminder's order, or a quick form, for the reminder's day."""
    if any(ch.isalpha() for ch in text.replace("k", "").replace("к", "")):
        return await _quick_form(update, context, text, day)
    loggables = await _run(context, daily.loggables_of, _tg(update))
    numbers = parse_positional(text, context.language, len(loggables))
    if numbers is None:
        names = ", ".join(daily_render.label(context.t, i.label_message) for i in loggables)
        await _say(update, context, context.t._(
            "Send the numbers in this order, separated by commas: {names}.").format(names=names))
        return True
    await _save(update, context, [(i.metric_id, v) for i, v in zip(loggables, numbers,
                                                                        strict=False)], day)
    return True


# -- the chat's state --------------------------------------------------------------------------
async def reactivate_user(update: Update, context: BotContext) -> None:
    """A person who blocked the bot writes again: reminders and digests resume."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != chat.PRIVATE or update.message is None:
        return
    await _run(context, daily.reactivate, user.id)


async def bot_membership(update: Update, context: BotContext) -> None:
    """The bot was removed from a group: stop the team digest there."""
    change = update.my_chat_member
    if change is None:
        return
    if change.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
        chat = change.chat
        if chat.id < 0:
            await _run(context, daily.deactivate_chat, chat.id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add the daily loop's handlers (group :data:`DAILY_GROUP`)."""
    group = DAILY_GROUP
    app.add_handler(CommandHandler("log", log_command, filters=PRIVATE), group)
    app.add_handler(CommandHandler("today", today_command, filters=PRIVATE), group)
    app.add_handler(CommandHandler(["log", "today"], private_only, filters=GROUPS), group)
    app.add_handler(CommandHandler("link", link_command, filters=GROUPS), group)
    app.add_handler(CommandHandler("unlink", unlink_command, filters=GROUPS), group)
    app.add_handler(CallbackQueryHandler(press_button, pattern=callbacks.pattern("d")), group)
    # Only new messages log numbers: an edited message must not be logged a second time.
    app.add_handler(MessageHandler(
        PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, receive_text
    ), group)
    app.add_handler(ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER), group)
    app.add_handler(TypeHandler(Update, reactivate_user), REACTIVATE_GROUP)
