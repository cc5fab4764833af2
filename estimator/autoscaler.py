"""Autoscaler presets: `autopilot`, `flink-operator` and `fixed`, each parameter with its unit,
bounds and source (data/autoscaler_presets.yaml), and a scenario's overrides applied.

This module only describes the policies; estimator/simulate.py runs them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

PRESETS_FILE: Traversable = files("estimator") / "data" / "autoscaler_presets.yaml"
DEFAULT_PRESET = "autopilot"


@dataclass(frozen=True)
class PresetParameter:
    key: str
    label: str
    unit: str
    minimum: float
    maximum: float
    value: float
    source: str
    overridden: bool = False


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    description: str
    parameters: tuple[PresetParameter, ...]

    def keys(self) -> list[str]:
        return [p.key for p in self.parameters]


@lru_cache(maxsize=2)
def load_presets(path: Traversable | Path = PRESETS_FILE) -> dict[str, Preset]:
    """Every preset by name, parameters in the data file's order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    defs = {d["key"]: d for d in data["parameters"]}
    presets: dict[str, Preset] = {}
    for name, body in data["presets"].items():
        params = tuple(
            PresetParameter(
                key=key,
                label=defs[key]["label"],
                unit=defs[key]["unit"],
                minimum=float(defs[key]["min"]),
                maximum=float(defs[key]["max"]),
                value=float(row["value"]),
                source=row["source"],
            )
            for key, row in body["values"].items()
        )
        presets[name] = Preset(name, body["label"], " ".join(body["description"].split()), params)
    return presets


def preset_names() -> list[str]:
    return list(load_presets())


def check_overrides(preset: str, overrides: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems with a preset name and parameter overrides, as (field, message) pairs."""
    presets = load_presets()
    if preset not in presets:
        return [("preset", f"must be one of {', '.join(presets)}, not {preset!r}")]
    rows = {p.key: p for p in presets[preset].parameters}
    problems: list[tuple[str, str]] = []
    for key, value in overrides.items():
        if key not in rows:
            problems.append(
                (
                    key,
                    f"is not a parameter of the {preset} preset; its parameters: {', '.join(rows)}",
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append((key, "must be a number"))
            continue
        row = rows[key]
        if not math.isfinite(value):
            problems.append((key, f"must be a finite number ({row.unit})"))
            continue
        if value < row.minimum:
            problems.append((key, f"must be at least {row.minimum:g} ({row.unit})"))
        elif value > row.maximum:
            problems.append((key, f"must be at most {row.maximum:g} ({row.unit})"))
    return problems


@dataclass(frozen=True)
class AutoscalerConfig:
    """A preset with the scenario's overrides applied."""

    preset: str
    label: str
    description: str
    parameters: tuple[PresetParameter, ...]

    def get(self, key: str, default: float) -> float:
        for p in self.parameters:
            if p.key == key:
                return p.value
        return default

    def describe(self) -> dict[str, Any]:
        """The JSON form: {"preset": name, "parameters": {key: value}}."""
        return {
            "preset": self.preset,
            "parameters": {p.key: _plain(p.value) for p in self.parameters},
        }


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def resolve(
    preset: str = DEFAULT_PRESET, overrides: Mapping[str, float] | None = None
) -> AutoscalerConfig:
    """The preset's parameters with overrides applied. Raises ValueError on a bad override."""
    overrides = dict(overrides or {})
    problems = check_overrides(preset, overrides)
    if problems:
        raise ValueError("; ".join(f"autoscaler.{k}: {m}" for k, m in problems))
    base = load_presets()[preset]
    params = tuple(
        PresetParameter(
            **{
                **p.__dict__,
                "value": float(overrides[p.key]),
                "overridden": True,
                "source": "scenario override",
            }
        )
        if p.key in overrides
        else p
        for p in base.parameters
    )
    return AutoscalerConfig(base.name, base.label, base.description, params)
