"""Proof by a real spreadsheet program: LibreOffice recalculates the exported workbooks.

One LibreOffice run (about 5-10 s) converts four workbooks: the hostile-named retail estimate
as exported, two copies with edited inputs (price; discount and month hours), and Confluent's
five-statement billing example. Totals must equal the estimator's to the cent.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from export_support import (
    HOSTILE,
    HOSTILE_POOLS,
    HOSTILE_SCENARIO_NAME,
    named_cell,
    recalculate,
    soffice,
)
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from estimator.billing import Rate, monthly
from estimator.estimate import Estimate
from estimator.export.xlsx import write_workbook

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        soffice() is None,
        reason="LibreOffice (soffice) is not installed; `make test` installs it",
    ),
]

NOW = dt.datetime(2026, 11, 3, 9, 30)
CENT = Decimal("0.01")
NEW_PRICE = Decimal("0.3")
NEW_DISCOUNT = Decimal("20")  # percent
NEW_MONTH_HOURS = Decimal("720")


@dataclass(frozen=True)
class Recalculated:
    original: Path
    converted: Path
    hostile: Workbook  # as exported, recalculated (values)
    hostile_formulas: Workbook  # the same file, formulas
    price: Workbook  # Price changed with openpyxl, recalculated
    inputs: Workbook  # Discount and MonthHours changed, recalculated
    five: Workbook


def _edit(src: Path, dst: Path, **values: float) -> None:
    wb = load_workbook(src)
    for name, value in values.items():
        named_cell(wb, name).value = value
    wb.save(dst)


@pytest.fixture(scope="module")
def recalculated(
    tmp_path_factory: pytest.TempPathFactory, hostile_est: Estimate, five_est: Estimate
) -> Recalculated:
    folder = tmp_path_factory.mktemp("libreoffice")
    hostile = folder / "hostile.xlsx"
    write_workbook(hostile_est, hostile, now=NOW)
    _edit(hostile, folder / "price.xlsx", Price=float(NEW_PRICE))
    _edit(
        hostile,
        folder / "inputs.xlsx",
        Discount=float(NEW_DISCOUNT / 100),
        MonthHours=float(NEW_MONTH_HOURS),
    )
    five = folder / "five.xlsx"
    write_workbook(five_est, five, now=NOW)
    files = [hostile, folder / "price.xlsx", folder / "inputs.xlsx", five]
    out = recalculate(files, folder / "out", folder)
    values = [load_workbook(p, data_only=True) for p in out]
    return Recalculated(
        original=hostile,
        converted=out[0],
        hostile=values[0],
        hostile_formulas=load_workbook(out[0]),
        price=values[1],
        inputs=values[2],
        five=values[3],
    )


def _value(wb: Workbook, name: str) -> Decimal:
    value = named_cell(wb, name).value
    assert isinstance(value, int | float), f"{name}: {value!r} (not recalculated?)"
    return Decimal(repr(value))


def _monthly_annual(est: Estimate, rate: Rate, month_hours: float) -> tuple[Decimal, Decimal]:
    """Monthly (one whole traffic cycle scaled to a month) and annual (the projection's twelve
    calendar months) at another rate, from the estimate's CFU-minutes."""
    p = est.projection
    assert p is not None
    cycle_cost = rate.cost(int(p.cycle_cfu_minutes.sum()))
    return monthly(cycle_cost, p.cycle_minutes, month_hours), rate.cost(
        int(p.annual_by_statement.sum())
    )


def _assert_cents(got: Decimal, want: Decimal, what: str) -> None:
    assert got.quantize(CENT) == want.quantize(CENT), f"{what}: {got} != {want}"
    # and far closer than a cent: the formulas are the estimator's, only floats differ
    assert abs(got - want) <= Decimal("1e-9") * max(1, abs(want)), f"{what}: {got} vs {want}"


def test_recalculated_totals_equal_the_estimator(
    recalculated: Recalculated, hostile_est: Estimate
) -> None:
    wb, t = recalculated.hostile, hostile_est.totals
    assert _value(wb, "TotalCFUMinutes") == t.cfu_minutes
    _assert_cents(_value(wb, "TotalCFUHours"), t.cfu_hours, "CFU-hours")
    _assert_cents(_value(wb, "TotalCost"), t.cost_usd, "cost")
    _assert_cents(_value(wb, "MonthlyCost"), t.monthly_cost_usd, "monthly")
    _assert_cents(_value(wb, "AnnualCost"), t.annual_cost_usd, "annual")
    assert t.cost_usd > 1  # a non-trivial amount, priced at $0.2137 less 12.5%


def test_recalculated_statement_pool_and_hourly_costs(
    recalculated: Recalculated, hostile_est: Estimate
) -> None:
    wb = recalculated.hostile
    statements = wb["Statements"]
    for i, s in enumerate(hostile_est.statements):
        assert statements.cell(i + 2, 11).value == s.cfu_minutes
        _assert_cents(Decimal(repr(statements.cell(i + 2, 13).value)), s.cost_usd, s.name)
    shares = [statements.cell(i + 2, 14).value for i in range(len(hostile_est.statements))]
    assert sum(shares) == pytest.approx(1.0)
    pools = wb["Pools"]
    for k, p in enumerate(hostile_est.pools):
        _assert_cents(Decimal(repr(pools.cell(k + 2, 9).value)), p.cost_usd, p.name)
    hourly = wb["Hourly"]
    n = len(hostile_est.statements)
    for h, bill in enumerate(hostile_est.hourly):
        assert hourly.cell(3 + h, 4 + n).value == bill.cfu_minutes
        _assert_cents(Decimal(repr(hourly.cell(3 + h, 7 + n).value)), bill.cost_usd, f"hour {h}")
    last_cumulative = hourly.cell(2 + len(hostile_est.hourly), 8 + n).value
    _assert_cents(Decimal(repr(last_cumulative)), hostile_est.totals.cost_usd, "cumulative")


def test_changing_the_price_scales_the_total_by_the_price_ratio(
    recalculated: Recalculated, hostile_est: Estimate
) -> None:
    before, after = recalculated.hostile, recalculated.price
    old_price = hostile_est.price.usd_per_cfu_hour
    assert _value(after, "Price") == NEW_PRICE
    ratio = _value(after, "TotalCost") / _value(before, "TotalCost")
    assert abs(ratio - NEW_PRICE / old_price) < Decimal("1e-12")
    rate = Rate(NEW_PRICE, hostile_est.rate.discount_pct)
    cost = rate.cost(hostile_est.totals.cfu_minutes)
    _assert_cents(_value(after, "TotalCost"), cost, "cost at the new price")
    month, year = _monthly_annual(hostile_est, rate, hostile_est.scenario.month_hours)
    _assert_cents(_value(after, "MonthlyCost"), month, "monthly at the new price")
    _assert_cents(_value(after, "AnnualCost"), year, "annual at the new price")
    assert _value(after, "TotalCFUMinutes") == hostile_est.totals.cfu_minutes


def test_changing_discount_and_month_hours(
    recalculated: Recalculated, hostile_est: Estimate
) -> None:
    wb = recalculated.inputs
    rate = Rate(hostile_est.price.usd_per_cfu_hour, NEW_DISCOUNT)
    cost = rate.cost(hostile_est.totals.cfu_minutes)
    month, year = _monthly_annual(hostile_est, rate, float(NEW_MONTH_HOURS))
    _assert_cents(_value(wb, "TotalCost"), cost, "cost at 20% off")
    _assert_cents(_value(wb, "MonthlyCost"), month, "monthly at 720 h")
    # the projection's calendar months have their real hours: MonthHours does not move it
    _assert_cents(_value(wb, "AnnualCost"), year, "annual at 20% off")


def test_confluent_golden_example_recalculates_to_the_cent(
    recalculated: Recalculated, five_est: Estimate
) -> None:
    wb = recalculated.five
    assert _value(wb, "TotalCFUMinutes") == 309
    assert five_est.totals.cost_usd == Decimal("1.0815")
    _assert_cents(_value(wb, "TotalCost"), Decimal("1.0815"), "Confluent example 2")
    _assert_cents(_value(wb, "TotalCFUHours"), Decimal("5.15"), "CFU-hours")


def test_hostile_text_stays_text_after_libreoffice(recalculated: Recalculated) -> None:
    wb = recalculated.hostile_formulas
    summary = wb["Summary"]
    assert summary["B4"].value == HOSTILE_SCENARIO_NAME and summary["B4"].data_type == "s"
    names = {c.value: c.data_type for c in wb["Statements"]["B"][1:]}
    assert set(names) == set(HOSTILE)  # as typed, carriage return and tab included
    assert set(names.values()) == {"s"}
    pools = {c.value: c.data_type for c in wb["Pools"]["A"][1:]}
    assert pools == dict.fromkeys(HOSTILE_POOLS, "s")
    per_minute = {c.value for c in wb["Per-minute"]["A"][1:]}
    assert per_minute == set(names)


def test_workbook_opens_cleanly(recalculated: Recalculated, hostile_est: Estimate) -> None:
    """LibreOffice converted it without an error (fixture); openpyxl re-reads the original
    and the converted file; every sheet, defined name and both charts survive the round trip."""
    original = load_workbook(recalculated.original)
    converted = recalculated.hostile_formulas
    assert converted.sheetnames == original.sheetnames
    assert {"Price", "Discount", "MonthHours", "TotalCost"} <= set(converted.defined_names)
    rows = hostile_est.timeline.cfu.size
    assert converted["Per-minute"].max_row == rows + 1
    for path in (recalculated.original, recalculated.converted):
        with zipfile.ZipFile(path) as z:
            charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
            assert len(charts) == 2, (path.name, charts)


def _summary_value(wb: Workbook, label: str) -> Decimal:
    ws = wb["Summary"]
    for row in ws.iter_rows(min_col=1, max_col=2):
        if row[0].value == label:
            return Decimal(repr(row[1].value))
    raise AssertionError(f"no row {label!r} on Summary")


def test_recalculated_range_equals_the_estimators(
    recalculated: Recalculated, hostile_est: Estimate
) -> None:
    wb, r = recalculated.hostile, hostile_est.range
    assert r is not None
    t = r.totals
    assert _summary_value(wb, "CFU-minutes, low") == t.cfu_minutes_low
    assert _summary_value(wb, "CFU-minutes, high") == t.cfu_minutes_high
    _assert_cents(_summary_value(wb, "Cost over the horizon, low (USD)"), t.cost_usd_low, "low")
    _assert_cents(_summary_value(wb, "Cost over the horizon, high (USD)"), t.cost_usd_high, "hi")
    _assert_cents(_summary_value(wb, "Monthly cost, low (USD)"), t.monthly_cost_usd_low, "m low")
    _assert_cents(_summary_value(wb, "Monthly cost, high (USD)"), t.monthly_cost_usd_high, "m hi")
    _assert_cents(_summary_value(wb, "Annual cost, low (USD)"), t.annual_cost_usd_low, "a low")
    _assert_cents(_summary_value(wb, "Annual cost, high (USD)"), t.annual_cost_usd_high, "a hi")
    # One monthly definition: low / high monthly are whole cycles scaled to MonthHours, like
    # the expected one (not the horizon's cost), and low <= expected <= high.
    p = hostile_est.projection
    assert p is not None
    spread = r.projection
    for bound, minutes, want in (
        ("low", spread.cycle_cfu_minutes_low, t.monthly_cost_usd_low),
        ("high", spread.cycle_cfu_minutes_high, t.monthly_cost_usd_high),
    ):
        cycle_cost = hostile_est.rate.cost(minutes)
        _assert_cents(monthly(cycle_cost, p.cycle_minutes, p.month_hours), want, f"m {bound}")
    assert t.monthly_cost_usd_low <= hostile_est.totals.monthly_cost_usd <= t.monthly_cost_usd_high
    # The Projection sheet's low / high months recalculate to the estimator's, and annual
    # low / high are the sums of their first twelve months.
    sheet = wb["Projection"]
    header = [c.value for c in sheet[2]]
    low_col, high_col = header.index("Cost low (USD)"), header.index("Cost high (USD)")
    rows = list(sheet.iter_rows(min_row=3, max_row=2 + len(p.months), values_only=True))
    for k, row in enumerate(rows):
        lo, mid, hi = spread.months_low[k], p.months[k], spread.months_high[k]
        assert row[0] == mid.month and lo.cfu_minutes <= mid.cfu_minutes <= hi.cfu_minutes
        _assert_cents(Decimal(repr(row[low_col])), lo.cost_usd, f"{mid.month} low")
        _assert_cents(Decimal(repr(row[high_col])), hi.cost_usd, f"{mid.month} high")
    twelve = sum((m.cost_usd for m in spread.months_low[:12]), Decimal(0))
    _assert_cents(twelve, t.annual_cost_usd_low, "annual low = its twelve months")
    # The low / high CFU-minutes are editable inputs; the price re-prices them.
    price = recalculated.price
    rate = Rate(NEW_PRICE, hostile_est.rate.discount_pct)
    _assert_cents(
        _summary_value(price, "Cost over the horizon, high (USD)"),
        rate.cost(t.cfu_minutes_high),
        "repriced high",
    )
