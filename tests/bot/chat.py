"""A person chatting with the bot through the harness: tap buttons by label, type, read."""

from __future__ import annotations

from dataclasses import dataclass

from tests.bot.harness import BotHarness, BotMessage

CHECK = "✓ "
_DECORATIONS = ("✓ ", "‹ ", "✅ ", "🔄 ", "➕ ")


def _bare(label: str) -> str:
    for prefix in _DECORATIONS:
        label = label.removeprefix(prefix)
    return label


@dataclass
class Chat:
    """One private chat; ``language`` is Telegram's ``language_code`` of the person."""

    harness: BotHarness
    user_id: int = 42
    language: str = "en"

    @property
    def menu(self) -> BotMessage:
        """The bot's newest message that has buttons (what the person taps on)."""
        for message in reversed(self.harness.messages(self.user_id)):
            if message.buttons:
                return message
        raise AssertionError("no message with buttons")

    @property
    def text(self) -> str:
        """The bot's newest message text."""
        return self.harness.last_message(self.user_id).text

    def labels(self) -> list[str]:
        """Button labels of the current menu."""
        return [label for row in self.menu.buttons for label, _ in row]

    def selected(self) -> list[str]:
        """Labels of the ticked options (without the tick)."""
        return [label.removeprefix(CHECK) for label in self.labels() if label.startswith(CHECK)]

    def data(self, label: str) -> str:
        """Callback data of the button whose label (ticks, arrows aside) starts with ``label``."""
        for row in self.menu.buttons:
            for text, data in row:
                if (text.startswith(label) or _bare(text).startswith(label)) and data is not None:
                    return data
        raise AssertionError(f"no button {label!r}; buttons: {self.labels()}")

    async def tap(self, *labels: str) -> None:
        """Press buttons one after another (each on the then-current menu)."""
        for label in labels:
            data = self.data(label)
            await self.harness.press(self.user_id, data, self.menu.message_id,
                                     language_code=self.language)

    async def say(self, *texts: str) -> None:
        """Send text messages one after another."""
        for text in texts:
            await self.harness.send(self.user_id, text, language_code=self.language)
