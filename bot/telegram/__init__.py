"""Telegram adapter: python-telegram-bot 22 application, handlers, keyboards, rendering."""
