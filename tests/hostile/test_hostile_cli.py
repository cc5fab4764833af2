"""The hostile-input corpus: each case is what an attacker (or a careless file) could hand the
command line. Every one must end with exit 2, one short line per problem naming the field, no
content of a file the scenario names, within bounded CPU time and memory (measured per case in
a forked child by tests/hostile/forkrun.py: peak RSS from wait4, CPU seconds, hard limits as a
hang guard)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MAX_RSS_MB = 500
MAX_CPU_S = 5.0
MAX_LINE = 300
SECRET = "TOP-SECRET-CONTENT-4711"

BASE = "name: x\nhorizon_minutes: 60\n"
ONE = "statements:\n  - {name: a, sql: 'INSERT INTO t SELECT * FROM s', %s}\n"


def _laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + f"\nname: *{prev}\n"


# name -> (scenario text, the field the message must name, extra files to create)
SCENARIOS: dict[str, tuple[str, str]] = {
    "csv_absolute": (BASE + ONE % "profile: {shape: series, csv: /etc/passwd}", "profile.csv"),
    "csv_dotdot": (BASE + ONE % "profile: {shape: series, csv: ../secret.csv}", "profile.csv"),
    "csv_proc": (BASE + ONE % "profile: {shape: series, csv: /proc/self/environ}", "profile.csv"),
    "csv_dev_zero": (BASE + ONE % "profile: {shape: series, csv: /dev/zero}", "profile.csv"),
    "csv_symlink_out": (BASE + ONE % "profile: {shape: series, csv: link.csv}", "profile.csv"),
    "csv_symlink_zero": (BASE + ONE % "profile: {shape: series, csv: zero.csv}", "profile.csv"),
    "csv_fifo": (BASE + ONE % "profile: {shape: series, csv: pipe.csv}", "profile.csv"),
    "csv_directory": (BASE + ONE % "profile: {shape: series, csv: sub}", "profile.csv"),
    "csv_too_big": (BASE + ONE % "profile: {shape: series, csv: big.csv}", "profile.csv"),
    "csv_secret_content": (BASE + ONE % "profile: {shape: series, csv: sec.csv}", "profile.csv"),
    "billion_laughs": (_laughs(), "alias"),
    "deep_nesting": ("name: " + "[" * 5000 + "]" * 5000 + "\n", "levels deep"),
    "deep_json": ('{"name": ' + "[" * 100_000 + "]" * 100_000 + "}", "levels deep"),
    "integer_5000_digits": (BASE + ONE % ("rps: " + "9" * 5000), "digits"),
    "nan_in_series": (BASE + ONE % "profile: {shape: series, series: [[0, .nan]]}", "series[0]"),
    "inf_in_series": (BASE + ONE % "profile: {shape: series, series: [[0, .inf]]}", "series[0]"),
    "inf_rps": (BASE + ONE % "rps: .inf", "statements[0].rps"),
    "nan_growth": (
        BASE + ONE % "profile: {shape: constant, rps: 5, growth_pct_per_month: .nan}",
        "growth_pct_per_month",
    ),
    "nan_autoscaler": (
        "autoscaler: {preset: flink-operator, target_utilization: .nan}\n" + BASE + ONE % "rps: 5",
        "autoscaler.target_utilization",
    ),
    "inf_autoscaler": (
        "autoscaler: {preset: flink-operator, catch_up_minutes: .inf}\n" + BASE + ONE % "rps: 5",
        "autoscaler.catch_up_minutes",
    ),
    "autoscaler_out_of_range": (
        "autoscaler: {preset: flink-operator, target_utilization: 0}\n" + BASE + ONE % "rps: 5",
        "autoscaler.target_utilization",
    ),
    "denormal_records_per_cfu": (
        BASE + ONE % "rps: 5, records_per_cfu_second: 5.0e-324",
        "records_per_cfu_second",
    ),
    "parameter_zero_divisor": (
        "parameters: {reference_key_count: 0}\n" + BASE + ONE % "rps: 5",
        "parameters.reference_key_count",
    ),
    "parameter_nan": (
        "parameters: {base_records_per_cfu_second: .nan}\n" + BASE + ONE % "rps: 5",
        "parameters.base_records_per_cfu_second",
    ),
    "parameter_negative": (
        "parameters: {max_cfu_per_statement: -3}\n" + BASE + ONE % "rps: 5",
        "parameters.max_cfu_per_statement",
    ),
    "parameter_huge": (
        "parameters: {op_us_filter: 1.0e300}\n" + BASE + ONE % "rps: 5",
        "parameters.op_us_filter",
    ),
    "parameter_fraction_of_count": (
        "parameters: {max_cfu_per_pool: 2.5}\n" + BASE + ONE % "rps: 5",
        "parameters.max_cfu_per_pool",
    ),
    "parameter_unknown_long": (
        "parameters:\n  ? " + "k" * 50_000 + "\n  : 1\n" + BASE + ONE % "rps: 5",
        "parameters",
    ),
    "long_name_echo": ("name: " + "x" * 200_000 + "\n" + ONE % "rps: 5", "name"),
    "long_literal_echo": (
        "schema_version: '" + "y" * 1_000_000 + "'\n" + BASE + ONE % "rps: 5",
        "schema_version",
    ),
    "nan_price": ("pricing: {usd_per_cfu_hour: .nan}\n" + BASE + ONE % "rps: 5", "pricing"),
    "nan_month_hours": ("month_hours: .nan\n" + BASE + ONE % "rps: 5", "month_hours"),
    "many_bad_statements": (
        BASE
        + "statements:\n"
        + "".join(f"  - {{name: s{i}, sql: '', rps: -1}}\n" for i in range(2000)),
        "statements[0]",
    ),
}


def _setup(folder: Path) -> None:
    """Files the scenarios above name, and a secret outside the scenario's folder."""
    (folder / "sub").mkdir()
    secret = folder.parent / "secret.csv"
    secret.write_text(f"minute,rps\n0,{SECRET}\n")
    (folder / "link.csv").symlink_to(secret)
    (folder / "zero.csv").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.csv")
    with (folder / "big.csv").open("wb") as fh:
        fh.write(b"0,1\n" * (6 * 1024 * 1024))  # 24 MB of valid rows: over the 20 MB limit
    (folder / "sec.csv").write_text(f"minute,rps\n0,{SECRET}\n{SECRET},{SECRET}\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Run every case once (one interpreter, a fork per case) and return results by name."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "scenarios"
    folder.mkdir()
    _setup(folder)
    cases: dict[str, dict[str, object]] = {}
    for name, (text, _) in SCENARIOS.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        cases[name] = {"argv": ["estimate", str(path), "--format", "json"], "cwd": str(folder)}
    # files the command line reads directly
    cases["scenario_is_dev_zero"] = {"argv": ["estimate", "/dev/zero"], "cwd": str(folder)}
    cases["scenario_is_fifo"] = {"argv": ["estimate", str(folder / "pipe.csv")]}
    cases["scenario_is_directory"] = {"argv": ["estimate", str(folder / "sub")]}
    cases["classify_fifo"] = {"argv": ["classify", str(folder / "pipe.csv")]}
    cases["classify_dev_zero"] = {"argv": ["classify", "/dev/zero"]}
    cases["calibrate_fifo"] = {"argv": ["calibrate", str(folder / "pipe.csv")]}
    cases["calibrate_too_big"] = {"argv": ["calibrate", str(folder / "big.csv")]}
    cases["calibrate_laughs"] = {"argv": ["calibrate", str(folder / "billion_laughs.yaml")]}
    spec = root / "cases.json"
    spec.write_text(json.dumps(list(cases.values())))
    proc = subprocess.run(
        [sys.executable, str(HERE / "forkrun.py"), str(spec)],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    results = dict(zip(cases, json.loads(proc.stdout), strict=True))
    for name, r in results.items():
        print(f"{name:28} rc={r['rc']} cpu={r['cpu_s']:.2f}s rss={r['rss_mb']:.0f}MB")
    return results


EXPECTED_FIELD = {name: field for name, (_, field) in SCENARIOS.items()} | {
    "scenario_is_dev_zero": "not a regular file",
    "scenario_is_fifo": "not a regular file",
    "scenario_is_directory": "not a regular file",
    "classify_fifo": "FILE",
    "classify_dev_zero": "not a regular file",
    "calibrate_fifo": "not a regular file",
    "calibrate_too_big": "limited to",
    "calibrate_laughs": "alias",
}


@pytest.mark.parametrize("name", list(EXPECTED_FIELD))
def test_hostile_case_is_refused_with_a_short_named_error(
    corpus: dict[str, dict[str, object]], name: str
) -> None:
    result = corpus[name]
    stderr = str(result["stderr"])
    assert result["rc"] == 2, (result["rc"], stderr[:500])
    lines = stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), stderr[:500]
    assert max(len(line) for line in lines) <= MAX_LINE + len("error: ")
    assert EXPECTED_FIELD[name] in stderr, stderr[:500]
    assert SECRET not in stderr and "root:" not in stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert float(result["rss_mb"]) < MAX_RSS_MB, result["rss_mb"]  # type: ignore[arg-type]
    assert float(result["cpu_s"]) < MAX_CPU_S, result["cpu_s"]  # type: ignore[arg-type]
