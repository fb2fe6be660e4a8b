from datetime import UTC, datetime
from tests.bot.harness import BotHarness


async def test_walk(harness: BotHarness) -> None:
    harness.clock.set(datetime(2025, 4, 10, 6, 0, tzinfo=UTC))
    u = 42
    lang = "en"
    await harness.send(u, "/start", language_code=lang)

    def dump():
        m = harness.last_message(u)
        print("-----\n" + m.text + "\n" + repr(harness.button_labels(u)))

    dump()

    async def click(label):
        for l in harness.button_labels(u):
            if l.lstrip("✓ ").startswith(label):
                await harness.click(u, l, language_code=lang)
                dump()
                return
        raise AssertionError(label)

    async def send(text):
        await harness.send(u, text, language_code=lang)
        dump()

    await click("Business owner")
    await click("B2B")
    await click("Phone")
    await click("More sales")
    await click("Done")
    await click("CRM")
    await click("Done")
    await click("Me and a team")
    await send("10")
    await click("Skip")
    await click("Russia")
    await click("This month")
    await send("abc")
    await send("10 000 000")
    await send("9 000 000")
    await click("Done")
    await click("Moscow")
    await click("09:00")
    await send("18:30")
    await click("✅")
    print(harness.sent_texts(u)[-3:])
