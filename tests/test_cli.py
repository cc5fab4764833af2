"""The command line: golden examples end to end, the JSON contract, errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from estimator.cli import main
from estimator.examples import EXAMPLES

JSON_TOP_KEYS = {
    "scenario",
    "currency",
    "usd_per_cfu_hour",
    "discount_pct",
    "horizon_minutes",
    "totals",
    "statements",
    "pools",
    "hourly",
}
TOTALS_KEYS = {
    "cfu_minutes",
    "cfu_hours",
    "cost_usd",
    "peak_cfu",
    "monthly_cost_usd",
    "annual_cost_usd",
    "one_off_cost_usd",
}
STATEMENT_KEYS = {"name", "pool", "kind", "cfu_minutes", "cost_usd", "peak_cfu"}
POOL_KEYS = {"name", "max_cfu", "peak_cfu", "cfu_minutes", "cost_usd"}
HOURLY_KEYS = {"hour", "cfu_minutes", "cost_usd"}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).with_name("cfu-estimator")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


def estimate_json(path: Path, capsys) -> dict:
    assert main(["estimate", str(path), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_golden_curve_through_console_script(examples_dir):
    proc = run_cli("estimate", str(examples_dir / "confluent_cfu_curve.yaml"), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    # A known cfu_schedule has no range: low and high equal the golden figures.
    totals = {k: v for k, v in data["totals"].items() if not k.endswith(("_low", "_high"))}
    assert all(
        data["totals"][f"{k}_low"] == v == data["totals"][f"{k}_high"]
        for k, v in totals.items()
        if f"{k}_low" in data["totals"]
    )
    assert totals == {
        "cfu_minutes": 130,
        "cfu_hours": 2.166667,
        "cost_usd": 0.455,
        "peak_cfu": 3,
        # a finite cfu_schedule ends inside the horizon: billed once, never a month
        "monthly_cost_usd": 0.0,
        "annual_cost_usd": 0.0,
        "one_off_cost_usd": 0.455,
    }
    assert data["currency"] == "USD" and data["usd_per_cfu_hour"] == 0.21
    assert data["hourly"] == [{"hour": 0, "cfu_minutes": 130, "cost_usd": 0.455}]


def test_golden_billing_examples_through_cli(examples_dir, capsys):
    five = estimate_json(examples_dir / "confluent_five_statements.yaml", capsys)
    assert five["totals"]["cfu_minutes"] == 309
    assert five["totals"]["cost_usd"] == 1.0815
    assert five["totals"]["cfu_hours"] == 5.15
    assert [s["cfu_minutes"] for s in five["statements"]] == [5, 60, 110, 10, 124]
    queries = estimate_json(examples_dir / "confluent_interactive_queries.yaml", capsys)
    assert queries["totals"]["cfu_minutes"] == 5
    assert queries["totals"]["cost_usd"] == 0.0175
    assert queries["totals"]["cfu_hours"] == 0.083333


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_json_contract_keys_and_types(name, examples_dir, capsys):
    data = estimate_json(examples_dir / f"{name}.yaml", capsys)
    assert set(data) >= JSON_TOP_KEYS
    assert set(data["totals"]) >= TOTALS_KEYS
    assert isinstance(data["totals"]["cfu_minutes"], int)
    assert isinstance(data["totals"]["peak_cfu"], int)
    for s in data["statements"]:
        assert set(s) >= STATEMENT_KEYS
        assert isinstance(s["cfu_minutes"], int)
    for p in data["pools"]:
        assert set(p) >= POOL_KEYS
    for h in data["hourly"]:
        assert set(h) == HOURLY_KEYS
    assert sum(s["cfu_minutes"] for s in data["statements"]) == data["totals"]["cfu_minutes"]
    assert sum(p["cfu_minutes"] for p in data["pools"]) == data["totals"]["cfu_minutes"]
    assert sum(h["cfu_minutes"] for h in data["hourly"]) == data["totals"]["cfu_minutes"]
    for value in (data["totals"]["cost_usd"], data["totals"]["monthly_cost_usd"]):
        assert round(value, 6) == value


def test_peak_semantics_total_pool_statement(write_scenario, capsys):
    text = """
name: peaks
horizon_minutes: 60
pools: [{name: a, max_cfu: 10}, {name: b, max_cfu: 10}]
statements:
  - {name: s1, pool: a, cfu_schedule: [{minutes: 10, cfu: 2}]}
  - {name: s2, pool: a, start_minute: 5, cfu_schedule: [{minutes: 10, cfu: 3}]}
  - {name: s3, pool: b, start_minute: 30, cfu_schedule: [{minutes: 10, cfu: 4}]}
"""
    data = estimate_json(write_scenario(text), capsys)
    assert [s["peak_cfu"] for s in data["statements"]] == [2, 3, 4]
    assert {p["name"]: p["peak_cfu"] for p in data["pools"]} == {"a": 5, "b": 4}
    assert data["totals"]["peak_cfu"] == 5
    assert data["totals"]["cfu_minutes"] == 20 + 30 + 40


def test_discount_and_override_in_json(write_scenario, capsys):
    text = """
name: discounted
horizon_minutes: 60
pricing: {cloud: aws, region: us-east-1, usd_per_cfu_hour: 0.3, discount_pct: 10}
statements:
  - {name: s, cfu_schedule: [{minutes: 60, cfu: 2}]}
"""
    data = estimate_json(write_scenario(text), capsys)
    assert data["usd_per_cfu_hour"] == 0.3
    assert data["discount_pct"] == 10
    assert data["totals"]["cost_usd"] == 0.54  # 2 CFU-hours x 0.30 x 0.9
    assert "override" in data["price_source"]


def test_output_file_and_csv(examples_dir, tmp_path, capsys):
    out = tmp_path / "est.csv"
    rc = main(
        [
            "estimate",
            str(examples_dir / "confluent_five_statements.yaml"),
            "--format",
            "csv",
            "--output",
            str(out),
        ]
    )
    assert rc == 0
    assert capsys.readouterr().out == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [int(r["cfu_minutes"]) for r in rows] == [5, 60, 110, 10, 124]
    assert sum(float(r["cost_usd"]) for r in rows) == pytest.approx(1.0815)


def test_table_output_names_totals(examples_dir, capsys):
    assert main(["estimate", str(examples_dir / "confluent_five_statements.yaml")]) == 0
    out = capsys.readouterr().out
    assert "TOTAL" in out and "$1.0815" in out and "309" in out


def test_invalid_scenario_exit_2_names_field_no_traceback(write_scenario):
    p = write_scenario(
        "name: x\nstatements:\n"
        "  - {name: a, sql: 'SELECT 1', rps: 1}\n"
        "  - {name: b, sql: 'SELECT 1', rps: 1}\n"
        "  - {name: c, sql: 'SELECT 1', rps: 1, partitions: 0}\n"
    )
    proc = run_cli("estimate", str(p))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "statements[2].partitions: must be at least 1" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("{not: [valid", "not valid YAML or JSON"),
        (
            "pricing: {cloud: aws, region: mars-1}\nstatements: [{name: a, sql: 'SELECT 1'}]\n",
            "pricing.region: no price known",
        ),
    ],
)
def test_bad_files_exit_2(content, expected, write_scenario, capsys):
    assert main(["estimate", str(write_scenario(content))]) == 2
    err = capsys.readouterr().err
    assert expected in err


def test_missing_file_exit_2(tmp_path, capsys):
    assert main(["estimate", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_prices_lists_sources(capsys):
    assert main(["prices", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"cloud", "region", "usd_per_cfu_hour", "effective_date", "source"} <= set(rows[0])
    assert main(["prices"]) == 0
    assert "flink-billing" in capsys.readouterr().out


def test_schema_is_json_schema_with_contract_fields(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert {"schema_version", "name", "pricing", "horizon_minutes", "statements"} <= set(
        schema["properties"]
    )
    st = schema["$defs"]["Statement"]["properties"]
    assert {"rps", "message_bytes", "partitions", "start_minute", "cfu_schedule", "sql"} <= set(st)


def test_example_is_a_valid_scenario(tmp_path, capsys):
    assert main(["example"]) == 0
    text = capsys.readouterr().out
    assert yaml.safe_load(text)["statements"]
    p = tmp_path / "ex.yaml"
    p.write_text(text)
    assert main(["estimate", str(p), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["cfu_minutes"] > 0
    assert main(["example", "--list"]) == 0
    assert "confluent_five_statements" in capsys.readouterr().out


def test_csv_keeps_hostile_names_as_text_on_one_row(write_scenario, capsys):
    text = (
        "name: hostile\nhorizon_minutes: 60\nstatements:\n"
        '  - {name: "=HYPERLINK(\\"http://x\\",\\"y\\")", cfu_schedule: [{minutes: 5, cfu: 1}]}\n'
        '  - {name: "@SUM(A1)\\rsecond line", cfu_schedule: [{minutes: 5, cfu: 1}]}\n'
    )
    assert main(["estimate", str(write_scenario(text)), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert [r["name"] for r in rows] == [
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(A1)\rsecond line",
    ]


def test_an_internal_lookup_bug_is_exit_1_and_not_blamed_on_the_input(
    examples_dir, capsys, monkeypatch
):
    import estimator.estimate

    def broken(_scenario):
        raise KeyError("ddl_cfu_minutes")

    monkeypatch.setattr(estimator.estimate, "estimate", broken)
    code = main(["estimate", str(examples_dir / "confluent_cfu_curve.yaml")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert "internal error" in err and "please report" in err
    assert "Traceback" not in err


def test_debug_prints_the_traceback_of_an_internal_error(examples_dir, capsys, monkeypatch):
    import estimator.estimate

    def broken(_scenario):
        raise KeyError("ddl_cfu_minutes")

    monkeypatch.setattr(estimator.estimate, "estimate", broken)
    code = main(["--debug", "estimate", str(examples_dir / "confluent_cfu_curve.yaml")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" in err and "KeyError" in err


def test_an_unwritable_output_is_the_users_to_fix_exit_2(examples_dir, tmp_path, capsys):
    target = tmp_path / "no-such-folder" / "out.json"
    code = main(["estimate", str(examples_dir / "confluent_cfu_curve.yaml"), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: --output {target}: cannot write it")


def test_a_folder_given_as_scenario_is_exit_2_naming_it(tmp_path, capsys):
    code = main(["estimate", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert tmp_path.name in err and "not a regular file" in err and "Traceback" not in err


def test_every_user_error_class_is_an_estimator_error():
    from estimator import errors
    from estimator.calibrate.errors import CalibrationError
    from estimator.files import FileRefused

    for cls in (
        errors.ScenarioError,
        errors.PricingError,
        errors.TrafficError,
        errors.OutputError,
        FileRefused,
        CalibrationError,
    ):
        assert issubclass(cls, errors.EstimatorError)


HEAVY_MODULES = ("pandas", "numpy", "sqlglot", "numba", "streamlit", "plotly", "openpyxl")


@pytest.mark.parametrize(
    "code",
    [
        "from estimator.cli import build_parser; build_parser().parse_args(['prices'])",
        "import io; from estimator.cli import main; main(['prices'], out=io.StringIO())",
        "import estimator",
    ],
)
def test_light_commands_do_not_load_the_pipeline(code: str) -> None:
    """`--help`, `prices` and `import estimator` start fast because they never import the
    heavy libraries (bench/bench_import.py measures the time)."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
