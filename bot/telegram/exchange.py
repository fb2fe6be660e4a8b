"""``/export`` and ``/import`` in Telegram: a file of entries out, a file of past entries in.

Thin handlers over :mod:`kpi_core.services.exchange`; the files are written and read by
:mod:`bot.exchange` in the worker thread. ``/export`` asks for the format (``x:...`` buttons),
then sends the file as a document. A document sent in a private chat is an import: its size is
checked before downloading (Telegram lets a bot download 20 MB at most), then its preview is
shown with ✅ Import / Cancel (``im:<token>:...``); the pending rows wait in the database.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from pathlib import Path

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.exchange.common import MAX_FILE_BYTES
from bot.exchange.readers import read_table
from bot.exchange.writers import write_csv, write_xlsx
from bot.i18n import translator
from bot.telegram import keyboards
from bot.telegram.context import BotApplication, BotContext, Services
from bot.telegram.onboarding import CONVERSATION_GROUP, deps, who
from bot.ui import callbacks
from bot.ui import exchange as render
from bot.ui.render import Menu, esc
from kpi_core.errors import DomainError
from kpi_core.exchange.table import Scope, file_name
from kpi_core.services import exchange
from kpi_core.services.common import Deps, Who

PRIVATE = filters.ChatType.PRIVATE


def export_file(services: Services, deps: Deps, who: Who, scope: Scope, kind: str) -> Path:
    """The export written to a temporary file (the caller sends and deletes it)."""
    table = exchange.export_table(services.uow_factory(), deps, who, scope)
    folder = Path(tempfile.mkdtemp(prefix="kpi-export-"))
    path = folder / file_name(table.title, table.made_on, kind)
    if kind == "xlsx":
        write_xlsx(table, str(path))
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            write_csv(table, out)
    return path


def import_preview(
    services: Services, deps: Deps, who: Who, data: bytes, name: str
) -> exchange.ImportPreview:
    """Decode the sent file and check it (one unit of work)."""
    table = read_table(data, name, who.language)
    return exchange.preview_import(services.uow_factory(), deps, who, table)


async def _say(update: Update, context: BotContext, text: str) -> None:
    await _show(update, context, Menu(esc(text)))


async def _show(update: Update, context: BotContext, menu: Menu) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, menu.text, parse_mode=ParseMode.HTML,
                                   reply_markup=keyboards.inline(menu))


async def ask_export_format(update: Update, context: BotContext) -> None:
    """/export: which format, and for owners and admins whose entries."""
    try:
        options = await context.run_sync(exchange.export_options, context.services.uow_factory(),
                                         deps(context), who(update, context))
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    await _show(update, context, render.export_menu(translator(options.language), options))


async def send_export(update: Update, context: BotContext) -> None:
    """An ``x:`` button: write the file and send it as a document."""
    query = update.callback_query
    assert query is not None
    with suppress(BadRequest):
        await query.answer()
    try:
        cb = callbacks.decode(query.data)
        kind, scope = cb.part(0), Scope(cb.part(1))
        if kind not in ("xlsx", "csv"):
            raise callbacks.InvalidCallback(kind)
    except (callbacks.InvalidCallback, ValueError):
        await _say(update, context, context.t._("This menu has expired."))
        return
    try:
        path = await context.run_sync(export_file, context.services, deps(context),
                                      who(update, context), scope, kind)
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    chat = update.effective_chat
    assert chat is not None
    try:
        with path.open("rb") as document:  # streamed from disk, never held in memory whole
            await context.bot.send_document(chat.id, document, filename=path.name,
                                            caption=context.t._("Your export: {name}").format(
                                                name=path.name))
    finally:
        path.unlink(missing_ok=True)
        path.parent.rmdir()


async def explain_import(update: Update, context: BotContext) -> None:
    """/import: what file to send."""
    await _say(update, context, render.import_help(context.t))


async def receive_import_file(update: Update, context: BotContext) -> None:
    """A document: refuse it over 20 MB, else download it and show what would be imported."""
    message = update.effective_message
    assert message is not None
    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        await _say(update, context, render.too_big(context.t))
        return
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if len(data) > MAX_FILE_BYTES:
        await _say(update, context, render.too_big(context.t))
        return
    try:
        shown = await context.run_sync(import_preview, context.services, deps(context),
                                       who(update, context), data, document.file_name or "")
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    await _show(update, context, render.preview(translator(shown.language), shown))


async def press_import_button(update: Update, context: BotContext) -> None:
    """✅ Import or Cancel under a preview: checked against the pending import."""
    query = update.callback_query
    assert query is not None
    with suppress(BadRequest):
        await query.answer()
    try:
        cb = callbacks.decode(query.data)
    except callbacks.InvalidCallback:
        await _say(update, context, context.t._("This menu has expired."))
        return
    token, action = cb.part(0), cb.part(1)
    use_case = exchange.confirm_import if action == "ok" else exchange.cancel_import
    try:
        done = await context.run_sync(use_case, context.services.uow_factory(), deps(context),
                                      who(update, context), token)
    except DomainError as exc:
        await _say(update, context, context.t.render(exc.message))
        return
    with suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    t = context.t
    text = (render.imported(t, done) if isinstance(done, exchange.Imported)
            else t._("Import cancelled: nothing was saved."))
    await _say(update, context, text)


def register(app: BotApplication) -> None:
    """Add /export, /import, their buttons and documents (group 0)."""
    group = CONVERSATION_GROUP
    app.add_handler(CommandHandler("export", ask_export_format, filters=PRIVATE), group)
    app.add_handler(CommandHandler("import", explain_import, filters=PRIVATE), group)
    app.add_handler(CallbackQueryHandler(send_export, pattern=callbacks.pattern("x")), group)
    app.add_handler(
        CallbackQueryHandler(press_import_button, pattern=callbacks.pattern("im")), group
    )
    app.add_handler(MessageHandler(PRIVATE & filters.Document.ALL, receive_import_file), group)
