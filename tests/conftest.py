from __future__ import annotations

from pathlib import Path

import pytest

from estimator.examples import FOLDER as EXAMPLES_FOLDER


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES_FOLDER


@pytest.fixture
def write_scenario(tmp_path: Path):
    """Write scenario text to a file and return its path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return _write


@pytest.fixture(autouse=True)
def _library_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's scenario library: each one gets an empty data folder."""
    monkeypatch.setenv("CFU_ESTIMATOR_DATA_DIR", str(tmp_path / "cfu-data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
