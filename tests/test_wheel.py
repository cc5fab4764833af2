"""The package as users who do not clone get it: a wheel installed into a fresh virtual
environment, every command run from a folder that holds nothing of the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.wheel


def _run(cmd: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["CFU_ESTIMATOR_FLINK_PYTHON"] = str(cwd / "no-flink-here")
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The console script of a wheel built from this checkout, in a fresh venv."""
    base = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(base), str(ROOT)],
        cwd=base,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = base.glob("flink_cfu_estimator-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "estimator/pricing_data/cfu_prices.csv" in names
    assert "estimator/data/model_parameters.yaml" in names
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=base)
    assert made.returncode == 0, made.stderr
    pip = _run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], cwd=base)
    assert pip.returncode == 0, pip.stderr
    return venv / "bin" / "cfu-estimator"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder with nothing of the repository in it."""
    return tmp_path


def test_wheel_prices_come_from_the_packaged_table(installed: Path, elsewhere: Path) -> None:
    proc = _run([str(installed), "prices", "--format", "json"], cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    # Confluent's billing page, September 2025: $0.21 per CFU-hour (DOMAIN.md).
    assert {"cloud": "aws", "region": "us-east-1"}.items() <= rows[0].items()
    assert rows[0]["usd_per_cfu_hour"] == 0.21


def test_wheel_estimates_an_example_in_every_output_format(
    installed: Path, elsewhere: Path
) -> None:
    listed = _run([str(installed), "example", "--list"], cwd=elsewhere)
    assert listed.returncode == 0 and "confluent_cfu_curve" in listed.stdout
    example = _run([str(installed), "example", "confluent_cfu_curve"], cwd=elsewhere)
    assert example.returncode == 0, example.stderr
    scenario = elsewhere / "curve.yaml"
    scenario.write_text(example.stdout, encoding="utf-8")

    as_json = _run([str(installed), "estimate", str(scenario), "--format", "json"], cwd=elsewhere)
    assert as_json.returncode == 0, as_json.stderr
    # Confluent's curve example: 10 + 90 + 20 + 10 = 130 CFU-minutes at $0.0035 = $0.455.
    totals = json.loads(as_json.stdout)["totals"]
    assert totals["cfu_minutes"] == 130
    assert totals["cost_usd"] == 0.455

    table = _run([str(installed), "estimate", str(scenario)], cwd=elsewhere)
    assert table.returncode == 0 and "130" in table.stdout, table.stderr
    files = _run(
        [
            str(installed),
            "estimate",
            str(scenario),
            "--format",
            "csv",
            "--xlsx",
            str(elsewhere / "out.xlsx"),
            "--csv",
            str(elsewhere / "csv"),
        ],
        cwd=elsewhere,
    )
    assert files.returncode == 0, files.stderr
    assert (elsewhere / "out.xlsx").stat().st_size > 0
    assert (elsewhere / "csv" / "statements.csv").is_file()


def test_wheel_classify_schema_and_calibrate_without_an_engine(
    installed: Path, elsewhere: Path
) -> None:
    sql = elsewhere / "script.sql"
    sql.write_text(
        "INSERT INTO totals SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;\n",
        encoding="utf-8",
    )
    classified = _run([str(installed), "classify", str(sql), "--format", "json"], cwd=elsewhere)
    assert classified.returncode == 0, classified.stderr
    assert json.loads(classified.stdout)[0]["kind"] == "aggregate"

    schema = _run([str(installed), "schema"], cwd=elsewhere)
    assert schema.returncode == 0 and "statements" in json.loads(schema.stdout)["properties"]

    scenario = elsewhere / "curve.yaml"
    scenario.write_text(
        _run([str(installed), "example", "retail_orders"], cwd=elsewhere).stdout,
        encoding="utf-8",
    )
    calibrate = _run([str(installed), "calibrate", str(scenario)], cwd=elsewhere)
    # No local Flink in a user's fresh environment: a clear line saying how to set it up.
    assert calibrate.returncode == 2
    assert "make flink" in calibrate.stderr
    assert "Traceback" not in calibrate.stderr
