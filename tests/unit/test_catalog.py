"""The KPI catalog: consistency of the data, formulas, aggregation, aliases, profile enums."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import translator
from kpi_core.advice.catalog import (
    Aggregation,
    Benchmark,
    BenchmarkKind,
    Constant,
    Difference,
    Direct,
    Direction,
    MissingValue,
    Product,
    Ratio,
    Sum,
    Unit,
    UnknownKpi,
    UnknownMetric,
    aggregate,
    all_kpis,
    all_metrics,
    assess,
    evaluate,
    formula_inputs,
    get_kpi,
    get_metric,
    has_data,
    kpi_by_alias,
    kpis_for,
    metric_by_alias,
    minimal_groups,
    missing_sources,
    normalize_alias,
    render_formula,
)
from kpi_core.advice.profile import (
    ASKABLE_DATA_SOURCES,
    BusinessType,
    Controller,
    DataSource,
    Goal,
    InvalidProfile,
    Profile,
    Role,
    SalesChannel,
    label,
)
from kpi_core.errors import DomainError
from kpi_core.messages import Message

D = Decimal
KPIS = all_kpis()
EN = translator("en")
RU = translator("ru")


def _ratio_in(formula: object) -> bool:
    if isinstance(formula, Ratio):
        return True
    if isinstance(formula, Product):
        return any(_ratio_in(f) for f in formula.factors)
    return False


# ----------------------------------------------------------------------------- catalog data


def test_catalog_has_at_least_30_kpis_with_unique_snake_case_ids() -> None:
    ids = [k.id for k in KPIS]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)


def test_catalog_covers_the_kpis_of_the_seed_material() -> None:
    required = {
        "marketing_roi",
        "customer_acquisition_cost",
        "cost_per_acquisition",
        "cost_per_lead",
        "nps",
        "ad_ctr",
        "email_ctr",
        "funnel_conversion",
        "website_traffic",
        "visitor_to_lead",
        "leads",
        "qualified_leads",
        "lead_to_qualified",
        "lead_quality",
        "opportunities",
        "pipeline_value",
        "new_customers",
        "retention_rate",
        "churn_rate",
        "customer_lifetime_value",
        "market_share",
        "social_engagement",
        "revenue",
        "revenue_growth",
        "gross_margin",
        "net_margin",
        "average_deal_size",
        "cold_calls",
        "inbound_requests_processed",
        "meetings",
        "proposals_sent",
        "invoices_issued",
        "closed_deals",
        "lead_response_time",
        "call_to_meeting",
        "win_rate",
        "sales_cycle_length",
    }
    assert required <= {k.id for k in KPIS}


def test_metric_ids_are_unique_and_every_formula_input_is_a_catalog_metric() -> None:
    metrics = all_metrics()
    assert len({m.id for m in metrics}) == len(metrics)
    for kpi in KPIS:
        for metric in kpi.inputs:
            assert get_metric(metric.id) is metric, (kpi.id, metric.id)
            assert metric.sources, metric.id


def test_every_metric_is_used_by_some_kpi() -> None:
    used = {m.id for k in KPIS for m in k.inputs}
    assert used == {m.id for m in all_metrics()}


def test_a_single_metric_kpi_shares_its_id_with_the_metric() -> None:
    # Values logged for the "leads" KPI must feed lead-to-QL conversion, CPL, etc.
    for kpi in KPIS:
        if isinstance(kpi.formula, Direct):
            assert kpi.formula.metric.id == kpi.id
            assert kpi.unit is kpi.formula.metric.unit


def test_aggregation_matches_what_the_kpi_is() -> None:
    for kpi in KPIS:
        if isinstance(kpi.formula, Direct) and kpi.unit in (Unit.COUNT, Unit.MONEY):
            assert kpi.aggregation is Aggregation.SUM, kpi.id
        if kpi.unit in (Unit.MINUTES, Unit.DAYS):
            assert kpi.aggregation is Aggregation.AVERAGE, kpi.id
        if _ratio_in(kpi.formula):
            # never a sum or an average of daily ratios
            assert kpi.aggregation in (Aggregation.RATIO_OF_SUMS, Aggregation.LAST), kpi.id
        if kpi.unit in (Unit.PERCENT, Unit.RATIO, Unit.SCORE):
            assert _ratio_in(kpi.formula), kpi.id
        if kpi.aggregation is Aggregation.RATIO_OF_SUMS:
            assert _ratio_in(kpi.formula), kpi.id


def test_period_level_kpis_are_not_logged_daily_and_levers_are() -> None:
    for kpi in KPIS:
        if kpi.aggregation is Aggregation.LAST:
            assert not kpi.loggable_daily, kpi.id
        if kpi.leading:
            assert kpi.loggable_daily, kpi.id


def test_every_kpi_has_names_aliases_and_someone_who_controls_it() -> None:
    for kpi in KPIS:
        assert kpi.name, kpi.id
        assert kpi.short, kpi.id
        assert kpi.description, kpi.id
        assert kpi.controlled_by, kpi.id
        assert kpi.aliases, kpi.id
        assert kpi.requires, kpi.id


def test_aliases_are_unique_across_kpis_and_metrics_and_stored_normalized() -> None:
    aliases = [a for k in KPIS for a in k.aliases] + [a for m in all_metrics() for a in m.aliases]
    duplicates = {a for a in aliases if aliases.count(a) > 1}
    assert duplicates == set()
    assert all(a == normalize_alias(a) for a in aliases)


def test_aliases_cover_both_languages_for_daily_kpis() -> None:
    cyrillic = re.compile(r"[а-я]")
    for kpi in KPIS:
        if kpi.loggable_daily:
            assert any(cyrillic.search(a) for a in kpi.aliases), kpi.id
            assert any(re.fullmatch(r"[a-z0-9 ]+", a) for a in kpi.aliases), kpi.id


def test_responsibility_split_of_the_seeds() -> None:
    marketer = {k.id for k in kpis_for(Controller.MARKETER)}
    sales = {k.id for k in kpis_for(Controller.SALES_MANAGER)}
    # The marketer answers for what marketing moves daily: the number of leads...
    assert {
        "leads",
        "cost_per_lead",
        "website_traffic",
        "visitor_to_lead",
        "ad_ctr",
        "marketing_roi",
    } <= marketer
    # ...and never for what sales do with the leads.
    assert marketer.isdisjoint(
        {
            "closed_deals",
            "revenue",
            "new_customers",
            "qualified_leads",
            "lead_to_qualified",
            "win_rate",
        }
    )
    # Sales answer for lead-to-QL conversion and the daily activities tracked in the CRM.
    assert {
        "lead_to_qualified",
        "cold_calls",
        "inbound_requests_processed",
        "meetings",
        "proposals_sent",
        "invoices_issued",
        "closed_deals",
        "revenue",
    } <= sales
    assert "leads" not in sales


def test_revenue_and_qualified_leads_are_results_and_their_levers_are_leading() -> None:
    assert not get_kpi("revenue").leading
    assert not get_kpi("qualified_leads").leading
    for lever in ("leads", "lead_to_qualified", "cold_calls", "meetings"):
        assert get_kpi(lever).leading, lever


def test_benchmarks_only_where_the_seeds_give_a_basis() -> None:
    with_benchmarks = {k.id: k.benchmarks for k in KPIS if k.benchmarks}
    assert with_benchmarks == {
        "marketing_roi": (
            Benchmark(BenchmarkKind.GOOD, D(5)),
            Benchmark(BenchmarkKind.EXCEPTIONAL, D(10)),
        ),
        "lead_response_time": (Benchmark(BenchmarkKind.EXAMPLE_NORM, D(15)),),
        "lead_to_qualified": (Benchmark(BenchmarkKind.EXAMPLE_NORM, D("0.8")),),
    }
    assert all(k.benchmark_note for k in KPIS if k.benchmarks)
    assert get_kpi("email_ctr").benchmarks == ()


def test_assess_respects_the_direction() -> None:
    roi = get_kpi("marketing_roi")
    assert assess(roi, D(4)) is None
    assert assess(roi, D(5)) == Benchmark(BenchmarkKind.GOOD, D(5))
    assert assess(roi, D(12)) == Benchmark(BenchmarkKind.EXCEPTIONAL, D(10))
    response = get_kpi("lead_response_time")
    assert response.direction is Direction.LOWER_IS_BETTER
    assert assess(response, D(10)) is not None
    assert assess(response, D(20)) is None
    assert assess(get_kpi("leads"), D(1000)) is None


def test_get_kpi_and_get_metric_raise_domain_errors() -> None:
    assert get_kpi("leads").id == "leads"
    with pytest.raises(UnknownKpi) as err:
        get_kpi("happiness")
    assert isinstance(err.value, DomainError)
    assert err.value.message.params == {"kpi_id": "happiness"}
    with pytest.raises(UnknownMetric):
        get_metric("happiness")


def test_kpis_for_keeps_catalog_order() -> None:
    owner = kpis_for(Controller.OWNER)
    order = [k.id for k in KPIS]
    assert [k.id for k in owner] == [i for i in order if i in {k.id for k in owner}]


# ----------------------------------------------------------------------------- data needs


def test_requirements_are_all_of_groups_each_any_of() -> None:
    roi = get_kpi("marketing_roi")
    assert roi.requires == (
        frozenset({DataSource.CRM, DataSource.WEB_ANALYTICS}),
        frozenset({DataSource.AD_ACCOUNTS, DataSource.ACCOUNTING}),
    )
    assert not has_data(roi, {DataSource.CRM})
    assert missing_sources(roi, {DataSource.CRM}) == (
        frozenset({DataSource.AD_ACCOUNTS, DataSource.ACCOUNTING}),
    )
    assert has_data(roi, {DataSource.WEB_ANALYTICS, DataSource.ACCOUNTING})
    assert roi.data_sources == {
        DataSource.CRM,
        DataSource.WEB_ANALYTICS,
        DataSource.AD_ACCOUNTS,
        DataSource.ACCOUNTING,
    }


def test_requirements_drop_groups_implied_by_a_smaller_one() -> None:
    # CAC: (ad accounts or accounting) and accounting and (CRM or accounting) → accounting.
    assert get_kpi("customer_acquisition_cost").requires == (frozenset({DataSource.ACCOUNTING}),)
    assert minimal_groups(
        [
            frozenset({DataSource.CRM, DataSource.WEB_ANALYTICS}),
            frozenset({DataSource.WEB_ANALYTICS}),
            frozenset({DataSource.WEB_ANALYTICS}),
        ]
    ) == (frozenset({DataSource.WEB_ANALYTICS}),)


def test_manual_counting_only_for_activity_counts() -> None:
    manual = {k.id for k in KPIS if has_data(k, {DataSource.MANUAL})}
    assert manual == {
        "cold_calls",
        "inbound_requests_processed",
        "meetings",
        "proposals_sent",
        "invoices_issued",
        "closed_deals",
        "call_to_meeting",
        "win_rate",
    }
    assert DataSource.MANUAL not in ASKABLE_DATA_SOURCES


# ----------------------------------------------------------------------------- formulas


@pytest.mark.parametrize(
    ("kpi_id", "en", "ru"),
    [
        (
            "marketing_roi",
            "revenue from marketing ÷ marketing spend",
            "выручка от маркетинга ÷ расходы на маркетинг",
        ),
        ("lead_to_qualified", "qualified leads ÷ leads", "квалифицированные лиды ÷ лиды"),
        (
            "gross_margin",
            "(revenue − cost of goods sold) ÷ revenue",
            "(выручка − себестоимость продаж) ÷ выручка",
        ),
        (
            "win_rate",
            "closed deals ÷ (closed deals + lost deals)",
            "закрытые сделки ÷ (закрытые сделки + проигранные сделки)",
        ),
        (
            "customer_acquisition_cost",
            "(marketing spend + sales costs) ÷ new customers",
            "(расходы на маркетинг + расходы на продажи) ÷ новые клиенты",
        ),
        (
            "nps",
            "(promoters (answers 9–10) − detractors (answers 0–6)) ÷ all answers × 100",
            "(промоутеры (оценки 9–10) − критики (оценки 0–6)) ÷ все ответы × 100",
        ),
        (
            "customer_lifetime_value",
            "average purchase value × purchases per customer per year × years a customer stays",
            "средний чек × покупки одного клиента за год × сколько лет клиент остаётся с вами",
        ),
        ("cold_calls", "cold calls", "холодные звонки"),
    ],
)
def test_formulas_render_from_their_structure(kpi_id: str, en: str, ru: str) -> None:
    message = get_kpi(kpi_id).formula_message
    assert EN.render(message) == en
    assert RU.render(message) == ru


def test_render_formula_parenthesises_compound_denominators_and_subtrahends() -> None:
    a, b, c = get_metric("leads"), get_metric("revenue"), get_metric("meetings")
    assert EN.render(render_formula(Ratio(a, Product((b, c))))) == "leads ÷ (revenue × meetings)"
    assert EN.render(render_formula(Difference(a, Sum((b, c))))) == "leads − (revenue + meetings)"
    assert EN.render(render_formula(Product((Sum((a, b)), c)))) == "(leads + revenue) × meetings"


def test_evaluate_is_exact_decimal_arithmetic() -> None:
    assert evaluate(
        get_kpi("marketing_roi").formula,
        {"marketing_revenue": D("500000"), "marketing_spend": D("100000")},
    ) == D(5)
    margin = evaluate(
        get_kpi("gross_margin").formula,
        {"revenue": D("1000.10"), "cost_of_goods_sold": D("600.05")},
    )
    assert margin == D("400.05") / D("1000.10")
    nps = evaluate(
        get_kpi("nps").formula,
        {"promoters": D(60), "detractors": D(10), "survey_responses": D(100)},
    )
    assert nps == D(50)
    assert evaluate(Constant(D("0.1")), {}) == D("0.1")
    assert evaluate(Sum((get_metric("leads"), Constant(D("0.2")))), {"leads": D("0.1")}) == D("0.3")


def test_evaluate_a_zero_denominator_is_undefined_not_zero() -> None:
    assert (
        evaluate(get_kpi("lead_to_qualified").formula, {"qualified_leads": D(0), "leads": D(0)})
        is None
    )
    assert (
        evaluate(
            get_kpi("nps").formula,
            {"promoters": D(0), "detractors": D(0), "survey_responses": D(0)},
        )
        is None
    )


def test_evaluate_a_missing_input_is_a_domain_error_naming_the_metric() -> None:
    with pytest.raises(MissingValue) as err:
        evaluate(get_kpi("cost_per_lead").formula, {"leads": D(10)})
    assert err.value.metric.id == "marketing_spend"
    assert EN.render(err.value.message) == "A value for marketing spend is needed."


def test_formula_inputs_are_listed_once_in_order() -> None:
    assert [m.id for m in formula_inputs(get_kpi("win_rate").formula)] == [
        "closed_deals",
        "lost_deals",
    ]
    assert [m.id for m in get_kpi("retention_rate").inputs] == [
        "customers_at_end",
        "new_customers",
        "customers_at_start",
    ]


# ----------------------------------------------------------------------------- aggregation


def test_a_periods_conversion_is_the_ratio_of_sums_not_the_mean_of_daily_ratios() -> None:
    kpi = get_kpi("lead_to_qualified")
    days = [{"leads": D(10), "qualified_leads": D(9)}, {"leads": D(1), "qualified_leads": D(0)}]
    assert aggregate(kpi, days) == D(9) / D(11)
    assert aggregate(kpi, days) != (D("0.9") + D(0)) / 2


def test_ratio_of_sums_skips_days_without_every_input_and_empty_periods() -> None:
    kpi = get_kpi("cost_per_lead")
    days = [
        None,
        {"marketing_spend": D(1000), "leads": D(4)},
        {"leads": D(6)},
        {"marketing_spend": D(500), "leads": D(1)},
    ]
    assert aggregate(kpi, days) == D(300)
    assert aggregate(kpi, []) is None
    assert aggregate(kpi, [None, {"leads": D(3)}]) is None
    assert aggregate(kpi, [{"marketing_spend": D(100), "leads": D(0)}]) is None


def test_ratio_of_sums_needs_the_inputs_not_a_bare_daily_value() -> None:
    with pytest.raises(ValueError, match="lead_to_qualified"):
        aggregate(get_kpi("lead_to_qualified"), [D("0.8")])


def test_sum_average_and_last() -> None:
    assert aggregate(get_kpi("cold_calls"), [D(20), None, D(25), {"cold_calls": D(5)}]) == D(50)
    assert aggregate(get_kpi("revenue"), [D("45454.55"), D("0.45")]) == D("45455.00")
    assert aggregate(get_kpi("lead_response_time"), [D(10), D(20), None, D(15)]) == D(15)
    assert aggregate(get_kpi("retention_rate"), [D("0.8"), None, D("0.85")]) == D("0.85")
    assert aggregate(get_kpi("cold_calls"), [None, None]) is None


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 500)).map(lambda p: (min(p), max(p))),
        max_size=40,
    )
)
def test_conversion_over_a_period_equals_total_qualified_over_total_leads(
    pairs: list[tuple[int, int]],
) -> None:
    days = [{"qualified_leads": D(q), "leads": D(n)} for q, n in pairs]
    total_leads = sum(n for _, n in pairs)
    result = aggregate(get_kpi("lead_to_qualified"), days)
    if total_leads == 0:
        assert result is None
    else:
        assert result == D(sum(q for q, _ in pairs)) / D(total_leads)
        assert result is not None
        assert D(0) <= result <= D(1)


# ----------------------------------------------------------------------------- aliases


@pytest.mark.parametrize(
    ("typed", "kpi_id"),
    [
        ("звонков", "cold_calls"),
        ("Calls", "cold_calls"),
        ("  Холодные   ЗВОНКИ ", "cold_calls"),
        ("встречи", "meetings"),
        ("выручка", "revenue"),
        ("revenue", "revenue"),
        ("лиды", "leads"),
        ("лидов", "leads"),
        ("счёт", "invoices_issued"),
        ("кп", "proposals_sent"),
        ("сделок", "closed_deals"),
        ("cpl", "cost_per_lead"),
        ("конверсия в кл", "lead_to_qualified"),
    ],
)
def test_kpi_by_alias(typed: str, kpi_id: str) -> None:
    kpi = kpi_by_alias(typed)
    assert kpi is not None
    assert kpi.id == kpi_id


def test_kpi_by_alias_can_be_limited_to_the_users_kpis() -> None:
    assert kpi_by_alias("звонки", among=["meetings"]) is None
    found = kpi_by_alias("звонки", among=["cold_calls", "meetings"])
    assert found is not None
    assert found.id == "cold_calls"
    assert kpi_by_alias("погода") is None


def test_metric_by_alias_finds_formula_inputs_and_single_metric_kpis() -> None:
    spend = metric_by_alias("Расходы")
    assert spend is not None
    assert spend.id == "marketing_spend"
    leads = metric_by_alias("лидов")
    assert leads is not None
    assert leads.id == "leads"
    assert metric_by_alias("cpl") is None  # a ratio KPI is not an input
    assert metric_by_alias("погода") is None


# ----------------------------------------------------------------------------- translations


def test_every_kpi_text_has_a_russian_translation() -> None:
    cyrillic = re.compile(r"[А-Яа-яЁё]")
    for kpi in KPIS:
        for message in (kpi.name_message, kpi.description_message, kpi.formula_message):
            assert cyrillic.search(RU.render(message)), (kpi.id, message.msgid)
        if kpi.benchmark_message is not None:
            assert cyrillic.search(RU.render(kpi.benchmark_message)), kpi.id
    assert RU.render(get_kpi("cold_calls").short_message) == "Звонки"
    assert EN.render(get_kpi("cold_calls").short_message) == "Calls"
    assert (
        RU.render(get_kpi("customer_acquisition_cost").name_message)
        == "Стоимость привлечения клиента (CAC)"
    )


# ----------------------------------------------------------------------------- profile


ENUMS = (Role, BusinessType, SalesChannel, Goal, DataSource, Controller)


def test_every_enum_member_has_a_label_with_its_own_context() -> None:
    for enum in ENUMS:
        for member in enum:
            message = label(member)
            assert isinstance(message, Message)
            assert message.msgid
            assert message.context
            assert re.search(r"[А-Яа-я]", RU.render(message)), member


def test_labels_of_equal_valued_members_of_different_enums_do_not_collide() -> None:
    # Role.OWNER == Controller.OWNER == "owner" as strings.
    assert label(Role.OWNER).context == "role"
    assert label(Controller.OWNER).context == "controller"
    assert EN.render(label(Role.OWNER)) == "Business owner"


def test_enum_values_are_stable_strings() -> None:
    assert [r.value for r in Role] == [
        "owner",
        "head_of_sales",
        "sales_manager",
        "head_of_marketing",
        "marketer",
    ]
    assert DataSource("manual") is DataSource.MANUAL
    assert Controller("head") is Controller.HEAD


def test_profile_round_trips_through_json() -> None:
    profile = Profile(
        role=Role.HEAD_OF_SALES,
        business=BusinessType.B2B,
        channel=SalesChannel.PHONE,
        goals=frozenset({Goal.MORE_SALES, Goal.TEAM_DISCIPLINE}),
        data_sources=frozenset({DataSource.CRM}),
        team_size=10,
    )
    data = json.loads(json.dumps(profile.to_dict()))
    assert data["goals"] == ["more_sales", "team_discipline"]
    assert Profile.from_dict(data) == profile
    assert profile.controller is Controller.HEAD
    assert profile.available_sources() == {DataSource.CRM, DataSource.MANUAL}


@pytest.mark.parametrize("size", [0, -1, True])
def test_profile_rejects_a_team_without_people(size: int) -> None:
    with pytest.raises(InvalidProfile) as err:
        Profile(Role.OWNER, BusinessType.B2C, SalesChannel.ONLINE, team_size=size)
    assert RU.render(err.value.message) == "Размер команды — целое число, не меньше 1."


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"role": "boss", "business": "b2b", "channel": "phone"},
        {"role": "owner", "business": "b2b", "channel": "phone", "goals": "more_sales"},
        {"role": "owner", "business": "b2b", "channel": "phone", "team_size": "many"},
    ],
)
def test_profile_from_bad_data_is_a_domain_error(data: dict[str, object]) -> None:
    with pytest.raises(InvalidProfile):
        Profile.from_dict(data)


def test_every_kpi_fits_in_the_buttons_that_carry_its_id() -> None:
    """Telegram gives a button 64 bytes: swap, remove, pick and the targets screen's ✏ carry a
    KPI id (and the longest menu token), and must still fit."""
    from bot.ui import callbacks, render
    from kpi_core.services.onboarding import Action
    from kpi_core.services.onboarding.derive import PARAMS

    token = "f" * 12  # twice the tokens made today
    for kpi in all_kpis():
        for action in (Action.SWAP, Action.REMOVE, Action.PICK, Action.EDIT_TARGET):
            data = callbacks.menu(render.PREFIX_REVIEW, token, action, kpi.id)
            assert render.press_of(data).args == (kpi.id,)
    for name in PARAMS:
        assert len(callbacks.menu(render.PREFIX_REVIEW, token, Action.EDIT_PARAM, name)) <= 64
