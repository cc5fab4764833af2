"""`cfu-estimator estimate SCENARIO --xlsx OUT.xlsx --csv DIR`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from export_support import named_cell
from openpyxl import load_workbook

from estimator.cli import main
from estimator.examples import FOLDER as EXAMPLES


def test_estimate_writes_xlsx_and_csv_alongside_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    xlsx = tmp_path / "est.xlsx"
    folder = tmp_path / "csv"
    scenario = str(EXAMPLES / "confluent_five_statements.yaml")
    code = main(
        ["estimate", scenario, "--format", "json", "--xlsx", str(xlsx), "--csv", str(folder)],
        out=out,
    )
    assert code == 0
    assert json.loads(out.getvalue())["totals"]["cfu_minutes"] == 309  # stdout unchanged
    wb = load_workbook(xlsx)
    assert named_cell(wb, "TotalCost").value == "=TotalCFUMinutes/60*Price*(1-Discount)"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            "assumptions.csv",
            "by_label.csv",
            "estimate.json",
            "hourly.csv",
            "per_minute.csv",
            "pools.csv",
            "projection.csv",
            "statements.csv",
        ]
    )
    err = capsys.readouterr().err
    assert f"wrote {xlsx}" in err and "per_minute.csv" in err


def test_unwritable_xlsx_path_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(EXAMPLES / "confluent_five_statements.yaml")
    target = tmp_path / "missing" / "est.xlsx"
    assert main(["estimate", scenario, "--xlsx", str(target)], out=io.StringIO()) == 2
    assert capsys.readouterr().err.startswith("error:")
    assert not target.parent.exists()


def test_help_documents_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["estimate", "--help"])
    text = capsys.readouterr().out
    assert "--xlsx OUT.xlsx" in text and "--csv DIR" in text
