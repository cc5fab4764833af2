"""The fit of model parameters from benchmark rows: hand-made rows, hand-calculated results."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "model"))

import fit  # noqa: E402

from estimator.parameters import PARAMETERS_FILE  # noqa: E402

COMMON = {
    "variant": "reference",
    "mini_batch": "off",
    "keys": "10000",
    "message_bytes": "100",
    "repeats": "3",
    "flink_version": "2.3.0",
    "machine": "test cpu, 2 vCPU",
    "java": "openjdk 17",
    "date": "2026-12-02",
}


def row(case: str, op: str, backend: str, runs: list[float], **kw: str) -> dict[str, str]:
    ordered = sorted(runs)
    return {
        **COMMON,
        "case": case,
        "op": op,
        "backend": backend,
        "op_us_runs": ";".join(str(r) for r in runs),
        "op_us_median": str(ordered[len(ordered) // 2]),
        "op_us_min": str(ordered[0]),
        "op_us_max": str(ordered[-1]),
        **kw,
    }


def test_operator_cost_is_the_rocksdb_median_and_the_range_spans_every_run():
    rows = [
        row("tumble", "window_aggregate", "rocksdb", [2.0, 3.0, 4.0]),
        row("hop", "window_aggregate", "rocksdb", [5.0, 6.0, 9.0]),
        row("tumble", "window_aggregate", "hashmap", [0.5, 0.7, 0.6]),
    ]
    got = fit.fit(rows, [])["op_us_window_aggregate"]
    # Case medians on RocksDB: 3 and 6 -> median 4.5; low: heap's 0.5; high: RocksDB's 9.
    assert (got["value"], got["low"], got["high"]) == (4.5, 0.5, 9.0)
    assert "local Apache Flink 2.3.0" in got["source"] and "2026-12-02" in got["source"]


def test_published_per_core_figures_widen_the_range():
    rows = [row("group_by", "group_aggregate", "rocksdb", [2.0, 2.5, 3.0])]
    published = [
        {
            "id": "nexmark_q17",
            "scope": "operator above q0",
            "op": "group_aggregate",
            "records_per_second_low": "100000",
            "records_per_second_high": "100000",
            "pass_through_records_per_second": "200000",
        }
    ]
    got = fit.fit(rows, published)["op_us_group_aggregate"]
    # 1e6 / 100,000 - 1e6 / 200,000 = 10 - 5 = 5 us above the pass-through.
    assert (got["value"], got["low"], got["high"]) == (2.5, 2.0, 5.0)
    assert "nexmark_q17 5 us" in got["range_source"]


def test_published_cost_is_per_record_the_operator_sees():
    # Nexmark q8 joins persons and auctions only: 4 of every 50 generated events reach it.
    rows = [row("window_join", "window_join", "rocksdb", [10.0, 12.0, 14.0])]
    published = [
        {
            "id": "nexmark_q8",
            "scope": "operator above q0",
            "op": "window_join",
            "records_per_second_low": "100000",
            "records_per_second_high": "100000",
            "pass_through_records_per_second": "200000",
            "operator_input_share": "0.08",
        }
    ]
    got = fit.fit(rows, published)["op_us_window_join"]
    # (10 - 5) us per generated event / 0.08 = 62.5 us per record entering the join.
    assert got["high"] == 62.5 and got["low"] == 10.0
    assert "nexmark_q8 62.5 us" in got["range_source"]


def test_shipped_nexmark_figures_name_the_share_of_events_they_read():
    published = fit.read_csv(fit.PUBLISHED)
    nexmark = [p for p in published if p["scope"].startswith("operator above q0")]
    assert nexmark, "the per-operator Nexmark figures are the published side of make fidelity"
    for p in nexmark:
        share = float(p["operator_input_share"])
        assert 0 < share <= 1, p["id"]
        assert "operator input" in p["source"], p["id"]


def test_shared_filter_projection_case_is_split_and_noise_counts_as_zero():
    rows = [row("filter_project_cheap", "project", "rocksdb", [-0.2, 0.4, 0.6])]
    got = fit.fit(rows, [])
    assert got["op_us_filter"]["value"] == 0.2 == got["op_us_project"]["value"]
    assert got["op_us_filter"]["low"] == 0.0


def test_state_bytes_and_key_growth():
    rows = [
        row("group_by", "group_aggregate", "rocksdb", [4.0, 4.0, 4.0]),
        row(
            "group_by@1e+06 keys",
            "group_aggregate",
            "rocksdb",
            [12.0] * 3,
            variant="1e+06 keys",
            keys="1000000",
        ),
        row(
            "group_by@100 B",
            "group_aggregate",
            "rocksdb",
            [3.0] * 3,
            variant="100 B in state",
            message_bytes="1024",
        ),
        row(
            "group_by@4 KB",
            "group_aggregate",
            "rocksdb",
            [9.0] * 3,
            variant="4096 B in state",
            message_bytes="4096",
        ),
    ]
    got = fit.fit(rows, [])
    # 12 / 4 = 3 at 100x keys: (3 - 1) / 2 decades = 1.0 per decade.
    assert got["key_cost_per_decade"]["value"] == 1.0
    # (9 - 3) us over (4 - 1) KB = 2 us per KB.
    assert got["state_us_per_kb"]["value"] == 2.0


def _run_length(fam: str, op: str, small: int, large: int, us: float) -> dict[str, str]:
    variant = f"run {small:,}-{large:,} rows"
    return row(f"{fam}@{variant}", op, "rocksdb", [us], variant=variant)


def test_steady_state_factor_scales_stateful_classes_and_spans_the_range():
    spans = ((100_000, 300_000), (300_000, 1_000_000), (1_000_000, 2_000_000))
    rows = [
        row("group_by", "group_aggregate", "rocksdb", [4.0, 4.0]),
        row("filter_project_cheap", "project", "rocksdb", [1.0, 1.0]),
        # group_by: level median(9, 11) = 10 over the plan's 8 -> 1.25.
        *(
            _run_length("group_by", "group_aggregate", *s, us)
            for s, us in zip(spans, (8, 9, 11), strict=True)
        ),
        # deduplicate: level median(5, 5) = 5 over the plan's 5 -> 1.0.
        *(
            _run_length("deduplicate", "deduplicate", *s, us)
            for s, us in zip(spans, (5, 5, 5), strict=True)
        ),
    ]
    got = fit.fit(rows, [])
    # The median factor (1.125) scales the stateful class; the range takes the least and most.
    g = got["op_us_group_aggregate"]
    assert (g["value"], g["low"], g["high"]) == (4.5, 4.0, 5.0)
    assert "steady-state factor" in g["source"]
    # Stateless classes are not scaled; run-length rows are not reference cases.
    assert got["op_us_project"]["value"] == 0.5
    assert "op_us_deduplicate" not in got


def test_the_lookup_join_is_not_scaled_as_state_and_keeps_its_allowance_as_the_high_end():
    """A lookup join keeps no state: the steady-state factor does not scale it. Its figure is
    the operator's CPU against an in-memory table; the high end is the stated allowance for an
    external lookup's work, which the benchmark cannot measure, and the source says so."""
    spans = ((100_000, 300_000), (300_000, 1_000_000))
    rows = [
        row("lookup_join", "lookup_join", "rocksdb", [0.9, 1.0, 1.1]),
        row("lookup_join", "lookup_join", "hashmap", [0.6, 0.8, 0.7]),
        *(
            _run_length("group_by", "group_aggregate", *s, us)
            for s, us in zip(spans, (8, 10), strict=True)
        ),
    ]
    got = fit.fit(rows, [])["op_us_lookup_join"]
    allowance, why = fit.HIGH_ALLOWANCE["lookup_join"]
    assert (got["value"], got["low"], got["high"]) == (1.0, 0.6, allowance)
    assert "steady-state factor" not in got["source"]
    assert got["source"].startswith("What is measured: the CPU of Flink's lookup-join operator")
    assert "external-tables" in got["source"] and got["range_source"].endswith(why)


def test_a_long_run_key_point_is_held_against_the_reference_at_the_same_level():
    spans = ((100_000, 300_000), (300_000, 1_000_000))
    long_run = "slope between 1,500,000 and 2,500,000 rows per source"
    rows = [
        row("group_by", "group_aggregate", "rocksdb", [4.0, 4.0]),
        # Level 3 over the plan's 4: the reference at the level of long runs is 3 us.
        *(
            _run_length("group_by", "group_aggregate", *s, us)
            for s, us in zip(spans, (4, 3), strict=True)
        ),
        row(
            "group_by@1e+06 keys",
            "group_aggregate",
            "rocksdb",
            [9.0],
            variant="1e+06 keys",
            keys="1000000",
            settings=long_run,
        ),
    ]
    # 9 / 3 = 3 at 100x keys: (3 - 1) / 2 decades = 1.0 per decade (against 4 us: 0.625).
    assert fit.fit(rows, [])["key_cost_per_decade"]["value"] == 1.0


def test_rewrite_replaces_only_fitted_entries_and_keeps_the_rest(tmp_path):
    text = PARAMETERS_FILE.read_text(encoding="utf-8")
    fitted = {
        "op_us_top_n": {
            "value": 7.5,
            "low": 1.0,
            "high": 20.0,
            "source": 'Measured "here"',
            "range_source": "runs",
        }
    }
    new = fit.rewrite(text, fitted)
    old_rows = {r["key"]: r for r in yaml.safe_load(text)}
    new_rows = {r["key"]: r for r in yaml.safe_load(new)}
    assert list(old_rows) == list(new_rows)
    assert new_rows["op_us_top_n"]["value"] == 7.5
    assert new_rows["op_us_top_n"]["source"] == 'Measured "here"'
    assert new_rows["op_us_top_n"]["unit"] == old_rows["op_us_top_n"]["unit"]
    assert {k: v for k, v in new_rows.items() if k != "op_us_top_n"} == {
        k: v for k, v in old_rows.items() if k != "op_us_top_n"
    }
    assert new.count("\n# ") == text.count("\n# ")  # section comments kept


def test_shipped_parameters_are_current_with_the_shipped_measurements():
    """model_parameters.yaml is what `make model-fit` makes of the measured table."""
    measured = fit.MEASUREMENTS
    if not measured.is_file():
        return
    with measured.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fitted = fit.fit(rows, fit.read_csv(fit.PUBLISHED))
    text = PARAMETERS_FILE.read_text(encoding="utf-8")
    assert fit.rewrite(text, fitted) == text, "run `make model-fit`"
