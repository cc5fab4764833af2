"""`cfu-estimator library ...` on SQLite and PostgreSQL (DATABASE_URL), as a user runs it."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
import yaml

from estimator.cli import main
from estimator.examples import FOLDER, example_text
from estimator.scenario import load_scenario, loads_scenario


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def env(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def test_save_list_show_diff_delete_restore(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    curve = FOLDER / "confluent_cfu_curve.yaml"
    code, out, _ = run(
        capsys, "library", "save", str(curve), "--customer", "Acme", "--tag", "golden",
        "--tag", "curve", "--note", "as published",
    )  # fmt: skip
    assert code == 0
    first = out.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{12}", first)

    half = tmp_path / "half.yaml"
    half.write_text(example_text("confluent_cfu_curve") + "\n", encoding="utf-8")
    data = yaml.safe_load(half.read_text())
    data["pricing"]["discount_pct"] = 50
    half.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, _ = run(capsys, "library", "save", str(half), "--customer", "Acme")
    second = out.strip()
    assert code == 0 and second != first

    code, out, _ = run(capsys, "library", "list", "--format", "json")
    [row] = json.loads(out)
    assert row["id"] == second and row["versions"] == 2
    assert row["customer"] == "Acme" and row["tags"] == ["curve", "golden"]
    # the curve's cfu_schedule is one-off (issue 13): $0 a month, billed once
    assert row["monthly_cost_usd"] == 0 and row["peak_cfu"] == 3
    assert set(row) >= {"name", "saved_at", "saved_by", "deleted"}
    code, out, _ = run(capsys, "library", "list", "--customer", "Globex", "--format", "json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, "library", "list", "--tag", "golden")
    assert second in out and "$0.00" in out

    code, out, _ = run(capsys, "library", "show", first)
    assert code == 0 and loads_scenario(out) == load_scenario(curve)
    code, out, _ = run(capsys, "library", "show", second, "--format", "json")
    assert json.loads(out)["pricing"]["discount_pct"] == 50

    code, out, _ = run(capsys, "library", "diff", first, second)
    assert code == 0
    assert "pricing.discount_pct: 0.0 -> 50.0" in out
    # one-off 130 / 60 x $0.21 = $0.455, at 50% off $0.2275
    assert "totals.one_off_cost_usd: 0.455 -> 0.2275" in out
    assert "totals.monthly_cost_usd" not in out
    code, out, _ = run(capsys, "library", "diff", first, second, "--format", "json")
    assert {c["path"] for c in json.loads(out)["inputs"]} == {"pricing.discount_pct"}

    code, out, _ = run(capsys, "library", "history", second, "--format", "json")
    assert [(v["id"], v["version"]) for v in json.loads(out)] == [(second, 2), (first, 1)]

    assert run(capsys, "library", "delete", first)[0] == 0
    assert json.loads(run(capsys, "library", "list", "--format", "json")[1]) == []
    code, _, err = run(capsys, "library", "show", second)
    assert code == 2 and "restore" in err
    assert run(capsys, "library", "restore", first)[0] == 0
    assert run(capsys, "library", "show", second)[0] == 0


@pytest.mark.parametrize("bad", ["nope", "AAAAAAAAAAAA", "'; DROP TABLE x"])
def test_a_bad_id_exits_2(env: str, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    code, out, err = run(capsys, "library", "show", bad)
    assert code == 2 and out == ""
    assert err.startswith("error: ID:")
    assert run(capsys, "library", "diff", bad, bad)[0] == 2
    assert run(capsys, "library", "delete", bad)[0] == 2


def test_bad_input_exits_2(
    env: str, capsys: pytest.CaptureFixture[str], write_scenario: object
) -> None:
    curve = str(FOLDER / "confluent_cfu_curve.yaml")
    code, _, err = run(capsys, "library", "save", curve, "--name", "n" * 201)
    assert code == 2 and "name: is too long" in err
    code, _, err = run(capsys, "library", "save", "/nonexistent/x.yaml")
    assert code == 2 and "cannot read" in err
    bad = write_scenario("statements: []\n")  # type: ignore[operator]
    code, _, err = run(capsys, "library", "save", str(bad))
    assert code == 2 and "statements" in err
    assert json.loads(run(capsys, "library", "list", "--format", "json")[1]) == []


def test_save_inlines_a_csv_series(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "traffic.csv").write_text("minute,rps\n0,100\n30,400\n", encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: Series\nhorizon_minutes: 60\nstatements:\n"
        "  - name: a\n    sql: INSERT INTO t SELECT * FROM s\n"
        "    profile: {shape: series, csv: traffic.csv}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "library", "save", str(scenario))
    assert code == 0
    code, shown, _ = run(capsys, "library", "show", out.strip(), "--format", "json")
    profile = json.loads(shown)["statements"][0]["profile"]
    assert profile == {
        "shape": "series",
        "series": [[0, 100.0], [30, 400.0]],
        "growth_pct_per_month": 0.0,
    }


def test_an_unreachable_database_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("DATABASE_URL", f"postgresql://ana:s3cret@127.0.0.1:{port}/lib")
    code, out, err = run(capsys, "library", "list")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "cannot be reached" in err and "s3cret" not in err
    assert "estimates work without the library" in err
