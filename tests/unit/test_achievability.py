"""Unrealistic targets are flagged with the numbers that make them unrealistic."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.i18n import translator
from kpi_core.messages import Message, Money, Percent
from kpi_core.planning.achievability import (
    DEFAULT_MAX_GROWTH,
    Capacity,
    Concern,
    assess_target,
)
from kpi_core.planning.quotas import NegativePlan
from kpi_core.tracking.progress import Direction

D = Decimal
TEAM = Capacity(
    people=10,
    activities_per_day=D(50),
    conversion=D("0.05"),
    working_days=22,
    avg_deal=D(45_000),
)


def test_growth_above_the_limit_is_flagged() -> None:
    result = assess_target(D(10_000_000), baseline=D(6_000_000), currency="RUB")
    assert not result.realistic
    assert [f.concern for f in result.findings] == [Concern.GROWTH_TOO_HIGH]
    assert result.growth_factor == D("1.6667")
    assert result.growth == D("0.6667")
    assert result.suggested == D(7_800_000)
    params = result.messages[0].params
    assert params["target"] == Money(D(10_000_000), "RUB")
    assert params["limit"] == Percent(DEFAULT_MAX_GROWTH)
    assert params["suggested"] == Money(D(7_800_000), "RUB")


def test_exactly_the_limit_is_fine() -> None:
    result = assess_target(D(1300), baseline=D(1000))
    assert result.realistic
    assert result.growth == D("0.3000")
    assert assess_target(D("1300.01"), baseline=D(1000)).findings[0].concern is (
        Concern.GROWTH_TOO_HIGH
    )


def test_configurable_limit() -> None:
    assert assess_target(D(1150), baseline=D(1000), max_growth=D("0.1")).findings
    assert assess_target(D(1150), baseline=D(1000), max_growth=D("0.2")).realistic


def test_no_or_zero_baseline_skips_the_growth_check() -> None:
    assert assess_target(D(10**9)).realistic
    result = assess_target(D(500), baseline=D(0))
    assert result.realistic
    assert result.growth_factor is None


def test_capacity_worked_example() -> None:
    # 10 × 50 calls × 5 % × 22 days × 45,000 = 24,750,000.
    assert TEAM.value == D(24_750_000)
    result = assess_target(D(30_000_000), capacity=TEAM, currency="RUB")
    assert [f.concern for f in result.findings] == [Concern.ABOVE_CAPACITY]
    assert result.capacity == D(24_750_000)
    assert result.shortfall == D(5_250_000)
    message = result.messages[0]
    assert message.params["shortfall"] == Money(D(5_250_000), "RUB")
    people = message.params["people"]
    assert isinstance(people, Message)
    assert people.count == 10
    within = assess_target(D(24_750_000), capacity=TEAM)
    assert within.realistic
    assert within.shortfall == 0


def test_both_concerns_at_once() -> None:
    result = assess_target(D(30_000_000), baseline=D(20_000_000), capacity=TEAM)
    assert [f.concern for f in result.findings] == [
        Concern.GROWTH_TOO_HIGH,
        Concern.ABOVE_CAPACITY,
    ]


def test_capacity_in_deals() -> None:
    deals = Capacity(people=2, activities_per_day=D(40), conversion=D("0.1"), working_days=20)
    assert deals.value == D(160)
    result = assess_target(D(200), capacity=deals)
    assert result.shortfall == D(40)
    assert "average deal" not in result.messages[0].msgid


def test_lower_is_better_cut_too_deep() -> None:
    result = assess_target(D(40), baseline=D(100), direction=Direction.LOWER_IS_BETTER)
    assert [f.concern for f in result.findings] == [Concern.CUT_TOO_DEEP]
    assert result.suggested == D(70)
    assert assess_target(D(70), baseline=D(100), direction=Direction.LOWER_IS_BETTER).realistic


def test_messages_render_with_the_numbers() -> None:
    result = assess_target(D(30_000_000), baseline=D(20_000_000), capacity=TEAM, currency="RUB")
    growth, capacity = (translator("en").render(m) for m in result.messages)
    assert "₽30,000,000" in growth
    assert "₽20,000,000" in growth
    assert "+50%" in growth
    assert "₽26,000,000" in growth  # suggested: 20,000,000 × 1.3
    assert "10 people" in capacity
    assert "22 working days" in capacity
    assert "₽24,750,000" in capacity
    assert "₽5,250,000" in capacity


def test_bad_input() -> None:
    with pytest.raises(NegativePlan):
        assess_target(D(-1))
    with pytest.raises(ValueError, match="max_growth"):
        assess_target(D(1), max_growth=D(-1))
    with pytest.raises(ValueError, match="conversion"):
        Capacity(people=1, activities_per_day=D(1), conversion=D(2), working_days=1)
    with pytest.raises(ValueError, match="people"):
        Capacity(people=0, activities_per_day=D(1), conversion=D(1), working_days=1)
