"""`cfu-estimator reconcile`: the JSON contract, the table, exit codes, --apply on disk."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from actuals_fixtures import ACTUAL_CFU_MINUTES, FORMATS, SCENARIO

from estimator.cli import main
from estimator.scenario import load_scenario

CONTRACT = (
    "actual_cfu_minutes",
    "estimated_cfu_minutes",
    "error_pct",
    "observed_records_per_cfu_second",
)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_json_keys_are_the_public_contract() -> None:
    code, text = run(
        "reconcile",
        str(SCENARIO),
        str(FORMATS["json"]),
        "--format",
        "json",
        "--map",
        "fraud-join-v2=fraud_join",
    )
    assert code == 0
    data = json.loads(text)
    for key in CONTRACT:
        assert key in data["totals"]
        assert all(key in s for s in data["statements"])
    rows = {s["name"]: s for s in data["statements"]}
    assert rows["enrich_orders"]["estimated_cfu_minutes"] > 0
    # observed on enrich_orders' steady minutes: records in over CFU-seconds, about 1,886
    # records/s per CFU (hand: mostly 6,000/3 and 12,000/6 = 2,000; 12 minutes at 1,000 while
    # Autopilot waits to scale down; 2 at 1,500)
    assert rows["enrich_orders"]["observed_records_per_cfu_second"] == pytest.approx(1886, abs=2)
    assert rows["fraud_join"]["observed_records_per_cfu_second"] == pytest.approx(375, abs=1)


def test_table_names_every_statement_and_the_bill(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run("reconcile", str(SCENARIO), str(FORMATS["csv"]))
    assert code == 0
    for name in ("enrich_orders", "orders_per_customer", "fraud_join", "TOTAL (billed)"):
        assert name in text
    assert "Bill over the window: actual 1,825.0 CFU-minutes = $6.3875" in text
    err = capsys.readouterr().err
    assert "warning: fraud_join: no metrics for this statement" in err


def test_missing_metrics_file_exits_2(tmp_path: Path, capsys) -> None:
    code, _ = run("reconcile", str(SCENARIO), str(tmp_path / "missing.csv"))
    assert code == 2
    assert "cannot read" in capsys.readouterr().err


def test_map_to_an_unknown_statement_exits_2(capsys) -> None:
    code, _ = run("reconcile", str(SCENARIO), str(FORMATS["csv"]), "--map", "fraud-join-v2=nope")
    assert code == 2
    assert "no statement or pool named 'nope'" in capsys.readouterr().err


def test_unreadable_start_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        run("reconcile", str(SCENARIO), str(FORMATS["csv"]), "--start", "yesterday")
    assert exc.value.code == 2
    assert "ISO 8601" in capsys.readouterr().err


def test_oversized_metrics_file_exits_2(tmp_path: Path, capsys) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(6 * 1024 * 1024)
    code, _ = run("reconcile", str(SCENARIO), str(big))
    assert code == 2
    assert "limited to 5 MB" in capsys.readouterr().err


def test_apply_writes_through_a_symlink_atomically(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    shutil.copy(SCENARIO, real)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    code, _ = run(
        "reconcile",
        str(link),
        str(FORMATS["prometheus"]),
        "--apply",
        "--map",
        "fraud-join-v2=fraud_join",
    )
    assert code == 0
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]
    sc = load_scenario(real)
    rates = {s.name: s.records_per_cfu_second for s in sc.statements}
    assert set(n for n, r in rates.items() if r) == set(ACTUAL_CFU_MINUTES)
    src = next(s for s in sc.statements if s.name == "fraud_join").records_per_cfu_second_source
    assert src and "fraud-join-v2" in src and "2026-11-30T10:" in src
