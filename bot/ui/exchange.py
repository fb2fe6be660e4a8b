"""What ``/export`` and ``/import`` say: the format menu, the import's preview and its outcome."""

from __future__ import annotations

from bot.i18n import Translator
from bot.ui import callbacks
from bot.ui.render import Button, Menu, esc
from kpi_core.exchange.table import Scope
from kpi_core.services.exchange import ExportOptions, Imported, ImportPreview


def export_menu(t: Translator, options: ExportOptions) -> Menu:
    """XLSX or CSV; for owners and admins, of the whole team too."""
    rows = [(Button("📊 XLSX", callbacks.encode("x", "xlsx", Scope.OWN.value)),
             Button("📄 CSV", callbacks.encode("x", "csv", Scope.OWN.value)))]
    text = t._("Your entries as a file, with their history. Which format?")
    if options.team:
        text = t._("Your entries or your team's, as a file with their history. Which format?")
        team = t.pgettext("button", "Team")
        rows.append((Button(f"👥 {team} XLSX", callbacks.encode("x", "xlsx", Scope.TEAM.value)),
                     Button(f"👥 {team} CSV", callbacks.encode("x", "csv", Scope.TEAM.value))))
    return Menu(esc(text), tuple(rows))


def import_help(t: Translator) -> str:
    """How to import: the file's columns and limits."""
    return t._(
        "Send me a CSV or XLSX file of past entries as a document (up to 20 MB). The first "
        "row names the columns: Date (2025-04-30 or 30.04.2025), Person or Telegram id, KPI "
        "(its id or name) and Value; a file from /export has them all. I will show what I "
        "would take before anything is saved, and nothing is saved if any row is wrong.\n\n"
        "Owners and admins may import their team's entries; everyone may import their own."
    )


def preview(t: Translator, shown: ImportPreview) -> Menu:
    """The counts per KPI and per person, the refused rows, and ✅ Import / Cancel."""
    lines = [t._("<b>Import of {file}</b>").format(file=esc(shown.file_name or "…"))]
    if shown.accepted:
        lines.append(esc(t.ngettext("{count} row can be taken", "{count} rows can be taken",
                                    shown.accepted).format(count=t.number(shown.accepted))))
        if shown.first_day and shown.last_day:
            lines.append(esc(t.period(shown.first_day, shown.last_day)))
        lines += [f"• {esc(t.render(label))}: {t.number(count)}" for label, count in shown.per_kpi]
        if shown.scope is Scope.TEAM:
            lines += [f"👤 {esc(name)}: {t.number(count)}" for name, count in shown.per_person]
        if shown.removals:
            lines.append(esc(t.ngettext("{count} of them removes a value",
                                        "{count} of them remove a value",
                                        shown.removals).format(count=t.number(shown.removals))))
    if shown.refused_count:
        lines.append("")
        lines.append(esc(t.ngettext(
            "{count} row is refused, so nothing will be imported:",
            "{count} rows are refused, so nothing will be imported:",
            shown.refused_count).format(count=t.number(shown.refused_count))))
        lines += [f"✗ {esc(t.render(reason))}" for reason in shown.refused]
        more = shown.refused_count - len(shown.refused)
        if more > 0:
            lines.append(esc(t.ngettext("… and {count} more", "… and {count} more",
                                        more).format(count=t.number(more))))
        lines.append(esc(t._("Fix these rows and send the file again.")))
    elif not shown.accepted:
        lines.append(esc(t._("The file has no rows to import.")))
    if shown.token is None:
        return Menu("\n".join(lines))
    rows = ((Button("✅ " + t.pgettext("button", "Import"),
                    callbacks.encode("im", shown.token, "ok")),
             Button(t.pgettext("button", "Cancel"), callbacks.encode("im", shown.token, "no"))),)
    return Menu("\n".join(lines), rows)


def imported(t: Translator, done: Imported) -> str:
    """What the import wrote."""
    text = t.ngettext("Imported: {count} entry updated.", "Imported: {count} entries updated.",
                      done.entries).format(count=t.number(done.entries))
    if done.unchanged:
        text += " " + t.ngettext(
            "{count} already had that value.", "{count} already had those values.",
            done.unchanged).format(count=t.number(done.unchanged))
    return text


def too_big(t: Translator) -> str:
    """A file over 20 MB."""
    return t._("This file is larger than 20 MB, which is more than I can download from "
               "Telegram. Split it into smaller files, or export a shorter period.")
