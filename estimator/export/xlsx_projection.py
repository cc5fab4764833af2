"""Workbook sheets for budgets: Monthly (statement x month), Projection, By label, Daily.

CFU-minutes come from the estimate as values; every CFU-hour, cost and total is a formula over
them and the Summary's inputs (Price, Discount, MonthHours), so finance can re-price the year.

- Monthly: one row per statement, one column per projected calendar month (CFU-minutes of
  recurring statements; one-off ones hold zeros), a total row of SUM formulas.
- Projection: one row per month: hours, CFU-minutes (= the Monthly total), CFU-hours, cost;
  a total row; the Summary's AnnualCost is the SUM of its first twelve costs.
- By label: per label key and value, formulas (SUMPRODUCT with EXACT, so a label's text is
  compared as typed, never read as a criterion) over a per-statement block below them.
- Daily: the horizon's CFU-minutes per statement and day, total and cost formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from estimator import projection as proj
from estimator.estimate import Estimate
from estimator.export.xlsx_cells import (
    FMT_DEC2,
    FMT_DEC4,
    FMT_INT,
    FMT_MONEY,
    FMT_MONEY_FINE,
    GROUP_FONT,
    NAME_ANNUAL,
    NAME_MONTH_HOURS,
    NAME_MONTHLY,
    NOTE_FONT,
    TOP,
    TOTAL_FONT,
    cost_formula,
    finish_table,
    header,
    put_formula,
    put_text,
    put_value,
)
from estimator.labels import NONE_LABEL

MONTHLY = "Monthly"
PROJECTION = "Projection"
BY_LABEL = "By label"
DAILY = "Daily"

NAME_CYCLE_MINUTES = "CycleMinutes"
NAME_CYCLE_CFU_MINUTES = "CycleCFUMinutes"
NAME_ONE_OFF_CFU_MINUTES = "OneOffCFUMinutes"
NAME_ONE_OFF = "OneOffCost"


def summary_rows(est: Estimate) -> list[tuple[str, str, Any, str, str]]:
    """(label, defined name, formula or value, number format, note) rows of the Summary's
    totals that the projection gives: cycle, monthly, annual, one-off."""
    p = est.projection
    cycle = p.cycle_minutes if p else 1440
    cycle_minutes = int(p.cycle_cfu_minutes.sum()) if p else 0
    one_off = [i for i, k in enumerate(p.recurrence) if k == proj.ONE_OFF] if p else []
    one_off_minutes = sum(est.statements[i].cfu_minutes for i in one_off)
    months = len(p.months) if p else 0
    if months >= proj.ANNUAL_MONTHS:
        annual = f"=SUM({_ref(PROJECTION, 3, 5)}:$E${2 + proj.ANNUAL_MONTHS})"
        annual_note = "Sum of the first twelve months of the Projection sheet."
    else:
        minutes = int(p.annual_by_statement.sum()) if p else 0
        annual = cost_formula(str(minutes))
        annual_note = f"Twelve months projected (the Projection sheet shows {months})."
    return [
        (
            "Traffic cycle (minutes)",
            NAME_CYCLE_MINUTES,
            cycle,
            FMT_INT,
            "The span the traffic repeats over (a day, a week); monthly comes from whole cycles.",
        ),
        (
            "Recurring CFU-minutes per cycle",
            NAME_CYCLE_CFU_MINUTES,
            cycle_minutes,
            FMT_INT,
            "Recurring statements over one whole cycle, simulated apart (today's traffic).",
        ),
        (
            "Monthly cost, recurring (USD)",
            NAME_MONTHLY,
            f"={cost_formula(NAME_CYCLE_CFU_MINUTES)[1:]}*{NAME_MONTH_HOURS}*60/"
            f"{NAME_CYCLE_MINUTES}",
            FMT_MONEY,
            "Cost of one cycle x MonthHours x 60 / CycleMinutes (one-off statements excluded).",
        ),
        ("Annual cost (USD)", NAME_ANNUAL, annual, FMT_MONEY, annual_note),
        (
            "One-off CFU-minutes",
            NAME_ONE_OFF_CFU_MINUTES,
            one_off_minutes,
            FMT_INT,
            "DDL and cfu_schedule statements: they end inside the horizon, billed once.",
        ),
        (
            "One-off cost (USD)",
            NAME_ONE_OFF,
            cost_formula(NAME_ONE_OFF_CFU_MINUTES),
            FMT_MONEY_FINE,
            "Billed once; not in monthly, annual or the projection.",
        ),
    ]


def _ref(sheet: str, row: int, col: int) -> str:
    return f"{quote_sheetname(sheet)}!${get_column_letter(col)}${row}"


def monthly_sheet(wb: Workbook, est: Estimate) -> Worksheet | None:
    p = est.projection
    if p is None:
        return None
    ws = wb.create_sheet(MONTHLY)
    months = [m.month for m in p.months]
    headers = [("Statement", 28), ("Pool", 16), ("Recurrence", 11)]
    headers += [(m, 12) for m in months]
    header(ws, 1, [h for h, _ in headers], [w for _, w in headers])
    n = len(est.statements)
    for i, s in enumerate(est.statements):
        r = i + 2
        put_text(ws, r, 1, s.name, alignment=TOP)
        put_text(ws, r, 2, s.pool, alignment=TOP)
        put_text(ws, r, 3, p.recurrence[i])
        for k in range(len(months)):
            put_value(ws, r, 4 + k, int(p.by_statement[i, k]), number_format=FMT_INT)
    total = n + 2
    put_text(ws, total, 1, "Total CFU-minutes", font=TOTAL_FONT)
    for k in range(len(months)):
        col = get_column_letter(4 + k)
        put_formula(
            ws,
            total,
            4 + k,
            f"=SUM({col}2:{col}{total - 1})",
            number_format=FMT_INT,
            font=TOTAL_FONT,
        )
    put_text(
        ws,
        total + 2,
        1,
        "CFU-minutes per calendar month, projected (recurring statements). See Projection.",
        font=NOTE_FONT,
    )
    finish_table(ws, 1, len(headers), total - 1, "D2")
    return ws


def projection_sheet(wb: Workbook, est: Estimate) -> Worksheet | None:
    p = est.projection
    if p is None:
        return None
    ws = wb.create_sheet(PROJECTION)
    put_text(
        ws,
        1,
        1,
        f"Recurring cost per calendar month from {p.start} ({p.method}); growth and weekdays "
        "as the traffic profiles have them. One-off statements are not in it.",
        font=NOTE_FONT,
    )
    headers = [("Month", 10), ("Hours", 8), ("CFU-minutes", 14), ("CFU-hours", 12)]
    headers += [("Cost (USD)", 14), ("Cumulative cost (USD)", 16)]
    spread = est.range.projection if est.range is not None else None
    if spread is not None:
        headers += [(h, 13) for h in PROJECTION_RANGE_HEADERS]
    header(ws, 2, [h for h, _ in headers], [w for _, w in headers])
    n = len(est.statements)
    first = 3
    for k, m in enumerate(p.months):
        r = first + k
        put_text(ws, r, 1, m.month)
        put_value(ws, r, 2, m.hours, number_format=FMT_INT)
        put_formula(ws, r, 3, f"={_ref(MONTHLY, n + 2, 4 + k)}", number_format=FMT_INT)
        put_formula(ws, r, 4, f"=C{r}/60", number_format=FMT_DEC2)
        put_formula(ws, r, 5, cost_formula(f"C{r}"), number_format=FMT_MONEY)
        previous = f"F{r - 1}+" if k else ""
        put_formula(ws, r, 6, f"={previous}E{r}", number_format=FMT_MONEY)
        if spread is not None:
            put_value(ws, r, 7, spread.months_low[k].cfu_minutes, number_format=FMT_INT)
            put_value(ws, r, 8, spread.months_high[k].cfu_minutes, number_format=FMT_INT)
            put_formula(ws, r, 9, cost_formula(f"G{r}"), number_format=FMT_MONEY)
            put_formula(ws, r, 10, cost_formula(f"H{r}"), number_format=FMT_MONEY)
    last = first + len(p.months) - 1
    total = last + 1
    put_text(ws, total, 1, "Total", font=TOTAL_FONT)
    for col in (2, 3, 4, 5, *((7, 8, 9, 10) if spread is not None else ())):
        letter = get_column_letter(col)
        fmt = FMT_MONEY if col in (5, 9, 10) else FMT_DEC2 if col == 4 else FMT_INT
        put_formula(
            ws,
            total,
            col,
            f"=SUM({letter}{first}:{letter}{last})",
            number_format=fmt,
            font=TOTAL_FONT,
        )
    if spread is not None:
        put_text(
            ws,
            total + 2,
            1,
            "Low / high: the same projection with every model parameter at its cheap / "
            "expensive end; each month the least / the most of the three runs.",
            font=NOTE_FONT,
        )
    finish_table(ws, 2, len(headers), last, "A3")
    return ws


PROJECTION_RANGE_HEADERS: tuple[str, ...] = ("CFU-minutes low", "CFU-minutes high")
PROJECTION_RANGE_HEADERS += ("Cost low (USD)", "Cost high (USD)")
_RANGE_COST_COL = {"low": 9, "high": 10}  # the Projection sheet's cost low / high columns


def range_rows(est: Estimate, bound: str) -> list[tuple[str, str, Any, str]]:
    """(label, defined name or "", formula or value, number format): the Summary's monthly
    and annual rows of the range, defined like the expected ones (whole cycles; the sum of
    the Projection's first twelve months)."""
    if est.range is None or est.projection is None:
        return []
    spread, p = est.range.projection, est.projection
    cycle = spread.cycle_cfu_minutes_low if bound == "low" else spread.cycle_cfu_minutes_high
    name = f"{NAME_CYCLE_CFU_MINUTES}{bound.capitalize()}"
    if len(p.months) >= proj.ANNUAL_MONTHS:
        col = get_column_letter(_RANGE_COST_COL[bound])
        last = 2 + proj.ANNUAL_MONTHS
        annual: Any = f"=SUM({_ref(PROJECTION, 3, _RANGE_COST_COL[bound])}:${col}${last})"
    else:
        minutes = (
            spread.annual_cfu_minutes_low if bound == "low" else spread.annual_cfu_minutes_high
        )
        annual = cost_formula(str(minutes))
    return [
        (f"Recurring CFU-minutes per cycle, {bound}", name, cycle, FMT_INT),
        (
            f"Monthly cost, {bound} (USD)",
            "",
            f"={cost_formula(name)[1:]}*{NAME_MONTH_HOURS}*60/{NAME_CYCLE_MINUTES}",
            FMT_MONEY,
        ),
        (f"Annual cost, {bound} (USD)", "", annual, FMT_MONEY),
    ]


def by_label_sheet(wb: Workbook, est: Estimate) -> Worksheet | None:
    if not est.by_label or est.projection is None:
        return None
    p = est.projection
    ws = wb.create_sheet(BY_LABEL)
    keys = list(est.by_label)
    headers = [
        ("Label key", 16),
        ("Value", 22),
        ("Statements", 10),
        ("CFU-minutes (horizon)", 13),
        ("Cost over the horizon (USD)", 14),
        ("Monthly, recurring (USD)", 14),
        ("Annual (USD)", 14),
        ("One-off (USD)", 12),
    ]
    header(ws, 1, [h for h, _ in headers], [w for _, w in headers])
    groups = sum(len(rows) for rows in est.by_label.values())
    # The per-statement block the group formulas read, below the groups.
    block = groups + 5
    detail_headers = ["Statement", *keys, "CFU-minutes", "Cycle CFU-minutes", "Annual CFU-minutes"]
    detail_headers.append("One-off CFU-minutes")
    put_text(ws, block - 1, 1, "Per statement (what the formulas above add up)", font=GROUP_FONT)
    for j, text in enumerate(detail_headers, start=1):
        put_text(ws, block, j, text, font=TOTAL_FONT)
    first, last = block + 1, block + len(est.statements)
    base = 2 + len(keys)  # column of CFU-minutes in the block
    for i, s in enumerate(est.statements):
        r = first + i
        put_text(ws, r, 1, s.name)
        for j, key in enumerate(keys):
            value = est.labels[i].get(key)
            if value is not None:
                put_text(ws, r, 2 + j, value)
        put_value(ws, r, base, s.cfu_minutes, number_format=FMT_INT)
        put_value(ws, r, base + 1, int(p.cycle_cfu_minutes[i]), number_format=FMT_INT)
        put_value(ws, r, base + 2, int(p.annual_by_statement[i]), number_format=FMT_INT)
        once = s.cfu_minutes if p.recurrence[i] == proj.ONE_OFF else 0
        put_value(ws, r, base + 3, once, number_format=FMT_INT)

    def column(col: int) -> str:
        letter = get_column_letter(col)
        return f"${letter}${first}:${letter}${last}"

    r = 1
    for j, key in enumerate(keys):
        match_range = column(2 + j)
        for g in est.by_label[key]:
            r += 1
            put_text(ws, r, 1, key)
            put_text(ws, r, 2, g.label)
            if g.value is None:
                match = f"--(LEN({match_range})=0)"
            else:
                match = f"--EXACT({match_range},B{r})"

            def total(col: int, match: str = match) -> str:
                return f"SUMPRODUCT({match},{column(col)})"

            put_formula(ws, r, 3, f"=SUMPRODUCT({match})", number_format=FMT_INT)
            put_formula(ws, r, 4, f"={total(base)}", number_format=FMT_INT)
            put_formula(ws, r, 5, cost_formula(f"D{r}"), number_format=FMT_MONEY_FINE)
            monthly = (
                f"{cost_formula(total(base + 1))[1:]}*{NAME_MONTH_HOURS}*60/{NAME_CYCLE_MINUTES}"
            )
            put_formula(ws, r, 6, f"={monthly}", number_format=FMT_MONEY)
            put_formula(ws, r, 7, cost_formula(total(base + 2)), number_format=FMT_MONEY)
            put_formula(ws, r, 8, cost_formula(total(base + 3)), number_format=FMT_MONEY_FINE)
    put_text(
        ws,
        r + 2,
        1,
        f"Statements without a key are in its {NONE_LABEL} row. Pool labels apply to their "
        "statements unless a statement sets the key itself.",
        font=NOTE_FONT,
    )
    finish_table(ws, 1, len(headers), r, "C2")
    return ws


def daily_sheet(wb: Workbook, est: Estimate) -> Worksheet:
    """The horizon's CFU-minutes per day and statement (the last day may be partial)."""
    ws = wb.create_sheet(DAILY)
    names = [s.name for s in est.statements]
    n = len(names)
    by_hour = est.hourly_by_statement
    hours = by_hour.shape[1]
    days = -(-hours // 24)
    padded = np.zeros((n, days * 24), dtype=np.int64)
    padded[:, :hours] = by_hour
    by_day = padded.reshape(n, days, 24).sum(axis=2)
    horizon = est.scenario.horizon_minutes
    headers: list[tuple[str, float]] = [("Day", 6), ("Start hour", 8), ("Minutes", 8)]
    headers += [(name, 13) for name in names]
    headers += [("Total CFU-minutes", 13), ("CFU-hours", 11), ("Cost (USD)", 13)]
    header(ws, 1, [h for h, _ in headers], [w for _, w in headers])
    total_col = 4 + n
    first_stmt, last_stmt = get_column_letter(4), get_column_letter(3 + n)
    for d in range(days):
        r = d + 2
        put_value(ws, r, 1, d + 1)
        put_value(ws, r, 2, d * 24, number_format=FMT_INT)
        put_value(ws, r, 3, min(1440, horizon - d * 1440), number_format=FMT_INT)
        for i in range(n):
            put_value(ws, r, 4 + i, int(by_day[i, d]), number_format=FMT_INT)
        put_formula(
            ws,
            r,
            total_col,
            f"=SUM({first_stmt}{r}:{last_stmt}{r})",
            number_format=FMT_INT,
            font=TOTAL_FONT,
        )
        total = get_column_letter(total_col)
        put_formula(ws, r, total_col + 1, f"={total}{r}/60", number_format=FMT_DEC4)
        put_formula(ws, r, total_col + 2, cost_formula(f"{total}{r}"), number_format=FMT_MONEY_FINE)
    finish_table(ws, 1, len(headers), days + 1, "D2")
    return ws


def day_columns(ws: Worksheet, est: Estimate) -> tuple[int, int, int]:
    """(first data row, last data row, cost column) of a Daily sheet, for charts."""
    days = -(-est.hourly_by_statement.shape[1] // 24)
    return 2, days + 1, 6 + len(est.statements)
