"""The pipeline end to end: new JSON keys, the bursty example, one bad statement."""

from __future__ import annotations

import json

from estimator import report
from estimator.cli import main
from estimator.estimate import estimate
from estimator.scenario import load_scenario, loads_scenario
from estimator.timeline import PER_MINUTE_KEYS

STATEMENT_KEYS = {
    "avg_cfu",
    "max_backlog_records",
    "max_lag_seconds",
    "exhausted_minutes",
    "pending_minutes",
    "advice",
}


def test_bursty_example_runs_out_in_one_pool_and_explains_why(examples_dir, capsys):
    assert (
        main(["estimate", str(examples_dir / "bursty_clickstream.yaml"), "--format", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert len(data["statements"]) == 12 and len(data["pools"]) == 2
    assert all(set(s) >= STATEMENT_KEYS for s in data["statements"])
    by_pool = {p["name"]: p for p in data["pools"]}
    exhausted = [p for p in data["pools"] if p["exhausted_minutes"] > 0]
    assert len(exhausted) == 1
    pool = exhausted[0]
    assert pool["recommended_max_cfu"] > pool["max_cfu"]
    assert any("ran out of CFUs" in a["text"] for a in pool["advice"])
    assert all(p["peak_cfu"] <= p["max_cfu"] for p in by_pool.values())
    assert any(s["pending_minutes"] > 0 for s in data["statements"])
    assert data["autoscaler"]["preset"] == "autopilot"
    assert data["autoscaler"]["parameters"]["metrics_window_minutes"] == 4
    assert data["advice"]


def test_per_minute_rows_sum_to_the_bill(examples_dir):
    est = estimate(load_scenario(examples_dir / "retail_orders.yaml"))
    data = report.to_dict(est, per_minute=True)
    rows = data["per_minute"]
    assert set(rows[0]) == set(PER_MINUTE_KEYS)
    assert len(rows) == len(est.statements) * est.scenario.horizon_minutes
    assert sum(r["cfu"] for r in rows) == data["totals"]["cfu_minutes"]


def test_one_bad_statement_does_not_stop_the_others():
    text = """
name: mixed
horizon_minutes: 60
statements:
  - {name: good, sql: "INSERT INTO t SELECT * FROM s", rps: 5000}
  - {name: no_rate, sql: "INSERT INTO v SELECT * FROM s"}
"""
    est = estimate(loads_scenario(text))
    good, no_rate = est.statements
    assert good.cfu_minutes >= 60 and good.error is None
    assert no_rate.cfu_minutes == 0
    assert no_rate.error and no_rate.error.startswith("rps: required")


def test_assumptions_list_model_and_autoscaler_parameters():
    text = """
name: a
autoscaler: {preset: flink-operator, target_utilization: 0.6}
parameters: {op_us_regular_join: 80}
statements: [{name: s, sql: "INSERT INTO t SELECT * FROM s", rps: 100}]
"""
    est = estimate(loads_scenario(text))
    rows = {a.key: a for a in est.assumptions}
    assert rows["op_us_regular_join"].overridden and rows["op_us_regular_join"].value == "80"
    assert rows["autoscaler.target_utilization"].value == "0.6"
    assert rows["autoscaler.target_utilization"].overridden
    assert rows["autoscaler.catch_up_minutes"].value == "30"
    assert est.autoscaler == {
        "preset": "flink-operator",
        "parameters": {**est.autoscaler["parameters"], "target_utilization": 0.6},
    }


def test_measured_rate_override_drives_the_cfus():
    base = (
        "name: o\nhorizon_minutes: 120\nstatements:\n"
        "  - {name: s, sql: 'INSERT INTO t SELECT * FROM s', rps: 20000, partitions: 48"
    )
    plain = estimate(loads_scenario(base + "}\n"))
    measured = estimate(
        loads_scenario(base + ", records_per_cfu_second: 3000, records_per_cfu_second_source: m}\n")
    )
    assert measured.statements[0].records_per_cfu_second == 3000
    assert measured.statements[0].peak_cfu > plain.statements[0].peak_cfu
