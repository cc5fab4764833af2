"""Calibration settings: the optional `calibration:` section of a scenario file.

The model itself is part of the scenario contract (estimator.scenario.CalibrationSettings).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from estimator.scenario import DEFAULT_KEY_COUNT, CalibrationSettings

__all__ = ["DEFAULT_KEY_COUNT", "CalibrationSettings", "settings_from_scenario"]


def settings_from_scenario(scenario: Any, raw: dict[str, Any] | None = None) -> CalibrationSettings:
    """The scenario's `calibration:` settings: from the model's field once it exists, else from
    the raw scenario dict (the file as read), else the defaults."""
    value = getattr(scenario, "calibration", None)
    if value is None and raw is not None:
        value = raw.get("calibration")
    if value is None:
        return CalibrationSettings()
    if isinstance(value, CalibrationSettings):
        return value
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return CalibrationSettings.model_validate(value)
