"""Fixtures for end-to-end tests: the real ``kpi-coach run`` process against ``BotApiStub``.

- ``botapi``: a started :class:`tests.e2e.botapi_stub.BotApiStub` (token ``E2E_TOKEN``).
- ``start_bot``: ``start_bot(**env) -> BotProcess`` starts ``python -m bot.cli run`` with
  TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL (the stub) and a SQLite file in the test's directory;
  keyword arguments add or override environment variables (``None`` removes one). Every process
  is stopped by PID after the test (SIGTERM, then SIGKILL after a timeout).

``BotProcess``: ``wait_ready(botapi)`` (the bot published its menu and is polling),
``stop() -> int`` (graceful SIGTERM, returns the exit code), ``wait(timeout) -> int``,
``output()`` (stdout + stderr so far), ``pid``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.botapi_stub import BotApiStub

E2E_TOKEN = "123:TEST"
STOP_TIMEOUT = 15.0
# Variables of the developer's shell that would change what the process does.
_SCRUBBED = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_URL",
    "DATA_DIR",
    "DEFAULT_LANGUAGE",
    "LOG_LEVEL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "LANG",
    "LC_ALL",
    "LC_MESSAGES",
)


@dataclass
class BotProcess:
    """A running ``kpi-coach run`` process with its output in a file."""

    proc: subprocess.Popen[bytes]
    log_path: Path
    _closed: bool = field(default=False, repr=False)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    def output(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Wait for the process to exit on its own; return the exit code."""
        return self.proc.wait(timeout=timeout)

    def wait_ready(self, botapi: BotApiStub, timeout: float = 30.0) -> None:
        """Wait until the bot set its command menus and started long polling."""
        try:
            botapi.wait_for_call(
                "setMyCommands",
                lambda c: c.params.get("language_code") == "ru",
                timeout=timeout,
                since=0,
            )
            botapi.wait_for_call("getUpdates", timeout=timeout, since=0)
        except TimeoutError as exc:
            raise AssertionError(f"the bot did not start:\n{self.output()}") from exc

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (graceful), SIGKILL if still running after ``timeout``; return the code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        return self.proc.returncode


@pytest.fixture
def botapi() -> Iterator[BotApiStub]:
    """A loopback Bot API on 127.0.0.1 (token ``E2E_TOKEN``)."""
    with BotApiStub(token=E2E_TOKEN) as api:
        yield api


@pytest.fixture
def start_bot(tmp_path: Path, botapi: BotApiStub) -> Iterator[Callable[..., BotProcess]]:
    """Start ``kpi-coach run`` processes; all are stopped by PID after the test."""
    started: list[BotProcess] = []

    def start(**env_overrides: str | None) -> BotProcess:
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
        env.update(
            TELEGRAM_BOT_TOKEN=E2E_TOKEN,
            TELEGRAM_API_URL=botapi.url,
            DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
            DATA_DIR=str(tmp_path / "data"),
            LOG_LEVEL="DEBUG",
            PYTHONUNBUFFERED="1",
            NO_PROXY="127.0.0.1,localhost",  # httpx honours proxy variables; the stub is local
            no_proxy="127.0.0.1,localhost",
        )
        for key, value in env_overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        log_path = tmp_path / f"bot-{len(started)}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                cwd=tmp_path,  # no .env of the developer's checkout
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = BotProcess(proc, log_path)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
