"""The workbook read back with openpyxl: sheets, names, inputs, formulas, charts, safety, size."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from export_support import HOSTILE, HOSTILE_POOLS, HOSTILE_SCENARIO_NAME, HOSTILE_SQL, named_cell
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from estimator.estimate import Estimate, estimate
from estimator.export import xlsx
from estimator.export.xlsx import workbook_bytes, write_workbook
from estimator.scenario import Scenario
from estimator.timeline import SCALING_STATES

NOW = dt.datetime(2026, 11, 3, 9, 30)
SHEETS = [
    "Summary",
    "Statements",
    "Hourly",
    "Daily",
    "Monthly",
    "Projection",
    "Per-minute",
    "Pools",
    "Assumptions",
    "Prices",
]
INPUTS = {"Price", "Discount", "MonthHours"}
TOTALS = {"TotalCFUMinutes", "TotalCFUHours", "TotalCost", "MonthlyCost", "AnnualCost"}
BUDGET_WORDS = {"Daily", "Monthly", "Projection", "CycleMinutes", "CycleCFUMinutes"}
BUDGET_WORDS |= {"OneOffCFUMinutes", "SUMPRODUCT", "EXACT", "LEN"}
BUDGET_WORDS |= {"CycleCFUMinutesLow", "CycleCFUMinutesHigh"}  # the range's cycles
FORMULA_WORDS = {"SUM", "IF", "Hourly", "Statements", "HorizonMinutes", *INPUTS, *TOTALS}
FORMULA_WORDS |= BUDGET_WORDS
CELL_REF = r"\$?[A-Z]{1,3}\$?[0-9]+"


def _load(data: bytes, **kw: bool) -> Workbook:
    return load_workbook(io.BytesIO(data), **kw)


@pytest.fixture(scope="module")
def hostile_bytes(hostile_est: Estimate) -> bytes:
    return workbook_bytes(hostile_est, now=NOW)


@pytest.fixture(scope="module")
def hostile_wb(hostile_bytes: bytes) -> Workbook:
    return _load(hostile_bytes)


def _column(ws, header: str, header_row: int = 1) -> int:  # type: ignore[no-untyped-def]
    for cell in ws[header_row]:
        if cell.value == header:
            return int(cell.column)
    raise AssertionError(f"no column {header!r} in {ws.title}")


def test_sheets_names_and_properties(hostile_wb: Workbook, hostile_est: Estimate) -> None:
    assert hostile_wb.sheetnames == SHEETS
    assert INPUTS | TOTALS | {"HorizonMinutes"} <= set(hostile_wb.defined_names)
    props = hostile_wb.properties
    assert props.creator == "Flink CFU Estimator"
    assert props.title == f"Flink CFU estimate: {HOSTILE_SCENARIO_NAME}"
    assert props.created == NOW.astimezone(dt.UTC).replace(tzinfo=None)
    summary = hostile_wb["Summary"]
    assert summary["B4"].value == HOSTILE_SCENARIO_NAME
    assert summary["B5"].value == NOW
    assert summary["B6"].value == "aws / +region"
    assert named_cell(hostile_wb, "HorizonMinutes").value == hostile_est.scenario.horizon_minutes


def test_inputs_are_styled_plain_values_with_notes(hostile_wb: Workbook) -> None:
    expected = {"Price": 0.2137, "Discount": 0.125, "MonthHours": 730.5}
    for name, value in expected.items():
        cell = named_cell(hostile_wb, name)
        assert cell.data_type == "n" and cell.value == pytest.approx(value, abs=1e-15)
        assert cell.font.color.rgb.endswith("0000FF")
        assert cell.fill.fgColor.rgb.endswith("FFF2CC")
        assert cell.comment is not None and "Editable" in cell.comment.text
    assert named_cell(hostile_wb, "Discount").number_format == "0.00%"
    assert "$" in named_cell(hostile_wb, "Price").number_format
    validated = {
        str(r)
        for dv in hostile_wb["Summary"].data_validations.dataValidation
        for r in dv.sqref.ranges
    }
    assert {named_cell(hostile_wb, n).coordinate for n in INPUTS} <= validated


def test_totals_are_formulas_over_hourly_and_inputs(hostile_wb: Workbook) -> None:
    formulas = {name: named_cell(hostile_wb, name).value for name in TOTALS}
    assert all(isinstance(f, str) and f.startswith("=") for f in formulas.values())
    assert formulas["TotalCFUMinutes"].startswith("=SUM(Hourly!")
    assert formulas["TotalCost"] == "=TotalCFUMinutes/60*Price*(1-Discount)"
    # monthly: one whole traffic cycle scaled to a month; annual: the projection's first year
    assert formulas["MonthlyCost"] == (
        "=CycleCFUMinutes/60*Price*(1-Discount)*MonthHours*60/CycleMinutes"
    )
    assert formulas["AnnualCost"] == "=SUM('Projection'!$E$3:$E$14)"
    for name in TOTALS:
        assert named_cell(hostile_wb, name).number_format != "General"


def test_statements_sheet(hostile_wb: Workbook, hostile_est: Estimate) -> None:
    ws = hostile_wb["Statements"]
    assert ws.freeze_panes == "C2"
    # 25 columns, then the range: CFU-minutes low / high (inputs), cost low / high (formulas)
    assert ws.auto_filter.ref == f"A1:AC{len(hostile_est.statements) + 1}"
    cost = _column(ws, "Cost (USD)")
    minutes = _column(ws, "CFU-minutes")
    for i, s in enumerate(hostile_est.statements):
        r = i + 2
        assert ws.cell(r, 2).value == s.name and ws.cell(r, 2).data_type == "s"
        assert ws.cell(r, 3).value == s.pool
        assert ws.cell(r, 4).value == s.kind
        assert ws.cell(r, minutes).value.startswith("=SUM(Hourly!")
        assert ws.cell(r, cost).value.endswith("/60*Price*(1-Discount)")
        assert ws.cell(r, _column(ws, "Peak CFUs")).value == s.peak_cfu
        assert ws.cell(r, _column(ws, "Average CFUs (while running)")).value == pytest.approx(
            s.avg_cfu
        )
    sql_col = _column(ws, "SQL")
    assert ws.cell(len(hostile_est.statements) + 1, sql_col).value == HOSTILE_SQL
    assert hostile_est.range is not None
    for i, sr in enumerate(hostile_est.range.statements):
        assert ws.cell(i + 2, _column(ws, "CFU-minutes low")).value == sr.cfu_minutes_low
        assert ws.cell(i + 2, _column(ws, "CFU-minutes high")).value == sr.cfu_minutes_high
        assert ws.cell(i + 2, _column(ws, "Cost high (USD)")).value.endswith("*(1-Discount)")


def test_hourly_sheet_holds_the_simulated_cfu_minutes(
    hostile_wb: Workbook, hostile_est: Estimate
) -> None:
    ws = hostile_wb["Hourly"]
    n, hours = hostile_est.hourly_by_statement.shape
    assert ws.freeze_panes == "D3"
    assert [ws.cell(2, 4 + i).value for i in range(n)] == [s.name for s in hostile_est.statements]
    values = np.array(
        [[ws.cell(3 + h, 4 + i).value for h in range(hours)] for i in range(n)], dtype=np.int64
    )
    np.testing.assert_array_equal(values, hostile_est.hourly_by_statement)
    assert ws.cell(3, _column(ws, "Cost (USD)", 2)).value.endswith("*Price*(1-Discount)")
    assert ws.cell(3 + hours, 1).value is None


def test_hostile_text_is_text_everywhere(hostile_wb: Workbook, hostile_bytes: bytes) -> None:
    """No user text became a formula: every formula in the file is one the exporter wrote."""
    seen: set[str] = set()
    for ws in hostile_wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "s":
                    if cell.value in (*HOSTILE, *HOSTILE_POOLS, HOSTILE_SCENARIO_NAME):
                        seen.add(cell.value)
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
                elif cell.data_type == "f":
                    assert '"' not in cell.value, cell.value  # no string literal at all
                    words = set(re.findall(r"[A-Za-z_]+", re.sub(CELL_REF, "", cell.value)))
                    assert words <= FORMULA_WORDS, (ws.title, cell.coordinate, cell.value)
    assert seen == {*HOSTILE, *HOSTILE_POOLS, HOSTILE_SCENARIO_NAME}
    # In the XML: strings are inline strings; no <f> holds user text.
    with zipfile.ZipFile(io.BytesIO(hostile_bytes)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                formulas = re.findall(rb"<f>(.*?)</f>", z.read(name))
                assert not [f for f in formulas if b"HYPERLINK" in f or b"cmd|" in f]


def test_carriage_return_and_tab_survive(hostile_wb: Workbook) -> None:
    names = [c.value for c in hostile_wb["Statements"]["B"][1:]]
    assert "\rx" in names and "\tx" in names


def test_per_minute_sheet_equals_the_timeline(hostile_wb: Workbook, hostile_est: Estimate) -> None:
    ws = hostile_wb["Per-minute"]
    frame = hostile_est.timeline.frame()
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(c.header for c in xlsx.PER_MINUTE_COLUMNS)
    assert [c.key for c in xlsx.PER_MINUTE_COLUMNS] == list(frame.columns)
    assert len(rows) == len(frame) + 1
    got = np.array([r[1:7] for r in rows[1:]], dtype=np.float64)
    want = frame[["minute", "rps", "capacity", "cfu", "backlog", "lag_seconds"]].to_numpy(float)
    np.testing.assert_array_equal(got, want)
    assert [r[0] for r in rows[1:]] == frame["statement"].tolist()
    assert {r[7] for r in rows[1:]} <= set(SCALING_STATES)
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:H{len(frame) + 1}"
    hostile = [c for c in ws["A"][1:] if c.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)
    assert ws["B2"].number_format == "#,##0"


def test_pools_assumptions_prices(hostile_wb: Workbook, hostile_est: Estimate) -> None:
    pools = hostile_wb["Pools"]
    assert [pools.cell(r, 1).value for r in range(2, 2 + len(hostile_est.pools))] == list(
        HOSTILE_POOLS
    )
    assert pools.cell(2, _column(pools, "Cost (USD)")).value == "=G2/60*Price*(1-Discount)"
    assert pools.cell(2, _column(pools, "CFU-minutes")).value == hostile_est.pools[0].cfu_minutes
    assumptions = hostile_wb["Assumptions"]
    keys = [assumptions.cell(r, 1).value for r in range(2, assumptions.max_row + 1)]
    assert [a.key for a in hostile_est.assumptions] == keys[: len(hostile_est.assumptions)]
    assert assumptions.cell(2, 3).value == pytest.approx(0.2137)
    assert all(assumptions.cell(r, 5).value for r in range(2, len(hostile_est.assumptions) + 2))
    prices = hostile_wb["Prices"]
    assert prices["B2"].value == "+region" and prices["B2"].data_type == "s"
    assert prices["C2"].value == pytest.approx(0.2137)
    assert "override" in prices["E2"].value


def test_charts_and_package_parts_are_valid(hostile_bytes: bytes, hostile_est: Estimate) -> None:
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    with zipfile.ZipFile(io.BytesIO(hostile_bytes)) as z:
        assert z.testzip() is None
        for name in z.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                ET.fromstring(z.read(name))  # well-formed
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 2
        stacked = ET.fromstring(z.read(charts[0]))
        assert stacked.find(".//c:grouping", ns).get("val") == "stacked"
        series = stacked.findall(".//c:ser", ns)
        assert len(series) == sum(1 for s in hostile_est.statements if s.cfu_minutes)
        refs = [s.find("c:val//c:f", ns).text for s in series]
        assert all(r.startswith("'Hourly'!") for r in refs)
        cost = ET.fromstring(z.read(charts[1]))
        assert len(cost.findall(".//c:ser", ns)) == 1
        assert "Cost per hour" in "".join(cost.itertext())
        core = z.read("docProps/core.xml").decode()
        assert "Flink CFU Estimator" in core


def test_write_workbook_path_and_buffer_agree(tmp_path: Path, retail_est: Estimate) -> None:
    path = tmp_path / "out.xlsx"
    write_workbook(retail_est, path, now=NOW)
    buf = io.BytesIO()
    write_workbook(retail_est, buf, now=NOW)
    assert path.read_bytes() == buf.getvalue() == workbook_bytes(retail_est, now=NOW)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left


def test_per_minute_split_over_sheets_and_note_when_too_big(five_est: Estimate) -> None:
    rows = five_est.timeline.cfu.size  # 5 x 60
    data = io.BytesIO()
    write_workbook(five_est, data, rows_per_sheet=120, now=NOW)
    wb = _load(data.getvalue())
    parts = ["Per-minute", "Per-minute 2", "Per-minute 3"]
    assert [s for s in wb.sheetnames if s.startswith("Per-minute")] == parts
    got = [row for p in parts for row in wb[p].iter_rows(min_row=2, values_only=True)]
    assert len(got) == rows
    frame = five_est.timeline.frame()
    assert [r[0] for r in got] == frame["statement"].tolist()
    assert [r[1] for r in got] == frame["minute"].tolist()
    assert wb["Per-minute 3"].max_row == rows - 240 + 1

    small = _load(workbook_bytes(five_est, max_per_minute_rows=rows - 1, now=NOW))
    note = small["Per-minute"]
    assert "per_minute.csv" in note["A2"].value and note.max_row == 2
    off = _load(workbook_bytes(five_est, per_minute=False, now=NOW))
    assert "per_minute.csv" in off["Per-minute"]["A2"].value


def test_xml_illegal_characters_and_long_sql_are_handled() -> None:
    sc = Scenario.model_validate(
        {
            "name": "bell\x07 and nul\x00",
            "horizon_minutes": 60,
            "statements": [
                {
                    "name": "ctl\x01name",
                    "sql": "INSERT INTO b SELECT * FROM a WHERE x = '" + "y" * 40_000 + "'",
                    "cfu_schedule": [{"minutes": 3, "cfu": 1}],
                }
            ],
        }
    )
    wb = _load(workbook_bytes(estimate(sc), now=NOW))
    assert wb["Summary"]["B4"].value == "bell and nul"
    assert wb["Statements"]["B2"].value == "ctlname"
    sql = wb["Statements"].cell(2, 25).value
    assert len(sql) == 32_767 and sql.endswith("[truncated]")
    assert wb["Per-minute"]["A2"].value == "ctlname"


def test_money_formats(hostile_wb: Workbook) -> None:
    assert named_cell(hostile_wb, "TotalCost").number_format == '"$"#,##0.00'
    assert named_cell(hostile_wb, "TotalCFUMinutes").number_format == "#,##0"
    share = hostile_wb["Statements"].cell(2, 14)
    assert share.number_format == "0.00%" and share.value.startswith("=IF(TotalCost=0")


def _named_value(wb: Workbook, name: str) -> object:
    ((sheet, ref),) = wb.defined_names[name].destinations
    return wb[sheet][ref.replace("$", "")].value


def test_total_cost_formula_gives_confluents_five_statement_bill(five_est: Estimate) -> None:
    """The workbook's own TotalCost formula, evaluated over its own input cells, is Confluent's
    worked example: 309 CFU-minutes at $0.21 per CFU-hour = $1.0815 (DOMAIN.md)."""
    wb = _load(workbook_bytes(five_est, now=NOW))
    formula = str(_named_value(wb, "TotalCost"))
    assert formula.startswith("=")
    values = {
        "TotalCFUMinutes": Decimal(309),  # the SUM over the Hourly sheet, checked elsewhere
        "Price": Decimal(str(_named_value(wb, "Price"))),
        "Discount": Decimal(str(_named_value(wb, "Discount"))),
    }
    expression = formula[1:]
    for name in sorted(values, key=len, reverse=True):
        expression = expression.replace(name, f"values[{name!r}]")
    assert re.fullmatch(r"[\w\[\]'()*/+\-. ]+", expression), expression
    cost = eval(expression, {"__builtins__": {}}, {"values": values})
    assert cost == Decimal("1.0815")


def test_twenty_statement_week_exports_every_minute(tmp_path: Path) -> None:
    """The benchmark's scenario: all 201,600 per-minute rows, with a filter over them."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    try:
        from bench_export import bench_scenario
    finally:
        sys.path.pop(0)
    est = estimate(bench_scenario())
    path = tmp_path / "week.xlsx"
    # both above the default sizes; its speed is measured by bench/bench_export.py
    write_workbook(est, path, per_minute=True, hourly=True)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet7.xml")
    assert sheet.count(b"<row ") == 201_601
    assert b'<dimension ref="A1:H201601" />' in sheet
    assert b'<autoFilter ref="A1:H201601" />' in sheet
