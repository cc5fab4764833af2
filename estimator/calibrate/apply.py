"""Write measured costs into a scenario, as each statement's records/s per CFU override.

The scenario is edited as data (safe_load -> modify -> safe_dump): every other field is kept
as it was read; comments and the file's own layout are not (YAML's safe dumper has none).
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from estimator.calibrate.calibration import CalibrationResult
from estimator.calibrate.errors import CalibrationError
from estimator.errors import ScenarioError
from estimator.files import FileRefused, read_limited
from estimator.safe_yaml import load_yaml
from estimator.scenario import MAX_SCENARIO_BYTES

OVERRIDE = "records_per_cfu_second"
OVERRIDE_SOURCE = "records_per_cfu_second_source"


def apply_results(
    scenario_dict: dict[str, Any], results: Iterable[CalibrationResult]
) -> dict[str, Any]:
    """A copy of `scenario_dict` with each measured statement's override and its source.

    Statements that failed to run are left as they were.
    """
    data = copy.deepcopy(scenario_dict)
    statements = data.get("statements") or []
    by_name = {st.get("name"): st for st in statements if isinstance(st, dict)}
    for result in results:
        if not result.ok or result.measured_records_per_cfu_second is None:
            continue
        st = by_name.get(result.statement)
        if st is None:
            raise CalibrationError(f"the scenario has no statement named {result.statement!r}")
        st[OVERRIDE] = round(result.measured_records_per_cfu_second, 1)
        st[OVERRIDE_SOURCE] = result.source
    return data


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line text (SQL) as readable `|` blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def read_scenario_dict(path: str | Path) -> dict[str, Any]:
    """The scenario file as plain data (YAML or JSON, bounded safe loader, size-limited read:
    the same rules as `cfu-estimator estimate`)."""
    try:
        raw = read_limited(path, MAX_SCENARIO_BYTES, what=str(path))
        data = load_yaml(raw.decode("utf-8-sig"))
    except FileRefused as exc:
        raise CalibrationError(str(exc)) from None
    except UnicodeDecodeError:
        raise CalibrationError(f"{path}: is not UTF-8 text; save it as YAML or JSON") from None
    except ScenarioError as exc:
        raise CalibrationError("; ".join(exc.problems)) from None
    if not isinstance(data, dict):
        raise CalibrationError(f"{path}: is not a mapping of fields")
    return data


def write_scenario_dict(path: str | Path, data: dict[str, Any]) -> None:
    """Write `data` to `path` atomically (a temporary file in the same folder, then rename),
    as JSON for a .json file and YAML otherwise. A symlink is written through: the file it
    points to is replaced, the link stays."""
    target = Path(os.path.realpath(path))
    if target.suffix.lower() == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
