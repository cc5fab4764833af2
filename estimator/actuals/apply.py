"""Write observed rates into a scenario file: each statement's `records_per_cfu_second` and
`records_per_cfu_second_source`, atomically, through calibrate's writer (estimator/calibrate/
apply.py: temporary file and rename, a symlink followed to its file)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from estimator.calibrate.apply import (
    OVERRIDE,
    OVERRIDE_SOURCE,
    read_scenario_dict,
    write_scenario_dict,
)
from estimator.scenario import parse_scenario


def with_rates(data: Mapping[str, Any], rates: Mapping[str, tuple[float, str]]) -> dict[str, Any]:
    """A copy of scenario data with `rates` (statement -> (records/s per CFU, source)) set."""
    out = copy.deepcopy(dict(data))
    for st in out.get("statements") or []:
        if isinstance(st, dict) and st.get("name") in rates:
            st[OVERRIDE], st[OVERRIDE_SOURCE] = rates[st["name"]]
    return out


def apply_rates(path: str | Path, rates: Mapping[str, tuple[float, str]]) -> list[str]:
    """Write the rates into the scenario file; the names of the statements written."""
    raw = read_scenario_dict(path)
    updated = with_rates(raw, rates)
    parse_scenario(updated)  # never write a file the estimator would then refuse
    write_scenario_dict(path, updated)
    present = {st.get("name") for st in raw.get("statements") or [] if isinstance(st, dict)}
    return [name for name in rates if name in present]
