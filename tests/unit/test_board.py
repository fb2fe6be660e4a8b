"""The team board's arithmetic (kpi_core/tracking/board.py), on worked numbers.

April 2025 on a weekday calendar has 22 working days; Thursday 10 April is the 8th, and
15 working days are left from it, itself included.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kpi_core.model import Entry, Plan, PlanTarget
from kpi_core.planning.calendar import WeekdayCalendar, WorkSchedule
from kpi_core.tracking.board import build_board, conversion, for_member, per_unit
from kpi_core.tracking.digest import Ledger, TeamMember, TeamState
from kpi_core.tracking.progress import Status

CAL = WeekdayCalendar()
THURSDAY = date(2025, 4, 10)
WEDNESDAY = date(2025, 4, 9)
ANNA, BORIS, VERA, GLEB = 1, 2, 3, 4


def member(user_id: int, name: str, *kpi_ids: str, days_off: frozenset[date] = frozenset(),
           active_from: date | None = None) -> TeamMember:
    schedule = WorkSchedule(CAL, days_off=days_off, active_from=active_from)
    return TeamMember(user_id, name, Decimal(1), schedule, kpi_ids)


def team(*members: TeamMember, targets: dict[str, int]) -> TeamState:
    plan = Plan(1, date(2025, 4, 1), date(2025, 4, 30),
                targets=[PlanTarget(k, Decimal(v)) for k, v in targets.items()])
    return TeamState(1, "Sales", plan, members)


def entry(user_id: int, metric: str, day: date, value: str) -> Entry:
    return Entry(user_id, metric, day, Decimal(value))


def test_cost_per_lead_is_spend_over_leads_and_conversions_are_ratios_of_stages() -> None:
    assert per_unit(Decimal(60_000), Decimal(120)) == Decimal("500.00")
    assert per_unit(Decimal(100), Decimal(3)) == Decimal("33.33")
    assert per_unit(Decimal(200), Decimal(3)) == Decimal("66.67")  # half up, once
    assert per_unit(Decimal(100), Decimal(0)) is None
    assert per_unit(None, Decimal(5)) is None
    assert conversion(Decimal(96), Decimal(120)) == Decimal("0.8000")
    assert conversion(Decimal(1), Decimal(3)) == Decimal("0.3333")
    assert conversion(Decimal(5), Decimal(0)) is None
    assert conversion(None, Decimal(5)) is None


def test_the_funnel_puts_marketing_and_sales_side_by_side() -> None:
    """Vera (marketing) brought 120 leads for 60 000 ₽; Boris (sales) qualified 96 of them
    and closed 24 deals for 1 080 000 ₽."""
    state = team(member(VERA, "Vera", "leads", "cost_per_lead"),
                 member(BORIS, "Boris", "qualified_leads", "closed_deals", "revenue"),
                 targets={"revenue": 2_200_000, "leads": 400})
    ledger = Ledger([
        entry(VERA, "leads", date(2025, 4, 1), "50"), entry(VERA, "leads", WEDNESDAY, "70"),
        entry(VERA, "marketing_spend", date(2025, 4, 1), "25000"),
        entry(VERA, "marketing_spend", WEDNESDAY, "35000"),
        entry(BORIS, "qualified_leads", WEDNESDAY, "96"),
        entry(BORIS, "closed_deals", WEDNESDAY, "24"),
        entry(BORIS, "revenue", WEDNESDAY, "1080000"),
        entry(BORIS, "revenue", date(2025, 5, 1), "999"),  # another period: not counted
    ])
    board = build_board(state, ledger, today=THURSDAY)
    assert board.marketing is not None
    assert (board.marketing.leads, board.marketing.spend) == (Decimal(120), Decimal(60_000))
    assert board.marketing.cost_per_lead == Decimal("500.00")
    sales = board.sales
    assert sales is not None
    assert (sales.leads, sales.qualified, sales.deals) == (Decimal(120), Decimal(96), Decimal(24))
    assert sales.lead_to_qualified == Decimal("0.8000")
    assert sales.qualified_to_deal == Decimal("0.2500")
    assert sales.lead_to_deal == Decimal("0.2000")
    assert sales.revenue == Decimal(1_080_000)
    assert sales.average_deal == Decimal("45000.00")


def test_funnel_parts_appear_only_for_what_the_team_logs() -> None:
    calls = build_board(team(member(ANNA, "Anna", "cold_calls"), targets={"cold_calls": 440}),
                        Ledger(), today=THURSDAY)
    assert (calls.marketing, calls.sales) == (None, None)
    revenue = build_board(team(member(ANNA, "Anna", "revenue"), targets={"revenue": 100}),
                          Ledger(), today=THURSDAY)
    assert revenue.sales is None  # revenue alone: no conversion, no average deal
    leads = build_board(team(member(VERA, "Vera", "leads"), targets={"leads": 400}),
                        Ledger([entry(VERA, "leads", WEDNESDAY, "30")]), today=THURSDAY)
    assert leads.marketing is not None
    assert (leads.marketing.leads, leads.marketing.spend) == (Decimal(30), None)
    assert leads.marketing.cost_per_lead is None  # no spend logged: no cost per lead
    assert leads.sales is None
    deals = build_board(team(member(BORIS, "Boris", "revenue", "closed_deals"),
                             targets={"revenue": 100}),
                        Ledger([entry(BORIS, "revenue", WEDNESDAY, "90000"),
                                entry(BORIS, "closed_deals", WEDNESDAY, "2")]), today=THURSDAY)
    assert deals.sales is not None
    assert deals.sales.average_deal == Decimal("45000.00")
    assert (deals.sales.leads, deals.sales.lead_to_deal) == (None, None)
    assert deals.marketing is None


def test_todays_need_is_what_is_left_over_the_working_days_left() -> None:
    """880 calls for two people, 440 each (20 a day). By Wednesday evening Anna made 150 and
    Boris none: Anna's 290 over 15 days is 19.33, so 20 today; Boris's 440 over 15 days is
    29.33, so 30 today. The team needs 50 today; Anna's 12 calls this morning do not change
    what today needed."""
    state = team(member(ANNA, "Anna", "cold_calls"), member(BORIS, "Boris", "cold_calls"),
                 targets={"cold_calls": 880})
    ledger = Ledger([entry(ANNA, "cold_calls", date(2025, 4, 1), "70"),
                     entry(ANNA, "cold_calls", WEDNESDAY, "80"),
                     entry(ANNA, "cold_calls", THURSDAY, "12")])
    need = build_board(state, ledger, today=THURSDAY).need
    assert need is not None
    assert need.kpi_id == "cold_calls"
    assert need.amount == Decimal(50)
    assert need.remaining == Decimal(290 + 440)
    assert need.days_left == 15
    assert need.done_today == Decimal(12)


def test_todays_need_in_money_is_rounded_up_to_the_kopeck() -> None:
    """2 200 000 ₽ for Boris, 1 080 000 ₽ by Wednesday: 1 120 000 ₽ over 15 days is
    74 666.666…, so 74 666.67 ₽ today."""
    state = team(member(BORIS, "Boris", "revenue"), targets={"revenue": 2_200_000})
    ledger = Ledger([entry(BORIS, "revenue", WEDNESDAY, "1080000")])
    need = build_board(state, ledger, today=THURSDAY).need
    assert need is not None
    assert need.amount == Decimal("74666.67")
    assert need.remaining == Decimal(1_120_000)


def test_the_main_kpi_is_the_plans_first_summed_target() -> None:
    state = team(member(BORIS, "Boris", "lead_to_qualified", "closed_deals", "revenue"),
                 targets={"lead_to_qualified": 1, "closed_deals": 44, "revenue": 100})
    need = build_board(state, Ledger(), today=THURSDAY).need
    assert need is not None
    assert (need.kpi_id, need.amount) == ("closed_deals", Decimal(3))  # 44 over 15 days: 2.93


def test_no_need_without_a_plan_or_on_a_day_nobody_works() -> None:
    state = team(member(ANNA, "Anna", "cold_calls"), targets={"cold_calls": 440})
    assert build_board(state, Ledger(), today=date(2025, 4, 12)).need is None  # a Saturday
    planless = TeamState(1, "Sales", None, (member(ANNA, "Anna", "cold_calls"),))
    board = build_board(planless, Ledger(), today=THURSDAY)
    assert (board.need, board.has_plan, board.marketing, board.sales) == (None, False, None, None)


def test_each_persons_line_has_actual_target_completion_pace_and_forecast() -> None:
    """Anna: 162 of 440 calls after 8 working days (today logged): 36.82 %, 160 expected
    (on track), forecast 162 × 22 ÷ 8 = 445.5 → 446."""
    state = team(member(ANNA, "Anna", "cold_calls"), member(BORIS, "Boris", "cold_calls"),
                 targets={"cold_calls": 880})
    ledger = Ledger([entry(ANNA, "cold_calls", WEDNESDAY, "150"),
                     entry(ANNA, "cold_calls", THURSDAY, "12")])
    board = build_board(state, ledger, today=THURSDAY)
    anna, boris = board.members  # best completion first
    assert anna.name == "Anna"
    (calls,) = anna.kpis
    assert (calls.actual, calls.target) == (Decimal(162), Decimal(440))
    assert calls.completion == Decimal("0.3682")
    assert calls.status is Status.ON_TRACK
    assert calls.forecast == Decimal(446)
    assert boris.kpis[0].status is Status.CRITICAL
    assert boris.kpis[0].actual == Decimal(0)


def test_who_has_not_logged_yesterday_leaves_out_days_off_and_newcomers() -> None:
    state = team(member(ANNA, "Anna", "cold_calls"), member(BORIS, "Boris", "cold_calls"),
                 member(VERA, "Vera", "cold_calls", days_off=frozenset({WEDNESDAY})),
                 member(GLEB, "Gleb", "cold_calls", active_from=THURSDAY),
                 targets={"cold_calls": 880})
    ledger = Ledger([entry(ANNA, "cold_calls", WEDNESDAY, "20")])
    board = build_board(state, ledger, today=THURSDAY)
    assert board.yesterday == WEDNESDAY
    assert board.missing == ("Boris",)
    assert (board.missing_count, board.worked_yesterday) == (1, 2)
    rows = {r.name: r.logged_yesterday for r in board.members}
    assert rows == {"Anna": True, "Boris": False, "Vera": None, "Gleb": None}
    monday = build_board(state, ledger, today=date(2025, 4, 14))  # yesterday was Sunday
    assert (monday.missing, monday.missing_count, monday.worked_yesterday) == ((), 0, 0)


def test_a_member_sees_their_own_line_and_the_teams_aggregates_only() -> None:
    state = team(member(ANNA, "Anna", "cold_calls"), member(BORIS, "Boris", "cold_calls"),
                 targets={"cold_calls": 880})
    ledger = Ledger([entry(ANNA, "cold_calls", WEDNESDAY, "150")])
    board = build_board(state, ledger, today=THURSDAY)
    mine = for_member(board, BORIS)
    assert [r.name for r in mine.members] == ["Boris"]
    assert mine.missing == ()  # not who: how many
    assert mine.missing_count == board.missing_count == 1
    assert mine.totals == board.totals
    assert mine.need == board.need
    assert not mine.everyone
    assert board.everyone
