"""Configuration from the environment and an optional ``.env`` file (pydantic-settings).

Create settings with :func:`load_settings` where they are needed (the CLI entry points); no
module-level instance, so importing the package never requires environment variables.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_API_URL = "https://api.telegram.org"


class Settings(BaseSettings):
    """Everything an operator can set. Environment variable names are the upper-case names."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL; default a SQLite file in DATA_DIR. "
            "postgresql://... works as written."
        ),
    )
    data_dir: Path = Path("data")
    default_language: str = "en"
    log_level: str = "INFO"
    # Telegram: ~30 messages/s per bot overall, 20/min per group, ~1/s per chat.
    send_rate_per_second: float = 25.0
    group_messages_per_minute: int = 20
    scheduler_interval_seconds: float = 20.0
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None

    @field_validator("telegram_api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        value = value.lower()
        if value not in ("en", "ru"):
            raise ValueError("DEFAULT_LANGUAGE must be 'en' or 'ru'")
        return value

    def resolved_database_url(self) -> str:
        """The database URL to use: ``DATABASE_URL`` or a SQLite file under ``DATA_DIR``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kpi_coach.sqlite3').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment / ``.env``; keyword overrides win (used by tests)."""
    # Fields and BaseSettings init options (``_env_file``...); pydantic validates each value.
    return Settings(**overrides)  # type: ignore[arg-type]  # values checked at run time
