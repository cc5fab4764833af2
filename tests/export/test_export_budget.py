"""Workbooks finance can open, print and send (issue 13): the 31-day clickstream under 1 MB,
printing to a handful of pages (LibreOffice to PDF, pages counted with poppler), print setup
on every sheet; label roll-ups and the projection recalculated by LibreOffice; label text
neutralised in the workbook and the CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from export_support import named_cell, recalculate, soffice
from openpyxl import load_workbook

from estimator.estimate import Estimate, estimate
from estimator.examples import FOLDER as EXAMPLES
from estimator.export.csv_export import write_csv_dir
from estimator.export.xlsx import write_workbook
from estimator.scenario import loads_scenario, parse_scenario

NOW = dt.datetime(2026, 12, 2, 9, 0)
CENT = Decimal("0.01")
MAX_PAGES = 12
HOSTILE_LABEL = '=HYPERLINK("http://x","y")'

LABELLED = f"""
name: teams
horizon_minutes: 1440
projection: {{months: 12, start: "2027-03"}}
pricing: {{usd_per_cfu_hour: 0.25, discount_pct: 10}}
pools:
  - {{name: shared, max_cfu: 30, labels: {{team: payments, env: prod}}}}
  - {{name: other, max_cfu: 20}}
statements:
  - {{name: make_table, pool: shared, sql: "CREATE TABLE t (a INT)"}}
  - name: enrich
    pool: shared
    sql: "INSERT INTO e SELECT id, amount FROM orders WHERE amount > 0"
    profile: {{shape: daily, trough_rps: 1500, peak_rps: 12000, weekend_factor: 0.7,
              growth_pct_per_month: 4}}
    partitions: 12
  - name: search_index
    pool: shared
    labels: {{team: search}}
    sql: "INSERT INTO s SELECT id, COUNT(*) FROM clicks GROUP BY id"
    rps: 3000
    partitions: 12
  - name: hostile
    pool: other
    labels: {{team: '{HOSTILE_LABEL.replace("'", "''")}', env: "+dev"}}
    sql: "INSERT INTO h SELECT * FROM clicks"
    rps: 2000
    partitions: 6
  - {{name: unlabelled, pool: other, sql: "INSERT INTO u SELECT * FROM clicks", rps: 500}}
"""

needs_libreoffice = pytest.mark.skipif(
    soffice() is None, reason="LibreOffice (soffice) is not installed; `make test` installs it"
)


@pytest.fixture(scope="module")
def month_est() -> Estimate:
    data = yaml.safe_load((EXAMPLES / "bursty_clickstream.yaml").read_text(encoding="utf-8"))
    data["horizon_minutes"] = 31 * 1440
    data["projection"] = {"months": 12, "start": "2027-01"}
    return estimate(parse_scenario(data, source_dir=EXAMPLES))


@pytest.fixture(scope="module")
def labelled_est() -> Estimate:
    return estimate(loads_scenario(LABELLED))


def _pdf_pages(xlsx: Path, folder: Path) -> int:
    exe = soffice()
    assert exe is not None
    profile = folder / f"lo-profile-{uuid.uuid4().hex}"
    done = subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(xlsx),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pdf = folder / f"{xlsx.stem}.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stdout + done.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(ln for ln in info.stdout.splitlines() if ln.startswith("Pages:")).split()[1])
    # every page renders (pdftoppm writes one image per page)
    subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(pdf), str(folder / "page")], check=True, timeout=300
    )
    assert len(list(folder.glob("page-*.png"))) == pages
    return pages


def test_a_month_of_twelve_statements_is_small_with_day_roll_ups(
    month_est: Estimate, tmp_path: Path
) -> None:
    path = tmp_path / "month.xlsx"
    write_workbook(month_est, path, now=NOW)
    assert path.stat().st_size < 1_000_000
    wb = load_workbook(path)
    assert "Hourly" not in wb.sheetnames  # 744 hours: the Daily sheet carries the totals
    assert {"Daily", "Monthly", "Projection"} <= set(wb.sheetnames)
    assert wb["Daily"].max_row == 1 + 31
    assert "--xlsx-per-minute" in wb["Per-minute"]["A2"].value
    assert named_cell(wb, "TotalCFUMinutes").value.startswith("=SUM(Daily!")
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert setup.fitToWidth == 1 and setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        if ws.title not in ("Summary", "Per-minute"):
            assert ws.print_title_rows, ws.title
    # charts over a month show days, not 744 hourly bars
    charts = wb["Summary"]._charts
    assert len(charts) == 2
    asked = load_workbook_detail(month_est, tmp_path)
    assert {"Hourly", "Per-minute"} <= set(asked.sheetnames)
    assert asked["Per-minute"].max_row == 1 + month_est.timeline.cfu.size


def load_workbook_detail(est: Estimate, folder: Path):  # type: ignore[no-untyped-def]
    path = folder / "detail.xlsx"
    write_workbook(est, path, per_minute=True, hourly=True, now=NOW)
    return load_workbook(path, read_only=True)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils: `make test`")
@needs_libreoffice
def test_a_month_of_twelve_statements_prints_to_a_handful_of_pages(
    month_est: Estimate, tmp_path: Path
) -> None:
    path = tmp_path / "month.xlsx"
    write_workbook(month_est, path, now=NOW)
    pages = _pdf_pages(path, tmp_path)
    assert 5 <= pages <= MAX_PAGES, pages


@pytest.mark.libreoffice
@needs_libreoffice
def test_projection_and_labels_recalculate_to_the_cent(
    labelled_est: Estimate, tmp_path: Path
) -> None:
    path = tmp_path / "labels.xlsx"
    write_workbook(labelled_est, path, now=NOW)
    (out,) = recalculate([path], tmp_path / "out", tmp_path)
    wb = load_workbook(out, data_only=True)
    t = labelled_est.totals

    def cents(name: str) -> Decimal:
        return Decimal(repr(named_cell(wb, name).value)).quantize(CENT)

    assert cents("AnnualCost") == t.annual_cost_usd.quantize(CENT)
    assert cents("MonthlyCost") == t.monthly_cost_usd.quantize(CENT)
    assert cents("OneOffCost") == t.one_off_cost_usd.quantize(CENT)
    proj = wb["Projection"]
    p = labelled_est.projection
    assert p is not None
    for k, m in enumerate(p.months):
        assert proj.cell(3 + k, 1).value == m.month
        assert proj.cell(3 + k, 3).value == m.cfu_minutes
        assert Decimal(repr(proj.cell(3 + k, 5).value)).quantize(CENT) == m.cost_usd.quantize(CENT)
    total = Decimal(repr(proj.cell(3 + len(p.months), 5).value))
    assert total.quantize(CENT) == t.annual_cost_usd.quantize(CENT)
    sheet = wb["By label"]
    got = {}
    for row in sheet.iter_rows(min_row=2, max_col=8, values_only=True):
        if row[0] in labelled_est.by_label and row[3] is not None:
            got[(row[0], row[1])] = row
    for key, groups in labelled_est.by_label.items():
        for g in groups:
            row = got[(key, g.label)]
            assert row[2] == len(g.statements) and row[3] == g.cfu_minutes
            for col, want in ((4, g.cost_usd), (5, g.monthly_cost_usd), (6, g.annual_cost_usd)):
                assert Decimal(repr(row[col])).quantize(CENT) == want.quantize(CENT), (key, g)
            assert Decimal(repr(row[7])).quantize(CENT) == g.one_off_cost_usd.quantize(CENT)


def test_label_text_stays_text(labelled_est: Estimate, tmp_path: Path) -> None:
    path = tmp_path / "labels.xlsx"
    write_workbook(labelled_est, path, now=NOW)
    ws = load_workbook(path)["By label"]
    cells = [c for row in ws.iter_rows() for c in row if c.value in (HOSTILE_LABEL, "+dev")]
    assert len(cells) >= 4  # the group rows and the per-statement block
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    folder = tmp_path / "csv"
    write_csv_dir(labelled_est, folder)
    with (folder / "by_label.csv").open(newline="", encoding="utf-8") as fh:
        values = [r["value"] for r in csv.DictReader(fh)]
    assert "'" + HOSTILE_LABEL in values and "'+dev" in values and HOSTILE_LABEL not in values
    with (folder / "projection.csv").open(newline="", encoding="utf-8") as fh:
        months = [r["month"] for r in csv.DictReader(fh)]
    assert months[:2] == ["2027-03", "2027-04"] and len(months) == 12
