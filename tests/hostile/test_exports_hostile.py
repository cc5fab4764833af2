"""Exports under hostile conditions: names that try to be formulas, a folder written whole or
not at all, Ctrl-C, per-minute detail capped with a pointer to the CSV export."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator import report
from estimator.cli import main
from estimator.errors import ScenarioError
from estimator.estimate import estimate
from estimator.export import tables
from estimator.export.safe import FORMULA_TRIGGERS
from estimator.scenario import loads_scenario

SCENARIO = """
name: hostile names
horizon_minutes: 120
statements:
  - {name: "\\0=HYPERLINK(\\"http://x\\")", sql: "INSERT INTO t SELECT * FROM s", rps: 500}
  - {name: " @SUM(A1)", sql: "INSERT INTO u SELECT * FROM s", rps: 800}
"""


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_every_export_neutralises_names_in_one_place(tmp_path: Path):
    est = estimate(loads_scenario(SCENARIO))
    texts = [report.to_csv(est)]
    folder = tmp_path / "out"
    from estimator.export.csv_export import write_csv_dir

    for p in write_csv_dir(est, folder):
        if p.suffix == ".csv":
            texts.append(p.read_text(encoding="utf-8"))
    for text in texts:
        for cell in _cells(text):
            assert not cell.lstrip("'").startswith("\x00")
            assert not cell.startswith(FORMULA_TRIGGERS) or _is_number(cell), cell
    per_minute = (folder / "per_minute.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in per_minute and "'@SUM(A1)" in per_minute


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_no_statement_name_becomes_a_formula(name):
    try:
        scenario = loads_scenario(_yaml_one(name))
    except ScenarioError:
        return  # a name the scenario refuses (too long, not text) never reaches an export
    est = estimate(scenario)
    for row in tables.statement_rows(est):
        for cell in row:
            if isinstance(cell, str):
                assert not cell.startswith(FORMULA_TRIGGERS), cell
    for frame in tables.per_minute_frames(tables.timeline_pieces(est)):
        assert not str(frame["statement"].iloc[0]).startswith(FORMULA_TRIGGERS)


def _yaml_one(name: str) -> str:
    import json

    return json.dumps(
        {
            "name": "n",
            "horizon_minutes": 5,
            "statements": [{"name": name, "rps": 5, "sql": "INSERT INTO t SELECT * FROM s"}],
        }
    )


def test_csv_folder_is_replaced_whole_and_failures_leave_the_old_one(tmp_path, monkeypatch):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out"
    assert main(["estimate", str(scenario), "--csv", str(out), "-o", str(tmp_path / "t")]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "stale.csv").write_text("old run\n")

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("estimator.export.csv_export._write_all", broken)
    assert main(["estimate", str(scenario), "--csv", str(out)]) == 130
    assert {p.name for p in out.iterdir()} == {*before, "stale.csv"}  # untouched
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    monkeypatch.undo()
    assert main(["estimate", str(scenario), "--csv", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == set(before)  # the stale file went with the old


def test_ctrl_c_exits_130_with_one_line_and_no_file(tmp_path, monkeypatch, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sys.modules["estimator.estimate"], "simulate", interrupted)
    out = tmp_path / "report.json"
    assert main(["estimate", str(scenario), "--format", "json", "-o", str(out)]) == 130
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "interrupted" in err
    assert list(tmp_path.iterdir()) == [scenario]


def test_per_minute_json_is_capped_and_names_the_csv_export(monkeypatch):
    est = estimate(loads_scenario(SCENARIO))
    monkeypatch.setattr(tables, "PER_MINUTE_JSON_ROWS", 50)
    data = report.to_dict(est, per_minute=True)
    assert len(data["per_minute"]) == 50
    assert "--csv DIR" in data["per_minute_note"] and "240" in data["per_minute_note"]
    monkeypatch.undo()
    data = report.to_dict(est, per_minute=True)
    assert len(data["per_minute"]) == 240 and "per_minute_note" not in data


def test_the_app_cache_is_bounded_in_bytes_and_per_session():
    from estimator.ui.estimate_cache import EstimateCache, estimate_bytes

    est = estimate(loads_scenario(SCENARIO))
    size = estimate_bytes(est)
    cache = EstimateCache(max_bytes=size * 5, max_entries=100, per_session=2)
    builds = []

    def build():
        builds.append(1)
        return est

    for i in range(3):
        cache.get(f"a{i}", "A", build)
    assert len(cache) == 2  # session A keeps its last two
    for i in range(10):
        cache.get(f"b{i}", "B", build)
    assert cache.bytes <= size * 5
    cache.get("b9", "B", build)
    assert len(builds) == 13  # b9 was a hit


def test_terminal_table_carries_no_control_characters():
    text = SCENARIO.replace('" @SUM(A1)"', '"\\e[2J\\e[31mred\\rfake"')
    out = report.render_table(estimate(loads_scenario(text)))
    assert "\x1b" not in out and "\r" not in out and "\x00" not in out
    # The names are the export tables' (leading junk dropped, formulas quoted) ...
    assert "'=HYPERLINK" in out
    # ... and a control character inside a name is shown, not obeyed.
    assert "[2J\ufffd[31mred\ufffdfake" in out


def test_workbook_and_csv_show_the_same_statement_values(tmp_path: Path):
    from openpyxl import load_workbook

    from estimator.export.xlsx import write_workbook

    est = estimate(loads_scenario(SCENARIO))
    path = tmp_path / "est.xlsx"
    write_workbook(est, path)
    ws = load_workbook(path)["Statements"]
    header = [c.value for c in ws[1]]
    sheet = [dict(zip(header, [c.value for c in row], strict=True)) for row in ws.iter_rows(2)]
    rows = list(csv.DictReader(io.StringIO(report.to_csv(est))))
    assert len(sheet) == len(rows) == 2
    for cells, row in zip(sheet, rows, strict=True):
        # The workbook keeps the name as typed (a quote-prefixed string cell); the CSV
        # quotes it: the same text once the CSV's neutralisation is undone.
        assert str(cells["Statement"]).lstrip("\x00 ") == row["name"].removeprefix("'")
        assert cells["Pool"] == row["pool"] and cells["Kind"] == row["kind"]
        assert cells["Peak CFUs"] == int(row["peak_cfu"])
        assert cells["Max lag (s)"] == float(row["max_lag_seconds"])
        assert cells["Pending minutes"] == int(row["pending_minutes"])
