"""Cells, styles and formulas every sheet of the workbook shares (estimator/export/xlsx.py).

User text always goes through put_text: a string cell, quote-prefixed when it starts like a
formula, so it can never become one. Formulas go through put_formula (exporter text only).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from estimator.export.safe import is_formula_like, xlsx_text

# Defined names of the Summary sheet (inputs first).
NAME_PRICE = "Price"
NAME_DISCOUNT = "Discount"
NAME_MONTH_HOURS = "MonthHours"
NAME_HORIZON = "HorizonMinutes"
NAME_CFU_MINUTES = "TotalCFUMinutes"
NAME_CFU_HOURS = "TotalCFUHours"
NAME_COST = "TotalCost"
NAME_MONTHLY = "MonthlyCost"
NAME_ANNUAL = "AnnualCost"

FMT_MONEY = '"$"#,##0.00'
FMT_MONEY_FINE = '"$"#,##0.0000'
FMT_INT = "#,##0"
FMT_DEC1 = "#,##0.0"
FMT_DEC2 = "#,##0.00"
FMT_DEC4 = "#,##0.0000"
FMT_PCT = "0.00%"
FMT_DATETIME = "yyyy-mm-dd hh:mm"
FMT_DATE = "yyyy-mm-dd"

INPUT_FONT = Font(color="0000FF", bold=True)
INPUT_FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")
INPUT_BORDER = Border(*(Side(style="thin", color="BF9000"),) * 4)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
GROUP_FONT = Font(bold=True, italic=True, color="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12, color="1F4E78")
NOTE_FONT = Font(italic=True, color="595959")
TOTAL_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def put_text(ws: Worksheet, row: int, col: int, value: str, **style: Any) -> Cell:
    """A string cell, whatever the text: never a formula, quote-prefixed when it looks like one."""
    text = xlsx_text(value)
    cell = ws.cell(row=row, column=col)
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    _style(cell, style)
    return cell


def put_value(ws: Worksheet, row: int, col: int, value: Any, **style: Any) -> Cell:
    """A number, date, bool or None; strings go through put_text."""
    if isinstance(value, str):
        return put_text(ws, row, col, value, **style)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and not np.isfinite(value):
        value = None
    cell = ws.cell(row=row, column=col, value=value)
    _style(cell, style)
    return cell


def put_formula(ws: Worksheet, row: int, col: int, formula: str, **style: Any) -> Cell:
    """A formula the exporter wrote (never user text)."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell = ws.cell(row=row, column=col, value=formula)
    _style(cell, style)
    return cell


def _style(cell: Cell, style: dict[str, Any]) -> None:
    for key, value in style.items():
        setattr(cell, key, value)


def abs_ref(ws_title: str, row: int, col: int) -> str:
    return f"{quote_sheetname(ws_title)}!${get_column_letter(col)}${row}"


def header(ws: Worksheet, row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
    for j, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        put_text(ws, row, j, text, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[row].height = 32


def finish_table(ws: Worksheet, header_row: int, ncols: int, last_row: int, freeze: str) -> None:
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(ncols)}{max(last_row, header_row)}"


def define_name(wb: Workbook, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def cost_formula(cfu_minutes_ref: str) -> str:
    """The estimator's cost formula over a cell of CFU-minutes."""
    return f"={cfu_minutes_ref}/60*{NAME_PRICE}*(1-{NAME_DISCOUNT})"


def print_setup(ws: Worksheet, title_rows: str | None) -> None:
    """Landscape A4, fitted to the page's width (as many pages down as needed), the header
    rows repeated on every page, the sheet's name and page number in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A, page &P of &N"
