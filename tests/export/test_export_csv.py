"""CSV folder and JSON: same data as the estimate, rows sum to the totals, formula-safe."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from export_support import HOSTILE, HOSTILE_POOLS

from estimator import report
from estimator.estimate import Estimate
from estimator.export.csv_export import (
    HOURLY_COLUMNS,
    POOL_COLUMNS,
    STATEMENT_COLUMNS,
    write_csv_dir,
)
from estimator.export.safe import (
    FORMULA_TRIGGERS,
    is_formula_like,
    safe_cell,
    safe_text,
    xlsx_text,
)
from estimator.timeline import PER_MINUTE_KEYS

CENT = Decimal("0.01")
FILES = [
    "statements.csv",
    "pools.csv",
    "hourly.csv",
    "per_minute.csv",
    "assumptions.csv",
    "projection.csv",
    "by_label.csv",
    "estimate.json",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, hostile_est: Estimate) -> Path:
    out = tmp_path_factory.mktemp("csv") / "nested" / "dir"
    paths = write_csv_dir(hostile_est, out)
    assert [p.name for p in paths] == FILES
    assert all(p.parent == out and p.is_file() for p in paths)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_statements_csv(folder: Path, hostile_est: Estimate) -> None:
    rows = _rows(folder / "statements.csv")
    assert list(rows[0]) == list(STATEMENT_COLUMNS)
    assert [r["name"] for r in rows] == [safe_text(s.name) for s in hostile_est.statements]
    assert sum(int(r["cfu_minutes"]) for r in rows) == hostile_est.totals.cfu_minutes
    total = sum(Decimal(r["cost_usd"]) for r in rows)
    assert total.quantize(CENT) == hostile_est.totals.cost_usd.quantize(CENT)
    for r, s in zip(rows, hostile_est.statements, strict=True):
        assert int(r["peak_cfu"]) == s.peak_cfu
        assert Decimal(r["cost_usd"]) == s.cost_usd.quantize(Decimal("0.000001"))


def test_pools_csv(folder: Path, hostile_est: Estimate) -> None:
    rows = _rows(folder / "pools.csv")
    assert list(rows[0]) == list(POOL_COLUMNS)
    assert [r["name"] for r in rows] == [safe_text(p) for p in HOSTILE_POOLS]
    assert sum(int(r["cfu_minutes"]) for r in rows) == hostile_est.totals.cfu_minutes


def test_hourly_csv_rows_sum_to_the_totals(folder: Path, hostile_est: Estimate) -> None:
    rows = _rows(folder / "hourly.csv")
    assert list(rows[0]) == list(HOURLY_COLUMNS)
    n, hours = hostile_est.hourly_by_statement.shape
    assert len(rows) == n * hours
    assert sum(int(r["cfu_minutes"]) for r in rows) == hostile_est.totals.cfu_minutes
    total = sum(Decimal(r["cost_usd"]) for r in rows)
    assert abs(total - hostile_est.totals.cost_usd) < CENT / 2
    by_hour = [0] * hours
    for r in rows:
        by_hour[int(r["hour"])] += int(r["cfu_minutes"])
    assert by_hour == [h.cfu_minutes for h in hostile_est.hourly]


def test_per_minute_csv_is_the_timeline_frame(folder: Path, hostile_est: Estimate) -> None:
    got = pd.read_csv(folder / "per_minute.csv", keep_default_na=False)
    want = hostile_est.timeline.frame()
    assert list(got.columns) == list(PER_MINUTE_KEYS)
    assert len(got) == len(want)
    assert got["statement"].tolist() == [safe_text(s) for s in want["statement"]]
    numeric = ["minute", "rps", "capacity", "cfu", "backlog", "lag_seconds"]
    np.testing.assert_array_equal(got[numeric].to_numpy(float), want[numeric].to_numpy(float))
    assert got["scaling_state"].tolist() == want["scaling_state"].tolist()
    assert int(got["cfu"].sum()) == hostile_est.totals.cfu_minutes


def test_estimate_json_is_the_report(folder: Path, hostile_est: Estimate) -> None:
    data = json.loads((folder / "estimate.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(report.to_dict(hostile_est)))
    assert data["statements"][0]["name"] == HOSTILE[0]  # JSON is typed: kept as typed


def test_no_csv_field_starts_like_a_formula(folder: Path) -> None:
    hostile_seen = 0
    for name in FILES[:-1]:
        with (folder / name).open(newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for field in row:
                    if field.startswith("'") and is_formula_like(field[1:]):
                        hostile_seen += 1
                    elif field.startswith("-"):  # a negative number is a number, not text
                        float(field)
                    else:
                        assert not is_formula_like(field), (name, field)
    assert hostile_seen > 0


@pytest.mark.parametrize("text", [*HOSTILE, *HOSTILE_POOLS, "=1+1", "-", "@", "+"])
def test_safe_helpers_on_hostile_text(text: str) -> None:
    assert is_formula_like(text)
    # leading control characters and blanks go, then a quote if it still starts like a formula
    kept = text.lstrip("".join(map(chr, range(33))) + "\x7f")
    expected = "'" + kept if kept.startswith(FORMULA_TRIGGERS) else kept
    assert safe_text(text) == expected
    assert safe_cell(text) == expected
    assert not safe_text(text).startswith(FORMULA_TRIGGERS)
    assert xlsx_text(text) == text  # the xlsx writer types the cell instead


def test_safe_helpers_leave_plain_values() -> None:
    assert safe_cell(-2) == -2 and safe_cell(1.5) == 1.5
    assert safe_text("orders") == "orders" and safe_text(" =x") == "'=x"
    assert safe_text("\x00=1+1") == "'=1+1" and safe_text("\u200b @x") == "'@x"
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
    assert xlsx_text("a\x00b\x1fc\ud800d") == "abcd"
    assert xlsx_text("x" * 50, limit=20) == "xxxxxxxx [truncated]"
