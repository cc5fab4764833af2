"""Real calibrations on the local Apache Flink (.flink-venv, `make flink`).

Every real-Flink run of the suite is in this one module, so `--dist loadfile` keeps them on one
worker (two JVMs at once on a 2-core machine would disturb each other's measurements). They
are skipped, with the reason, only when the engine is missing and CI is not set: under CI a
missing engine fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import wait_for

from estimator.calibrate import apply_results, available, calibrate
from estimator.calibrate.apply import read_scenario_dict, write_scenario_dict
from estimator.calibrate.command import load_for_calibration
from estimator.calibrate.engine import RUNNER
from estimator.estimate import estimate
from estimator.scenario import parse_scenario

HERE = Path(__file__).parent
SCENARIO = HERE / "scenario_calibrate.yaml"
ROWS = 1_000_000  # per source; each statement also runs at a fifth of it
MEASURED = ["clean_orders", "spend_per_customer", "orders_with_shipments"]
UNRUNNABLE = ["uses_confluent_function", "reads_unknown_table"]

if not available():
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail("CI is set but the local Flink engine is missing: run `make flink`")
    pytest.skip(
        "the local Flink engine is not set up (run `make flink`); CI is not set",
        allow_module_level=True,
    )


def _our_javas() -> set[int]:
    """Java processes started by the calibration runner (their command line names it)."""
    found = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "java" in cmd.split(" ", 1)[0] and "pyflink" in cmd:
            found.add(int(pid))
    return found


def _our_runners() -> set[int]:
    found = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if str(RUNNER) in cmd:
                found.add(int(pid))
    return found


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    before = _our_javas()
    scenario, settings, raw = load_for_calibration(SCENARIO)
    messages: list[str] = []
    results = calibrate(
        scenario,
        MEASURED + UNRUNNABLE,
        rows=ROWS,
        repeats=2,
        settings=settings,
        progress=messages.append,
    )
    wait_for(lambda: not (_our_javas() - before))
    return {
        "results": {r.statement: r for r in results},
        "messages": messages,
        "raw": raw,
        "javas_left": _our_javas() - before,
        "tmp": tmp_path_factory.mktemp("calibrate"),
    }


def test_measured_ordering_join_over_group_by_over_stateless(measured: dict) -> None:
    r = measured["results"]
    for name in MEASURED:
        assert r[name].ok, (name, r[name].error)
        assert r[name].statement_records_per_second > 0
        assert r[name].pass_through_records_per_second > 0
    stateless = r["clean_orders"].operator_us_per_record
    group_by = r["spend_per_customer"].operator_us_per_record
    join = r["orders_with_shipments"].operator_us_per_record
    assert join > group_by > stateless, (join, group_by, stateless)
    assert r["orders_with_shipments"].key_counts["orders.order_id"] == 1_000_000
    assert any("started in" in m for m in measured["messages"])  # progress was shown


def test_unrunnable_statements_are_reported_and_skipped(measured: dict) -> None:
    r = measured["results"]
    missing_function = r["uses_confluent_function"]
    assert not missing_function.ok
    assert "AI_MASK_PII" in missing_function.error
    assert "\tat " not in missing_function.error  # the message, not the stack trace
    missing_table = r["reads_unknown_table"]
    assert not missing_table.ok and "payments" in missing_table.error


def test_every_jvm_is_gone_afterwards(measured: dict) -> None:
    assert measured["javas_left"] == set()
    assert _our_runners() == set()


def test_apply_writes_overrides_the_estimate_uses(measured: dict) -> None:
    results = list(measured["results"].values())
    path = measured["tmp"] / "scenario.yaml"
    write_scenario_dict(path, apply_results(measured["raw"], results))
    data = read_scenario_dict(path)
    by_name = {s["name"]: s for s in data["statements"]}
    for name in MEASURED:
        assert by_name[name]["records_per_cfu_second"] > 0
        assert by_name[name]["records_per_cfu_second_source"].startswith(
            "measured on local Apache Flink 2.3.0, "
        )
        assert by_name[name]["records_per_cfu_second_source"].endswith(", hashmap")
    for name in UNRUNNABLE:
        assert "records_per_cfu_second" not in by_name[name]
    assert data["calibration"] == measured["raw"]["calibration"]  # kept as written
    est = estimate(parse_scenario(data))  # the written file loads as it is
    per_statement = {s.name: s for s in est.statements}
    for name in MEASURED:
        assert per_statement[name].records_per_cfu_second == pytest.approx(
            by_name[name]["records_per_cfu_second"]
        )
    # The slower join gets fewer records per CFU than the stateless statement.
    assert (
        per_statement["orders_with_shipments"].records_per_cfu_second
        < per_statement["clean_orders"].records_per_cfu_second
    )


def test_command_interrupted_leaves_no_jvm(tmp_path: Path) -> None:
    """SIGINT (Ctrl-C) during a run: exit 130 and every JVM of ours is gone."""
    before = _our_javas()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "estimator.calibrate.command", str(SCENARIO)),
            *("--statement", "orders_with_shipments", "--rows", "5000000"),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until the JVM runs
        if "started in" in line:
            break
    assert _our_javas() - before, "the JVM should be running now"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    assert wait_for(lambda: not (_our_javas() - before) and not _our_runners())
    assert _our_javas() - before == set()
    assert _our_runners() == set()


def test_java_is_on_path() -> None:
    assert shutil.which("java")
