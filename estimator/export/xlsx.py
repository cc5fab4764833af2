"""The estimate as a workbook that is itself a small model.

Finance changes the price, the discount or the month length on the Summary sheet and every
cost follows: CFU-minutes (from the simulation) are values; CFU-hours and costs are formulas
over them and over the named inputs `Price`, `Discount` and `MonthHours`:

    cost = CFU-minutes / 60 x Price x (1 - Discount)        (Discount as a fraction, 10% = 0.1)
    monthly = cost of one traffic cycle (recurring statements) x MonthHours x 60 / CycleMinutes
    annual = the sum of the Projection sheet's first twelve calendar months

These are the estimator's own formulas (estimator/billing.py), so a spreadsheet program
recalculates its totals to the cent. User text (scenario, pool and statement names, SQL,
advice) is always a string cell, with Excel's quote-prefix style when it starts like a
formula; it can never become one.

Public API: `write_workbook(est, path_or_buffer)` and `workbook_bytes(est)`.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import io
import os
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from estimator.estimate import Estimate
from estimator.export import tables, xlsx_projection
from estimator.export._fastsheet import Column, GeneratedSheet, finish_package, inline_string_cell
from estimator.export.safe import is_formula_like, xlsx_text
from estimator.export.xlsx_cells import (
    FMT_DATE,
    FMT_DATETIME,
    FMT_DEC1,
    FMT_DEC2,
    FMT_DEC4,
    FMT_INT,
    FMT_MONEY,
    FMT_MONEY_FINE,
    FMT_PCT,
    GROUP_FONT,
    INPUT_BORDER,
    INPUT_FILL,
    INPUT_FONT,
    NAME_CFU_HOURS,
    NAME_CFU_MINUTES,
    NAME_COST,
    NAME_DISCOUNT,
    NAME_HORIZON,
    NAME_MONTH_HOURS,
    NAME_PRICE,
    NOTE_FONT,
    SECTION_FONT,
    TITLE_FONT,
    TOP,
    TOTAL_FONT,
    WRAP,
    print_setup,
    put_formula,
    put_text,
    put_value,
)
from estimator.export.xlsx_cells import abs_ref as _abs
from estimator.export.xlsx_cells import cost_formula as _cost
from estimator.export.xlsx_cells import define_name as _name
from estimator.export.xlsx_cells import finish_table as _finish_table
from estimator.export.xlsx_cells import header as _header
from estimator.timeline import SCALING_STATES

CREATOR = "Flink CFU Estimator"

SUMMARY = "Summary"
STATEMENTS = "Statements"
HOURLY = "Hourly"
PER_MINUTE = "Per-minute"
POOLS = "Pools"
ASSUMPTIONS = "Assumptions"
PRICES = "Prices"

EXCEL_MAX_ROWS = 1_048_576
PER_MINUTE_ROWS_PER_SHEET = EXCEL_MAX_ROWS - 1  # one header row
PER_MINUTE_MAX_ROWS = 2 * PER_MINUTE_ROWS_PER_SHEET
"""Above this the per-minute table is left to per_minute.csv (a note says so)."""
PER_MINUTE_DEFAULT_ROWS = 50_000
"""Unless asked for, the per-minute table is left out above this many rows (a day of 34
statements): it would make the file large and slow to open and print. Ask with
per_minute=True (`--xlsx-per-minute`)."""
CHART_WIDTH_CM = 24
CHART_HEIGHT_CM = 14
CHART_ROWS = 30
"""Rows of the Summary one chart spans (14 cm at the default row height), a page each."""
DAILY_CHARTS_ABOVE_HOURS = 72
"""Over longer horizons the Summary's charts show days, not hours."""

MAX_CHART_SERIES = 25
"""The stacked CFU chart shows the statements with the most CFU-minutes, at most this many."""


@dataclass(frozen=True)
class PerMinuteColumn:
    key: str  # as in estimator.timeline.PER_MINUTE_KEYS
    header: str
    width: float
    number_format: str | None  # None for text


PER_MINUTE_COLUMNS: tuple[PerMinuteColumn, ...] = (
    PerMinuteColumn("statement", "Statement", 28, None),
    PerMinuteColumn("minute", "Minute", 9, FMT_INT),
    PerMinuteColumn("rps", "Input rate (records/s)", 14, FMT_DEC1),
    PerMinuteColumn("capacity", "Capacity (records/s)", 14, FMT_INT),
    PerMinuteColumn("cfu", "CFUs", 7, "0"),
    PerMinuteColumn("backlog", "Backlog (records)", 14, FMT_INT),
    PerMinuteColumn("lag_seconds", "Lag (s)", 10, FMT_DEC1),
    PerMinuteColumn("scaling_state", "Scaling state", 20, None),
)


# --------------------------------------------------------------------------- cell helpers


RANGE_HEADERS = [
    ("CFU-minutes low", 12),
    ("CFU-minutes high", 12),
    ("Cost low (USD)", 13),
    ("Cost high (USD)", 13),
]


STATEMENT_SHEET_VALUES: tuple[tuple[str, tuple[str, dict[str, Any]]], ...] = (
    ("name", ("Statement", {"alignment": TOP})),
    ("pool", ("Pool", {"alignment": TOP})),
    ("kind", ("Kind", {})),
    ("statement_type", ("Statement type", {})),
    ("operators", ("Operators", {})),
    ("partitions", ("Partitions", {})),
    ("rps", ("Input rate (records/s)", {"number_format": FMT_INT})),
    ("message_bytes", ("Message size (bytes)", {"number_format": FMT_INT})),
    ("records_per_cfu_second", ("Records/s per CFU", {"number_format": FMT_INT})),
    ("peak_cfu", ("Peak CFUs", {"number_format": FMT_INT})),
    ("avg_cfu", ("Average CFUs (while running)", {"number_format": FMT_DEC2})),
    ("max_backlog_records", ("Max backlog (records)", {"number_format": FMT_INT})),
    ("max_lag_seconds", ("Max lag (s)", {"number_format": FMT_DEC1})),
    ("exhausted_minutes", ("Pool-exhausted minutes", {})),
    ("pending_minutes", ("Pending minutes", {})),
    ("advice", ("Advice", {"alignment": WRAP})),
    ("warnings", ("Warnings", {"alignment": WRAP})),
    ("error", ("Error", {"alignment": WRAP})),
)
"""The Statements sheet's value columns: (key of the export tables' STATEMENT_TABLE, (header,
style)). The values come from estimator.export.tables, like every other export's."""


def _range_cells(ws: Worksheet, r: int, col: dict[str, int], sr: Any) -> None:
    """A statement's low / high CFU-minutes (editable inputs) and their costs (formulas)."""
    for label, value in (
        ("CFU-minutes low", sr.cfu_minutes_low),
        ("CFU-minutes high", sr.cfu_minutes_high),
    ):
        cell = put_value(
            ws,
            r,
            col[label],
            value,
            number_format=FMT_INT,
            font=INPUT_FONT,
            fill=INPUT_FILL,
            border=INPUT_BORDER,
        )
        cell.comment = _comment(
            "Editable. From the estimator's range (every model parameter at its cheap or its "
            "expensive end); the cost beside it is a formula."
        )
    for label, source in (
        ("Cost low (USD)", "CFU-minutes low"),
        ("Cost high (USD)", "CFU-minutes high"),
    ):
        ref = f"{get_column_letter(col[source])}{r}"
        put_formula(ws, r, col[label], _cost(ref), number_format=FMT_MONEY_FINE)


def _range_summary(wb: Workbook, ws: Worksheet, r: int, est: Estimate) -> int:
    """The range of the totals: sums of the Statements sheet's low / high columns; monthly
    and annual low / high defined like the expected ones (xlsx_projection.range_rows)."""
    put_text(
        ws,
        r,
        1,
        "Range (formulas over the Statements sheet's low / high columns and the Projection)",
        font=SECTION_FONT,
    )
    first = 25 + 1  # the range columns follow SQL on the Statements sheet
    last_row = len(est.statements) + 1
    for k, bound in enumerate(("low", "high")):
        minutes_col = get_column_letter(first + k)
        cost_col = get_column_letter(first + 2 + k)
        rows: list[tuple[str, str, Any, str]] = [
            (
                f"CFU-minutes, {bound}",
                "",
                f"=SUM({STATEMENTS}!{minutes_col}2:{minutes_col}{last_row})",
                FMT_INT,
            ),
            (
                f"Cost over the horizon, {bound} (USD)",
                "",
                f"=SUM({STATEMENTS}!{cost_col}2:{cost_col}{last_row})",
                FMT_MONEY,
            ),
            *xlsx_projection.range_rows(est, bound),
        ]
        for j, (label, name, formula, fmt) in enumerate(rows):
            r += 1
            put_text(ws, r, 1, label, font=TOTAL_FONT)
            put = put_formula if isinstance(formula, str) else put_value
            put(ws, r, 2, formula, number_format=fmt, font=TOTAL_FONT)
            if name:
                _name(wb, name, _abs(SUMMARY, r, 2))
            if j == 0:
                put_text(
                    ws,
                    r,
                    3,
                    "Every model parameter at its "
                    + ("cheap" if bound == "low" else "expensive")
                    + " end (see Assumptions: Low, High).",
                    font=NOTE_FONT,
                )
    return r


# --------------------------------------------------------------------------- the builder


@dataclass
class _Layout:
    """Where the Hourly sheet keeps what other sheets refer to."""

    hours: int
    first_row: int  # first data row of Hourly
    statement_col0: int  # column of the first statement's CFU-minutes
    total_col: int
    cost_col: int
    avg_col0: int  # column of the first statement's average CFUs

    @property
    def last_row(self) -> int:
        return self.first_row + self.hours - 1


@dataclass(frozen=True)
class _Source:
    """The sheet whose CFU-minutes the Statements and Summary totals add up."""

    sheet: str
    first_row: int
    last_row: int
    statement_col0: int
    total_col: int


class _Builder:
    def __init__(
        self,
        est: Estimate,
        now: dt.datetime,
        per_minute_sheets: int | None,
        per_minute_requested: bool = True,
        hourly: bool | None = None,
    ) -> None:
        self.est = est
        self.per_minute_requested = per_minute_requested
        self.now = now
        self.wb = Workbook()
        self.per_minute_sheets = per_minute_sheets  # None: the table does not fit
        n, hours = est.hourly_by_statement.shape
        self.layout = _Layout(
            hours=hours,
            first_row=3,
            statement_col0=4,
            total_col=4 + n,
            cost_col=7 + n,
            avg_col0=9 + n,
        )
        # Over long horizons the Daily sheet is what totals add up (Hourly only on request).
        self.hourly_sheet = hourly if hourly is not None else hours <= DAILY_CHARTS_ABOVE_HOURS
        if self.hourly_sheet:
            self.source = _Source(HOURLY, 3, 2 + hours, 4, 4 + n)
        else:
            days = -(-hours // 24)
            self.source = _Source(xlsx_projection.DAILY, 2, 1 + days, 4, 4 + n)

    # ------------------------------------------------------------------ Summary

    def summary(self, ws: Worksheet) -> None:
        est, wb = self.est, self.wb
        sc = est.scenario
        ws.title = SUMMARY
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 22
        ws.column_dimensions["C"].width = 62
        ws.sheet_view.showGridLines = False

        put_text(ws, 1, 1, "Flink CFU estimate", font=TITLE_FONT)
        put_text(
            ws,
            2,
            1,
            f"Made by {CREATOR}. Blue cells on yellow are inputs: change them and every cost "
            "in this workbook follows.",
            font=NOTE_FONT,
        )
        rows: list[tuple[str, Any, dict[str, Any]]] = [
            ("Scenario", sc.name, {}),
            ("Date", self.now, {"number_format": FMT_DATETIME, "alignment": Alignment("left")}),
            ("Cloud / region", f"{est.price.cloud} / {est.price.region}", {}),
            ("Horizon (minutes)", sc.horizon_minutes, {"number_format": FMT_INT}),
        ]
        r = 4
        for label, value, style in rows:
            put_text(ws, r, 1, label)
            put_value(ws, r, 2, value, **style)
            r += 1
        horizon_row = r - 1
        _name(wb, NAME_HORIZON, _abs(SUMMARY, horizon_row, 2))
        put_text(ws, r, 1, "Horizon (hours)")
        put_formula(ws, r, 2, f"={NAME_HORIZON}/60", number_format=FMT_DEC2)
        put_text(ws, horizon_row, 3, "The span simulated and billed; fixed.", font=NOTE_FONT)

        r += 2
        put_text(ws, r, 1, "Inputs (editable)", font=SECTION_FONT)
        r += 1
        discount = Decimal(str(sc.pricing.discount_pct)) / 100
        price_note = (
            f"Editable. Price used by the estimate: {est.price.source}"
            + (f", {est.price.effective_date.isoformat()}" if est.price.effective_date else "")
            + " (see Prices)."
        )
        inputs = [
            (
                "Price per CFU-hour (USD)",
                NAME_PRICE,
                float(est.price.usd_per_cfu_hour),
                FMT_MONEY_FINE,
                price_note,
                DataValidation(type="decimal", operator="greaterThan", formula1="0"),
            ),
            (
                "Discount",
                NAME_DISCOUNT,
                float(discount),
                FMT_PCT,
                "Editable. Applied to every cost: cost x (1 - discount). Type 15% for 15 percent.",
                DataValidation(type="decimal", operator="between", formula1="0", formula2="1"),
            ),
            (
                "Hours in a billing month",
                NAME_MONTH_HOURS,
                float(sc.month_hours),
                FMT_DEC2,
                "Editable. Monthly = one cycle's cost scaled to these hours; 730 = 8,760 / 12.",
                DataValidation(type="decimal", operator="between", formula1="0.01", formula2="744"),
            ),
        ]
        for label, name, value, fmt, note, validation in inputs:
            put_text(ws, r, 1, label, font=TOTAL_FONT)
            cell = put_value(
                ws,
                r,
                2,
                value,
                number_format=fmt,
                font=INPUT_FONT,
                fill=INPUT_FILL,
                border=INPUT_BORDER,
            )
            cell.comment = _comment(note)
            put_text(ws, r, 3, note, font=NOTE_FONT)
            validation.error = f"{label}: out of range"
            validation.errorTitle = "Flink CFU Estimator"
            validation.prompt = note[:255]  # Excel's limits: 255 and 32 characters
            validation.promptTitle = label[:32]
            validation.showErrorMessage = True
            validation.showInputMessage = True
            ws.add_data_validation(validation)
            validation.add(cell)
            _name(wb, name, _abs(SUMMARY, r, 2))
            r += 1

        r += 1
        put_text(ws, r, 1, "Totals (formulas)", font=SECTION_FONT)
        r += 1
        src = self.source
        total_range = (
            f"{src.sheet}!${get_column_letter(src.total_col)}${src.first_row}:"
            f"${get_column_letter(src.total_col)}${src.last_row}"
        )
        totals = [
            (
                "CFU-minutes",
                NAME_CFU_MINUTES,
                f"=SUM({total_range})",
                FMT_INT,
                f"Sum of the {src.sheet} sheet.",
            ),
            ("CFU-hours", NAME_CFU_HOURS, f"={NAME_CFU_MINUTES}/60", FMT_DEC4, "CFU-minutes / 60."),
            (
                "Cost over the horizon (USD)",
                NAME_COST,
                _cost(NAME_CFU_MINUTES),
                FMT_MONEY,
                "CFU-minutes / 60 x Price x (1 - Discount).",
            ),
            *xlsx_projection.summary_rows(est),
        ]
        for label, name, formula, fmt, note in totals:
            put_text(ws, r, 1, label, font=TOTAL_FONT)
            put = put_formula if isinstance(formula, str) else put_value
            put(ws, r, 2, formula, number_format=fmt, font=TOTAL_FONT)
            put_text(ws, r, 3, note, font=NOTE_FONT)
            _name(wb, name, _abs(SUMMARY, r, 2))
            r += 1
        put_text(ws, r, 1, "Peak CFUs in any one minute", font=TOTAL_FONT)
        put_value(ws, r, 2, est.totals.peak_cfu, number_format=FMT_INT, font=TOTAL_FONT)
        put_text(ws, r, 3, "From the simulation; the inputs do not change it.", font=NOTE_FONT)
        if est.range is not None:
            r = _range_summary(wb, ws, r + 2, est)

        r += 2
        put_text(ws, r, 1, "How to read this workbook", font=SECTION_FONT)
        notes = [
            "Confluent counts CFUs per minute and prices CFU-hours.",
            "CFU-minutes per statement and hour (Hourly) come from the estimator's simulation; "
            "every CFU-hour and cost is a formula over them and the inputs above.",
            "Statements, Pools: per statement and pool, with sizing advice. Per-minute: the "
            "simulation table. Assumptions: every model parameter with its source. Prices: the "
            "price row used.",
            "Changing the inputs re-prices the estimate; it does not re-run the simulation "
            "(CFUs stay as simulated).",
        ]
        for line in notes:
            r += 1
            _paragraph(ws, r, line)
        advice = [r.text for r in est.all_advice()] + [
            f"{s.name}: {s.error}" for s in est.statements if s.error is not None
        ]
        if advice:
            r += 2
            put_text(ws, r, 1, "Advice and warnings", font=SECTION_FONT)
            for line in advice:
                r += 1
                _paragraph(ws, r, line)
        ws.freeze_panes = "A4"

    # ------------------------------------------------------------------ Statements

    def statements(self, ws: Worksheet) -> None:
        est = self.est
        headers = [
            ("#", 5),
            ("Statement", 28),
            ("Pool", 16),
            ("Kind", 11),
            ("Statement type", 12),
            ("Operators", 24),
            ("Partitions", 10),
            ("Input rate (records/s)", 13),
            ("Message size (bytes)", 11),
            ("Records/s per CFU", 12),
            ("CFU-minutes", 12),
            ("CFU-hours", 11),
            ("Cost (USD)", 13),
            ("Share of cost", 9),
            ("Peak CFUs", 8),
            ("Average CFUs (while running)", 11),
            ("Max backlog (records)", 13),
            ("Max lag (s)", 10),
            ("Pool-exhausted minutes", 11),
            ("Pending minutes", 10),
            ("Advice", 60),
            ("Warnings", 40),
            ("Error", 40),
            ("Explanation", 50),
            ("SQL", 80),
            *RANGE_HEADERS,
        ]
        _header(ws, 1, [h for h, _ in headers], [w for _, w in headers])
        col = {h: j for j, (h, _) in enumerate(headers, start=1)}
        scenario_statements = {s.name: s for s in est.scenario.statements}
        values = tables.statement_values(est, [k for k, _ in STATEMENT_SHEET_VALUES])
        for i, (s, v) in enumerate(zip(est.statements, values, strict=True)):
            r = i + 2
            st = scenario_statements.get(s.name)
            src = self.source
            src_col = get_column_letter(src.statement_col0 + i)
            minutes_ref = f"{get_column_letter(col['CFU-minutes'])}{r}"
            cost_ref = f"{get_column_letter(col['Cost (USD)'])}{r}"
            put_value(ws, r, col["#"], i + 1)
            for key, (header, style) in STATEMENT_SHEET_VALUES:
                value = v[key]
                put_value(ws, r, col[header], None if value == "" else value, **style)
            put_formula(
                ws,
                r,
                col["CFU-minutes"],
                f"=SUM({src.sheet}!{src_col}{src.first_row}:{src_col}{src.last_row})",
                number_format=FMT_INT,
            )
            put_formula(ws, r, col["CFU-hours"], f"={minutes_ref}/60", number_format=FMT_DEC4)
            put_formula(ws, r, col["Cost (USD)"], _cost(minutes_ref), number_format=FMT_MONEY_FINE)
            put_formula(
                ws,
                r,
                col["Share of cost"],
                f"=IF({NAME_COST}=0,0,{cost_ref}/{NAME_COST})",
                number_format=FMT_PCT,
            )
            put_text(ws, r, col["Explanation"], s.classification.explanation, alignment=TOP)
            put_text(ws, r, col["SQL"], st.sql.strip() if st else "", alignment=TOP)
            if est.range is not None:
                _range_cells(ws, r, col, est.range.statements[i])
        _finish_table(ws, 1, len(headers), len(est.statements) + 1, "C2")

    # ------------------------------------------------------------------ Hourly

    def hourly(self, ws: Worksheet) -> None:
        est, lay = self.est, self.layout
        names = [s.name for s in est.statements]
        n = len(names)
        horizon = est.scenario.horizon_minutes
        data = est.hourly_by_statement
        put_text(ws, 1, 1, "Hour", font=GROUP_FONT)
        put_text(ws, 1, lay.statement_col0, "CFU-minutes by statement (simulated)", font=GROUP_FONT)
        put_text(ws, 1, lay.total_col, "All statements (formulas)", font=GROUP_FONT)
        put_text(ws, 1, lay.avg_col0, "Average CFUs by statement (formulas)", font=GROUP_FONT)
        headers: list[tuple[str, float]] = [
            ("Hour", 7),
            ("Start minute", 9),
            ("Minutes", 8),
        ]
        headers += [(name, 14) for name in names]
        headers += [
            ("Total CFU-minutes", 12),
            ("CFU-hours", 11),
            ("Average CFUs", 10),
            ("Cost (USD)", 13),
            ("Cumulative cost (USD)", 14),
        ]
        headers += [(name, 14) for name in names]
        _header(ws, 2, [h for h, _ in headers], [w for _, w in headers])
        first_stmt = get_column_letter(lay.statement_col0)
        last_stmt = get_column_letter(lay.statement_col0 + n - 1)
        total = get_column_letter(lay.total_col)
        cost = get_column_letter(lay.cost_col)
        for h in range(lay.hours):
            r = lay.first_row + h
            put_value(ws, r, 1, h)
            put_value(ws, r, 2, h * 60, number_format=FMT_INT)
            put_value(ws, r, 3, min(60, horizon - h * 60))
            for i in range(n):
                put_value(ws, r, lay.statement_col0 + i, int(data[i, h]), number_format=FMT_INT)
            put_formula(
                ws,
                r,
                lay.total_col,
                f"=SUM({first_stmt}{r}:{last_stmt}{r})",
                number_format=FMT_INT,
                font=TOTAL_FONT,
            )
            put_formula(ws, r, lay.total_col + 1, f"={total}{r}/60", number_format=FMT_DEC4)
            put_formula(ws, r, lay.total_col + 2, f"={total}{r}/C{r}", number_format=FMT_DEC2)
            put_formula(ws, r, lay.cost_col, _cost(f"{total}{r}"), number_format=FMT_MONEY_FINE)
            previous = f"{get_column_letter(lay.cost_col + 1)}{r - 1}+" if h else ""
            put_formula(ws, r, lay.cost_col + 1, f"={previous}{cost}{r}", number_format=FMT_MONEY)
            for i in range(n):
                src = get_column_letter(lay.statement_col0 + i)
                put_formula(ws, r, lay.avg_col0 + i, f"={src}{r}/$C{r}", number_format=FMT_DEC2)
        _finish_table(ws, 2, len(headers), lay.last_row, f"{first_stmt}{lay.first_row}")

    # ------------------------------------------------------------------ charts

    def charts(self, summary: Worksheet, hourly: Worksheet | None, daily: Worksheet) -> None:
        """Two charts under the Summary's text, each on a page of its own: CFUs by statement
        (stacked) and cost, per hour, or per day over horizons above DAILY_CHARTS_ABOVE_HOURS."""
        est, lay = self.est, self.layout
        minutes = [s.cfu_minutes for s in est.statements]
        ranked = sorted(range(len(minutes)), key=lambda i: -minutes[i])
        shown = sorted(i for i in ranked[:MAX_CHART_SERIES] if minutes[i] > 0) or [0]
        if hourly is None or lay.hours > DAILY_CHARTS_ABOVE_HOURS:
            first, last, cost_col = xlsx_projection.day_columns(daily, est)
            sheet, header_row, unit = daily, 1, "Day"
            title = "CFU-minutes per day, by statement"
            y_title = "CFU-minutes in the day"
            series_col0 = 4
        else:
            first, last, cost_col = lay.first_row, lay.last_row, lay.cost_col
            sheet, header_row, unit = hourly, 2, "Hour"
            title = "Average CFUs per hour, by statement"
            y_title = "CFUs (average in the hour)"
            series_col0 = lay.avg_col0
        if len(shown) < sum(1 for m in minutes if m > 0):
            title += f" (the {len(shown)} largest)"
        cfu_chart = BarChart()
        cfu_chart.type = "col"
        cfu_chart.grouping = "stacked"
        cfu_chart.overlap = 100
        cfu_chart.gapWidth = 40
        cfu_chart.title = title
        cfu_chart.y_axis.title = y_title
        cfu_chart.x_axis.title = unit
        for i in shown:
            ref = Reference(sheet, min_col=series_col0 + i, min_row=header_row, max_row=last)
            cfu_chart.add_data(ref, titles_from_data=True)
        categories = Reference(sheet, min_col=1, min_row=first, max_row=last)
        cfu_chart.set_categories(categories)
        cost_chart = BarChart()
        cost_chart.type = "col"
        cost_chart.gapWidth = 40
        cost_chart.title = f"Cost per {unit.lower()} (USD)"
        cost_chart.y_axis.title = "USD"
        cost_chart.y_axis.number_format = FMT_MONEY
        cost_chart.x_axis.title = unit
        cost_chart.add_data(
            Reference(sheet, min_col=cost_col, min_row=header_row, max_row=last),
            titles_from_data=True,
        )
        cost_chart.set_categories(categories)
        cost_chart.legend = None
        for chart in (cfu_chart, cost_chart):
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            chart.width = CHART_WIDTH_CM
            chart.height = CHART_HEIGHT_CM
        # Under the text, a page each: a landscape A4 page holds one chart.
        top = summary.max_row + 2
        for k, chart in enumerate((cfu_chart, cost_chart)):
            row = top + k * CHART_ROWS
            summary.row_breaks.append(Break(id=row - 1))
            summary.add_chart(chart, f"A{row}")

    # ------------------------------------------------------------------ Per-minute

    def per_minute(self) -> list[Worksheet]:
        est = self.est
        rows = len(est.statements) * est.timeline.minutes
        if self.per_minute_sheets is None:
            ws = self.wb.create_sheet(PER_MINUTE)
            ws.column_dimensions["A"].width = 110
            put_text(ws, 1, 1, "Per-minute simulation table", font=SECTION_FONT)
            why = (
                "more than this workbook holds"
                if self.per_minute_requested
                else "left out to keep the workbook small; ask for it with "
                "`cfu-estimator estimate SCENARIO --xlsx OUT.xlsx --xlsx-per-minute`"
            )
            put_text(
                ws,
                2,
                1,
                f"The table has {rows:,} rows ({len(est.statements)} statements x "
                f"{est.timeline.minutes:,} minutes): {why}. It is in "
                "per_minute.csv: `cfu-estimator estimate SCENARIO --csv DIR`.",
                alignment=WRAP,
            )
            return []
        sheets = []
        for k in range(self.per_minute_sheets):
            title = PER_MINUTE if k == 0 else f"{PER_MINUTE} {k + 1}"
            ws = self.wb.create_sheet(title)
            _header(
                ws,
                1,
                [c.header for c in PER_MINUTE_COLUMNS],
                [c.width for c in PER_MINUTE_COLUMNS],
            )
            sheets.append(ws)
        return sheets

    # ------------------------------------------------------------------ Pools

    def pools(self, ws: Worksheet) -> None:
        est = self.est
        headers = [
            ("Pool", 18),
            ("Max CFU", 8),
            ("Peak CFUs", 8),
            ("Recommended max CFU", 12),
            ("Pool-exhausted minutes", 11),
            ("Statements", 10),
            ("CFU-minutes", 12),
            ("CFU-hours", 11),
            ("Cost (USD)", 13),
            ("Advice", 80),
        ]
        _header(ws, 1, [h for h, _ in headers], [w for _, w in headers])
        keys = ("name", "max_cfu", "peak_cfu", "recommended_max_cfu", "exhausted_minutes")
        values = tables.pool_values(est, (*keys, "advice"))
        for k, (p, v) in enumerate(zip(est.pools, values, strict=True)):
            r = k + 2
            for j, key in enumerate(keys, start=1):
                value = v[key]
                put_value(ws, r, j, None if value == "" else value, alignment=TOP)
            put_value(ws, r, 6, sum(1 for s in est.statements if s.pool == p.name))
            put_value(ws, r, 7, p.cfu_minutes, number_format=FMT_INT)
            put_formula(ws, r, 8, f"=G{r}/60", number_format=FMT_DEC4)
            put_formula(ws, r, 9, _cost(f"G{r}"), number_format=FMT_MONEY_FINE)
            put_text(ws, r, 10, v["advice"], alignment=WRAP)
        _finish_table(ws, 1, len(headers), len(est.pools) + 1, "B2")

    # ------------------------------------------------------------------ Assumptions

    def assumptions(self, ws: Worksheet) -> None:
        est = self.est
        headers = [
            ("Key", 26),
            ("Assumption", 44),
            ("Value", 12),
            ("Unit", 22),
            ("Source", 90),
            ("Overridden", 10),
            ("Low", 12),
            ("High", 12),
            ("Source of the range", 60),
        ]
        _header(ws, 1, [h for h, _ in headers], [w for _, w in headers])
        r = 1
        for a in est.assumptions:
            r += 1
            put_value(ws, r, 7, _number_or_text(a.low) if a.low else None)
            put_value(ws, r, 8, _number_or_text(a.high) if a.high else None)
            put_text(ws, r, 9, a.range_source)
            put_text(ws, r, 1, a.key)
            put_text(ws, r, 2, a.label)
            put_value(ws, r, 3, _number_or_text(a.value))
            put_text(ws, r, 4, a.unit)
            put_text(ws, r, 5, a.source)
            put_text(ws, r, 6, "yes" if a.overridden else "no")
        for key, value in _flatten("autoscaler", est.autoscaler):
            r += 1
            put_text(ws, r, 1, key)
            put_text(ws, r, 2, "Autoscaler setting")
            put_value(ws, r, 3, _number_or_text(value))
            put_text(ws, r, 5, "the estimate's autoscaler preset")
        _finish_table(ws, 1, len(headers), r, "B2")

    # ------------------------------------------------------------------ Prices

    def prices(self, ws: Worksheet) -> None:
        p = self.est.price
        headers = [
            ("Cloud", 8),
            ("Region", 16),
            ("USD per CFU-hour", 12),
            ("Effective date", 12),
            ("Source", 70),
            ("Basis", 60),
            ("Overridden by the scenario", 12),
        ]
        _header(ws, 1, [h for h, _ in headers], [w for _, w in headers])
        put_text(ws, 2, 1, p.cloud)
        put_text(ws, 2, 2, p.region)
        put_value(ws, 2, 3, float(p.usd_per_cfu_hour), number_format=FMT_MONEY_FINE)
        put_value(ws, 2, 4, p.effective_date, number_format=FMT_DATE)
        put_text(ws, 2, 5, p.source, alignment=WRAP)
        put_text(ws, 2, 6, p.basis, alignment=WRAP)
        put_text(ws, 2, 7, "yes" if p.overridden else "no")
        put_text(
            ws,
            4,
            1,
            "The price at export. Every formula uses the Price input on the Summary sheet; "
            "change it there.",
            font=NOTE_FONT,
        )
        _finish_table(ws, 1, len(headers), 2, "A2")

    # ------------------------------------------------------------------ all

    def build(self) -> tuple[Workbook, list[Worksheet]]:
        wb = self.wb
        summary = wb.active
        self.summary(summary)
        self.statements(wb.create_sheet(STATEMENTS))
        hourly = None
        if self.hourly_sheet:
            hourly = wb.create_sheet(HOURLY)
            self.hourly(hourly)
        daily = xlsx_projection.daily_sheet(wb, self.est)
        self.charts(summary, hourly, daily)
        xlsx_projection.monthly_sheet(wb, self.est)
        xlsx_projection.projection_sheet(wb, self.est)
        xlsx_projection.by_label_sheet(wb, self.est)
        minute_sheets = self.per_minute()
        self.pools(wb.create_sheet(POOLS))
        self.assumptions(wb.create_sheet(ASSUMPTIONS))
        self.prices(wb.create_sheet(PRICES))
        self.properties()
        title_rows = {SUMMARY: None, HOURLY: "1:2", xlsx_projection.PROJECTION: "2:2"}
        for ws in wb.worksheets:
            print_setup(ws, title_rows.get(ws.title, "1:1"))
        wb.active = 0
        return wb, minute_sheets

    def properties(self) -> None:
        est, props = self.est, self.wb.properties
        name = xlsx_text(est.scenario.name, 200)
        props.title = f"Flink CFU estimate: {name}"
        props.subject = "Confluent Cloud for Apache Flink: CFUs and cost"
        props.creator = CREATOR
        props.lastModifiedBy = CREATOR
        props.description = (
            "CFUs and cost estimated by the Flink CFU Estimator. Inputs on the Summary sheet "
            "(Price, Discount, MonthHours) drive every cost formula."
        )
        props.keywords = "Flink, CFU, Confluent Cloud, cost estimate"
        props.category = "Cost estimate"
        # Core properties are UTC; the exporter's clock is local.
        utc = self.now.astimezone(dt.UTC).replace(tzinfo=None)
        props.created = utc
        props.modified = utc
        custom = self.wb.custom_doc_props
        custom.append(StringProperty(name="Scenario", value=name))
        custom.append(StringProperty(name="Estimator version", value=_version()))
        custom.append(IntProperty(name="Horizon minutes", value=est.scenario.horizon_minutes))


def _version() -> str:
    try:
        return importlib.metadata.version("flink-cfu-estimator")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _paragraph(ws: Worksheet, row: int, text: str) -> None:
    """Text over columns A:C of the Summary, wrapped (the charts sit to the right)."""
    cell = put_text(ws, row, 1, text, alignment=WRAP)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    lines = sum(1 + len(part) // 105 for part in cell.value.split("\n"))
    ws.row_dimensions[row].height = 15 * min(lines, 20)


def _comment(text: str) -> Comment:
    comment = Comment(text, CREATOR)
    comment.width = 300
    comment.height = 90
    return comment


def _number_or_text(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if np.isfinite(number) else text


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        out: list[tuple[str, Any]] = []
        for k, v in value.items():
            out += _flatten(f"{prefix}.{k}", v)
        return out
    if isinstance(value, list | tuple):
        return [(prefix, ", ".join(str(v) for v in value))]
    return [(prefix, value)]


# --------------------------------------------------------------------------- per-minute rows


def _per_minute_columns(est: Estimate, wb: Workbook, ws: Worksheet) -> tuple[Column, ...]:
    tl = est.timeline
    m = tl.minutes

    def style_id(number_format: str | None = None, quote: bool = False) -> int:
        cell = Cell(ws, row=2, column=1)  # detached: only registers the style
        if number_format:
            cell.number_format = number_format
        if quote:
            cell.quotePrefix = True
        return int(cell.style_id)

    plain = style_id()
    quoted = style_id(quote=True)
    names = np.asarray(
        [
            inline_string_cell(name, quoted if is_formula_like(xlsx_text(name)) else plain)
            for name in tl.names
        ],
        dtype=object,
    )
    states = np.asarray([inline_string_cell(s, plain) for s in SCALING_STATES], dtype=object)
    flat: dict[str, np.ndarray] = {
        "rps": tl.rps.reshape(-1),
        "capacity": tl.capacity.reshape(-1),
        "cfu": tl.cfu.reshape(-1),
        "backlog": tl.backlog.reshape(-1),
        "lag_seconds": tl.lag_seconds.reshape(-1),
    }
    state_codes = tl.state.reshape(-1)

    def getter(key: str) -> Callable[[int, int], Any]:
        if key == "statement":
            return lambda lo, hi: names[np.arange(lo, hi) // m].tolist()
        if key == "minute":
            return lambda lo, hi: np.arange(lo, hi) % m
        if key == "scaling_state":
            return lambda lo, hi: states[state_codes[lo:hi]].tolist()
        arr = flat[key]
        return lambda lo, hi: arr[lo:hi]

    columns = []
    for spec in PER_MINUTE_COLUMNS:
        if spec.number_format is None:
            columns.append(Column("text", plain, getter(spec.key)))
        else:
            kind = "int" if spec.key in ("minute", "cfu") else "float"
            columns.append(Column(kind, style_id(spec.number_format), getter(spec.key)))
    return tuple(columns)


# --------------------------------------------------------------------------- public API


def _per_minute_sheets(rows: int, max_rows: int, rows_per_sheet: int) -> int | None:
    if rows > max_rows:
        return None
    return max(1, -(-rows // rows_per_sheet))


def _write(
    est: Estimate,
    target: IO[bytes],
    *,
    per_minute: bool | None,
    max_per_minute_rows: int,
    rows_per_sheet: int,
    now: dt.datetime | None,
    hourly: bool | None = None,
) -> None:
    if not 1 <= rows_per_sheet <= PER_MINUTE_ROWS_PER_SHEET:
        raise ValueError(f"rows_per_sheet: must be 1 to {PER_MINUTE_ROWS_PER_SHEET:,}")
    rows = int(est.timeline.cfu.size)
    wanted = rows <= PER_MINUTE_DEFAULT_ROWS if per_minute is None else per_minute
    wanted = wanted and est.timeline.per_minute  # an hourly timeline: per_minute.csv
    sheets = _per_minute_sheets(rows, max_per_minute_rows if wanted else -1, rows_per_sheet)
    stamp = (now or dt.datetime.now()).replace(microsecond=0, tzinfo=None)
    builder = _Builder(est, stamp, sheets, per_minute_requested=bool(per_minute), hourly=hourly)
    wb, minute_sheets = builder.build()
    generated: list[GeneratedSheet] = []
    columns = _per_minute_columns(est, wb, minute_sheets[0]) if minute_sheets else ()
    for k, ws in enumerate(minute_sheets):
        lo, hi = k * rows_per_sheet, min(rows, (k + 1) * rows_per_sheet)
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{hi - lo + 1}"
        generated.append(GeneratedSheet("", columns, lo, hi))
    staging = io.BytesIO()
    with zipfile.ZipFile(staging, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        # ExcelWriter, not wb.save(): save() stamps the properties with the clock.
        ExcelWriter(wb, archive).save()
    # Sheet paths are known once openpyxl has numbered the sheets (during save).
    generated = [
        GeneratedSheet(ws.path.lstrip("/"), g.columns, g.lo, g.hi)
        for ws, g in zip(minute_sheets, generated, strict=True)
    ]
    zip_time = (
        max(stamp.year, 1980),
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    )
    finish_package(staging.getvalue(), target, generated, zip_time)


def write_workbook(
    est: Estimate,
    path_or_buffer: str | os.PathLike[str] | IO[bytes],
    *,
    per_minute: bool | None = None,
    max_per_minute_rows: int = PER_MINUTE_MAX_ROWS,
    rows_per_sheet: int = PER_MINUTE_ROWS_PER_SHEET,
    now: dt.datetime | None = None,
    hourly: bool | None = None,
) -> None:
    """Write the estimate as an xlsx workbook (a file path, or a binary file object).

    per_minute: include the per-minute simulation table (None: only when it has at most
    PER_MINUTE_DEFAULT_ROWS rows) when it has at most `max_per_minute_rows` rows, split over
    sheets of `rows_per_sheet` rows; otherwise a note points to per_minute.csv.
    `now` is the date shown (default: the current time).
    hourly: include the Hourly sheet (None: for horizons up to DAILY_CHARTS_ABOVE_HOURS; over
    longer ones the Daily sheet carries the totals and the charts show days).
    A path is written atomically (a temporary file renamed into place).
    """
    options = {
        "per_minute": per_minute,
        "hourly": hourly,
        "max_per_minute_rows": max_per_minute_rows,
        "rows_per_sheet": rows_per_sheet,
        "now": now,
    }
    if isinstance(path_or_buffer, str | os.PathLike):
        path = Path(path_or_buffer)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with tmp.open("wb") as fh:
                _write(est, fh, **options)  # type: ignore[arg-type]
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return
    _write(est, path_or_buffer, **options)  # type: ignore[arg-type]


def workbook_bytes(
    est: Estimate,
    *,
    per_minute: bool | None = None,
    max_per_minute_rows: int = PER_MINUTE_MAX_ROWS,
    now: dt.datetime | None = None,
    hourly: bool | None = None,
) -> bytes:
    """The workbook as bytes, for a download button (same content as write_workbook)."""
    buf = io.BytesIO()
    _write(
        est,
        buf,
        per_minute=per_minute,
        max_per_minute_rows=max_per_minute_rows,
        rows_per_sheet=PER_MINUTE_ROWS_PER_SHEET,
        now=now,
        hourly=hourly,
    )
    return buf.getvalue()
