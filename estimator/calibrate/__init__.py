"""Calibration on a real Apache Flink: measure what a statement costs per record.

- `available()`: the local engine is set up (`make flink`: .flink-venv + Java 17).
- `calibrate(scenario, statements=None, rows=..., backend=..., progress=callback)`: run
  statements on local Flink with generated data shaped like theirs -> [CalibrationResult].
- `apply_results(scenario_dict, results)`: the scenario data with measured overrides
  (`records_per_cfu_second` and `records_per_cfu_second_source`) written in.
- `CalibrationSettings`: the scenario's optional `calibration:` section.
"""

from __future__ import annotations

from estimator.calibrate.apply import apply_results, read_scenario_dict, write_scenario_dict
from estimator.calibrate.calibration import (
    BACKENDS,
    DEFAULT_ROWS,
    CalibrationResult,
    available,
    calibrate,
)
from estimator.calibrate.errors import CalibrationError, EngineMissing
from estimator.calibrate.settings import CalibrationSettings

__all__ = [
    "BACKENDS",
    "DEFAULT_ROWS",
    "CalibrationError",
    "CalibrationResult",
    "CalibrationSettings",
    "EngineMissing",
    "apply_results",
    "available",
    "calibrate",
    "read_scenario_dict",
    "write_scenario_dict",
]
