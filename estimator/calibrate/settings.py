"""Calibration settings: the optional `calibration:` section of a scenario file.

The model itself is part of the scenario contract (estimator.scenario.CalibrationSettings).
"""

from __future__ import annotations

from estimator.scenario import DEFAULT_KEY_COUNT, CalibrationSettings

__all__ = ["DEFAULT_KEY_COUNT", "CalibrationSettings"]
