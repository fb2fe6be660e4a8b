"""KPI Coach adapters: Telegram, storage, console, CLI, scheduler, settings."""
