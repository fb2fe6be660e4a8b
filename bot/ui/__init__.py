"""What people see, as data: menus and replies (text plus buttons), callback data, and the
rendering of use-case replies into them in the user's language.

Shared by every front end: Telegram (:mod:`bot.telegram` turns a :class:`~bot.ui.render.Menu`
into an inline keyboard), the console (numbered options) and the scheduler (digests and
reminders). Nothing here imports ``telegram``.
"""
