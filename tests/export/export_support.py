"""Helpers of the export tests: a scenario with hostile names, LibreOffice, look-ups."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl.workbook.workbook import Workbook

from estimator.examples import FOLDER as EXAMPLES
from estimator.scenario import Scenario

HOSTILE = (
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\tx",
    "\rx",
)
HOSTILE_POOLS = ("=cmd|' /C calc'!A0", "@pool")
HOSTILE_SCENARIO_NAME = '=HYPERLINK("http://evil.example","click me")'
HOSTILE_SQL = "-- reads orders\nINSERT INTO archive SELECT * FROM orders"


def hostile_scenario() -> Scenario:
    """The retail example with hostile names, an overridden price and a discount."""
    data = yaml.safe_load((EXAMPLES / "retail_orders.yaml").read_text(encoding="utf-8"))
    data["name"] = HOSTILE_SCENARIO_NAME
    data["pricing"] = {
        "cloud": "aws",
        "region": "+region",
        "usd_per_cfu_hour": 0.2137,
        "discount_pct": 12.5,
    }
    data["month_hours"] = 730.5
    old_pools = [p["name"] for p in data["pools"]]
    for pool, name in zip(data["pools"], HOSTILE_POOLS, strict=True):
        pool["name"] = name
    for i, st in enumerate(data["statements"]):
        st["name"] = HOSTILE[i]
        st["pool"] = HOSTILE_POOLS[old_pools.index(st["pool"])]
    data["statements"].append(
        {
            "name": HOSTILE[len(data["statements"])],
            "pool": HOSTILE_POOLS[0],
            "sql": HOSTILE_SQL,
            "start_minute": 7,
            "cfu_schedule": [{"minutes": 50, "cfu": 2}, {"minutes": 73, "cfu": 5}],
        }
    )
    return Scenario.model_validate(data)


def named_cell(wb: Workbook, name: str) -> Any:
    """The cell a workbook-level defined name points to."""
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(files: Sequence[Path], outdir: Path, profile_root: Path) -> list[Path]:
    """Have LibreOffice open, recalculate and save each workbook as xlsx in one run.

    A fresh user profile per call keeps parallel runs apart. Returns the converted files.
    """
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed; `make test` installs it")
    profile = profile_root / f"lo-profile-{uuid.uuid4().hex}"
    cmd = [
        exe,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"soffice failed: {done.stdout}\n{done.stderr}"
    assert "Error" not in done.stdout + done.stderr, done.stdout + done.stderr
    out = [outdir / f.name for f in files]
    missing = [p for p in out if not p.is_file()]
    assert not missing, f"soffice wrote no {missing}: {done.stdout}\n{done.stderr}"
    return out
