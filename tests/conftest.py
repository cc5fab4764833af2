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
