"""Hostile input at the library level: the app's loaders, share links, classify, calibrate."""

from __future__ import annotations

import base64
import json
import os
import zlib
from pathlib import Path

import pytest

from estimator.calibrate.apply import write_scenario_dict
from estimator.errors import MAX_LINE_CHARS, ScenarioError
from estimator.scenario import loads_scenario, parse_scenario
from estimator.sql import classify_script
from estimator.ui import share

ONE_CSV = {
    "name": "x",
    "horizon_minutes": 60,
    "statements": [
        {
            "name": "a",
            "sql": "INSERT INTO t SELECT * FROM s",
            "profile": {"shape": "series", "csv": "/etc/passwd"},
        }
    ],
}


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def test_an_uploaded_or_linked_scenario_cannot_name_a_file():
    # The app validates dicts (links, editors) and uploaded text without a folder.
    for load in (lambda: parse_scenario(ONE_CSV), lambda: loads_scenario(json.dumps(ONE_CSV))):
        with pytest.raises(ScenarioError) as err:
            load()
        assert err.value.problems[0].startswith("statements[0].profile.csv: ")
        assert "inline" in err.value.problems[0]


def test_a_relative_csv_is_not_read_from_the_server_working_directory(tmp_path, monkeypatch):
    (tmp_path / "here.csv").write_text("minute,rps\n0,5\n")
    monkeypatch.chdir(tmp_path)
    data = json.loads(json.dumps(ONE_CSV))
    data["statements"][0]["profile"]["csv"] = "here.csv"
    with pytest.raises(ScenarioError, match=r"statements\[0\]\.profile\.csv"):
        parse_scenario(data)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
        b'{"name": "x", "horizon_minutes": ' + b"9" * 4000 + b"}",
        b'{"name": ' + b"[" * 100 + b"]" * 100 + b"}",
    ],
    ids=["recursion", "4000-digit-int", "deep"],
)
def test_share_links_with_hostile_json_are_refused_in_one_short_line(raw):
    with pytest.raises(ScenarioError) as err:
        share.decode(_token(raw))
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith("(link): ")
    assert len(err.value.problems[0]) <= MAX_LINE_CHARS


def test_error_lines_are_bounded_whatever_the_input():
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"name": "x" * 10**6, "statements": [{"name": "\n" * 10**5 + "y"}] * 3})
    assert all(len(p) <= MAX_LINE_CHARS and "\n" not in p for p in err.value.problems)


def test_a_million_stray_semicolons_give_no_empty_statements():
    items = classify_script(";" * 1_000_000 + "SELECT 'x")
    assert len(items) == 1
    assert items[0].line == 1 and "unterminated" in (items[0].error or "")
    assert len(classify_script(";\n;  ;" * 1000 + "SELECT 1;;;")) == 1


def test_a_nul_spoils_only_its_own_statement():
    items = classify_script("SELECT 1;\nSELECT '\x00';\nSELECT 2;")
    assert [i.line for i in items] == [1, 2, 3]
    assert items[0].kind != "unknown" and items[2].kind != "unknown"
    assert items[1].kind == "unknown" and "binary" in (items[1].error or "")


def test_calibrate_apply_writes_through_a_symlink(tmp_path: Path):
    real = tmp_path / "real" / "scenario.yaml"
    real.parent.mkdir()
    real.write_text("name: old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_scenario_dict(link, {"name": "new"})
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "name: new\n"
    assert sorted(p.name for p in real.parent.iterdir()) == ["scenario.yaml"]  # no temp left
