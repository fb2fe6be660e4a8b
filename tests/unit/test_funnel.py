"""The reverse funnel: from revenue back to calls, rounded up, exact values kept."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from kpi_core.messages import Message
from kpi_core.parsing.numbers import MAX_VALUE
from kpi_core.planning.funnel import (
    STAGE_LABELS,
    BrokenFunnel,
    Conversion,
    FunnelTooLarge,
    InvalidFunnelValue,
    InvalidRate,
    order_conversions,
    revenue_funnel,
    reverse_funnel,
    stage_label,
)

D = Decimal
SALES = [
    Conversion("call", "meeting", D("0.2")),
    Conversion("meeting", "proposal", D("0.5")),
    Conversion("proposal", "deal", D("0.5")),
]


def test_revenue_worked_example() -> None:
    # 10,000,000 a month, 45,000 a deal, 10 managers, 22 working days.
    funnel = revenue_funnel(D(10_000_000), D(45_000), SALES, people=10, working_days=22)
    assert [s.stage for s in funnel.stages] == ["call", "meeting", "proposal", "deal"]
    deal = funnel.stage("deal")
    assert deal.exact == Fraction(2000, 9)  # 222.2…
    assert deal.total == 223
    assert funnel.stage("proposal").total == 445  # 444.4… — not 446 (no compounding)
    assert funnel.stage("meeting").total == 889
    calls = funnel.top
    assert calls.exact == Fraction(40000, 9)
    assert calls.total == 4445
    assert calls.per_day == 203  # 202.02…
    assert calls.per_person == 445
    assert calls.per_person_per_day == 21  # 20.2…
    assert funnel.bottom is funnel.stages[-1]
    assert funnel.overall_rate == Fraction(1, 20)
    assert (funnel.revenue, funnel.avg_deal) == (D(10_000_000), D(45_000))


def test_exact_needs_are_not_rounded() -> None:
    funnel = revenue_funnel(D(900), D(100), SALES)
    assert [s.exact for s in funnel.stages] == [Fraction(180), Fraction(36), Fraction(18), 9]
    assert [s.total for s in funnel.stages] == [180, 36, 18, 9]
    assert funnel.top.per_day is None
    assert funnel.top.per_person_per_day is None


def test_rounded_counts_cover_the_stage_below() -> None:
    funnel = revenue_funnel(D(10_000_000), D(45_000), SALES)
    for upper, step, lower in zip(
        funnel.stages, funnel.conversions, funnel.stages[1:], strict=False
    ):
        assert upper.total * Fraction(step.rate) >= lower.exact


_RATES = st.decimals(min_value=D("0.001"), max_value=1, places=3).filter(lambda r: r > 0)


@settings(max_examples=150, deadline=None)
@given(
    revenue=st.decimals(min_value=1, max_value=10**9, places=2),
    avg_deal=st.decimals(min_value=1, max_value=10**6, places=2),
    rates=st.lists(_RATES, max_size=4),
    people=st.integers(min_value=1, max_value=50),
    days=st.integers(min_value=1, max_value=23),
)
@example(revenue=D("1000.01"), avg_deal=D("1.00"), rates=[D("0.001")] * 4, people=1, days=1)
def test_every_stage_covers_the_next_and_rounding_never_falls_short(
    revenue: Decimal, avg_deal: Decimal, rates: list[Decimal], people: int, days: int
) -> None:
    # revenue = deals × average deal; each stage × its rate = the next stage, exactly.
    steps = [Conversion(f"s{i}", f"s{i + 1}", r) for i, r in enumerate(rates)]
    try:
        funnel = revenue_funnel(revenue, avg_deal, steps, people=people, working_days=days)
    except FunnelTooLarge:  # beyond MAX_VALUE at the top (tested on its own below)
        top = Fraction(revenue) / Fraction(avg_deal)
        for rate in rates:
            top /= Fraction(rate)
        assert top > MAX_VALUE
        return
    assert funnel.bottom.exact * Fraction(avg_deal) == Fraction(revenue)
    for upper, step, lower in zip(
        funnel.stages, funnel.conversions, funnel.stages[1:], strict=False
    ):
        assert upper.exact * Fraction(step.rate) == lower.exact
        assert upper.total * Fraction(step.rate) >= lower.exact  # rounded up covers the next
    for need in funnel.stages:
        assert need.exact <= need.total < need.exact + 1
        assert need.per_person * people >= need.exact
        assert need.per_day is not None
        assert need.per_day * days >= need.exact
        assert need.per_person_per_day is not None
        assert need.per_person_per_day * days * people >= need.exact


def test_leads_to_qualified_leads_from_the_seeds() -> None:
    # QL = leads × 80 %: 80 qualified leads need 100 leads.
    funnel = reverse_funnel(D(80), [Conversion("lead", "ql", D("0.8"))], working_days=20)
    assert [(s.stage, s.total, s.per_day) for s in funnel.stages] == [
        ("lead", 100, 5),
        ("ql", 80, 4),
    ]


def test_conversions_may_come_in_any_order() -> None:
    shuffled = [SALES[2], SALES[0], SALES[1]]
    assert order_conversions(shuffled) == tuple(SALES)
    funnel = revenue_funnel(D(900), D(100), shuffled)
    assert funnel.conversions == tuple(SALES)


def test_no_conversions_is_just_deals() -> None:
    funnel = revenue_funnel(D(1000), D(300), [], people=2)
    assert [(s.stage, s.total, s.per_person) for s in funnel.stages] == [("deal", 4, 2)]
    assert funnel.overall_rate == 1


def test_a_rate_of_one_is_allowed() -> None:
    funnel = reverse_funnel(D(5), [Conversion("invoice", "deal", D(1))])
    assert funnel.top.total == 5


@pytest.mark.parametrize(
    ("rate", "english", "russian"),
    [
        (D(0), "got 0.", "получено 0."),
        (D("-0.1"), "got -0.1.", "получено -0,1."),
        (D("1.5"), "got 1.5.", "получено 1,5."),
        (D(20), "got 20.", "получено 20."),
        (D("NaN"), "got NaN.", "получено NaN."),
    ],
)
def test_bad_rates_are_refused_with_the_rate_as_typed(
    rate: Decimal, english: str, russian: str
) -> None:
    with pytest.raises(InvalidRate) as caught:
        revenue_funnel(D(1000), D(100), [Conversion("call", "meeting", rate)])
    message = caught.value.message
    assert "at most 1 (100%)" in message.msgid
    assert message.params["source"] == STAGE_LABELS["call"]
    # Every digit as typed, with the reader's decimal mark (not "1.5" in a Russian sentence).
    assert translator("en").render(message).endswith(english)
    assert translator("ru").render(message).endswith(russian)


@pytest.mark.parametrize(
    "steps",
    [
        [Conversion("call", "meeting", D("0.2")), Conversion("call", "deal", D("0.1"))],
        [Conversion("call", "deal", D("0.2")), Conversion("meeting", "deal", D("0.1"))],
        [Conversion("call", "meeting", D("0.2")), Conversion("proposal", "deal", D("0.5"))],
        [Conversion("a", "b", D("0.5")), Conversion("b", "a", D("0.5"))],
        [Conversion("a", "a", D("0.5"))],
    ],
)
def test_steps_must_form_one_chain(steps: list[Conversion]) -> None:
    with pytest.raises(BrokenFunnel) as caught:
        order_conversions(steps)
    assert "one chain" in caught.value.message.msgid


def test_values_must_be_positive() -> None:
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: revenue_funnel(D(0), D(100), SALES), InvalidFunnelValue.REVENUE),
        (lambda: revenue_funnel(D(100), D(-5), SALES), InvalidFunnelValue.AVG_DEAL),
        (lambda: reverse_funnel(D(0), SALES), InvalidFunnelValue.TARGET),
        (lambda: reverse_funnel(D(10), SALES, people=0), InvalidFunnelValue.PEOPLE),
        (lambda: reverse_funnel(D(10), SALES, working_days=0), InvalidFunnelValue.DAYS),
    ]
    for call, msgid in cases:
        with pytest.raises(InvalidFunnelValue) as caught:
            call()
        assert caught.value.message.msgid == msgid


def test_stage_labels() -> None:
    calls = stage_label("calls")
    assert isinstance(calls, Message)
    assert calls.msgid == "Calls"
    assert calls.context == "funnel stage"
    assert stage_label("Call") == calls
    assert stage_label("sales") == STAGE_LABELS["deal"]
    assert stage_label("qualified leads") == STAGE_LABELS["ql"]
    assert stage_label("webinar") == "webinar"
    with pytest.raises(KeyError):
        revenue_funnel(D(900), D(100), SALES).stage("webinar")


@pytest.mark.parametrize(
    ("call", "english", "russian"),
    [
        (lambda: revenue_funnel(D(0), D(100), SALES),
         "The revenue plan must be more than zero, like 10,000,000.",
         "План выручки должен быть больше нуля, например 10\u00a0000\u00a0000."),
        (lambda: revenue_funnel(D(100), D(-5), SALES),
         "The average deal size must be more than zero, like 45,000.",
         "Средняя сделка должна быть больше нуля, например 45\u00a0000."),
        (lambda: reverse_funnel(D(0), SALES),
         "The target must be more than zero, like 100.",
         "Цель должна быть больше нуля, например 100."),
    ],
)
def test_error_examples_group_digits_the_way_each_language_does(
    call: Callable[[], object], english: str, russian: str
) -> None:
    """English used to read "like 10 000 000" (Russian grouping) in an English sentence."""
    with pytest.raises(InvalidFunnelValue) as caught:
        call()
    assert translator("en").render(caught.value.message) == english
    assert translator("ru").render(caught.value.message) == russian


def test_a_funnel_needing_more_than_any_kpi_holds_is_refused() -> None:
    """Tiny rates on a huge plan: such a target could not be saved, so it is not computed."""
    tiny = [Conversion("call", "deal", D("0.0001"))]
    with pytest.raises(FunnelTooLarge) as caught:
        revenue_funnel(D(10**15), D(1), tiny)
    assert caught.value.stage == "call"
    assert translator("en").render(caught.value.message).startswith(
        "This plan needs more than 1,000,000,000,000,000 at the stage “Calls”"
    )
    # Right at the bound is fine.
    assert revenue_funnel(D(10**15), D(1), []).stages[-1].total == 10**15
