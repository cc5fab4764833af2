"""Model parameters: defaults with unit and source (data/model_parameters.yaml), overrides."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

PARAMETERS_FILE: Traversable = files("estimator") / "data" / "model_parameters.yaml"


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    value: float
    unit: str
    source: str
    overridden: bool = False


@lru_cache(maxsize=2)
def default_parameters(path: Traversable | Path = PARAMETERS_FILE) -> tuple[Parameter, ...]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Parameter(
            key=r["key"],
            label=r["label"],
            value=float(r["value"]),
            unit=r["unit"],
            source=r["source"],
        )
        for r in rows
    )


def known_keys() -> list[str]:
    return [p.key for p in default_parameters()]


class Parameters(Mapping[str, float]):
    """Parameter values by key (defaults with the scenario's overrides applied)."""

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(known_keys()))
        if unknown:
            raise KeyError(", ".join(unknown))
        self.rows: tuple[Parameter, ...] = tuple(
            replace(p, value=float(overrides[p.key]), overridden=True, source="scenario override")
            if p.key in overrides
            else p
            for p in default_parameters()
        )
        self._values = {p.key: p.value for p in self.rows}

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


RANGES_FILE = Path(__file__).resolve().parent / "data" / "parameter_ranges.yaml"


@dataclass(frozen=True)
class Range:
    minimum: float
    maximum: float
    whole: bool = False


@lru_cache(maxsize=2)
def _ranges(path: Path = RANGES_FILE) -> dict[str, Range]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        key: Range(float(r["min"]), float(r["max"]), bool(r.get("whole", False)))
        for key, r in rows.items()
    }


def parameter_range(key: str) -> Range:
    """The range an override of `key` must fall in (data/parameter_ranges.yaml)."""
    ranges = _ranges()
    if key in ranges:
        return ranges[key]
    for pattern, r in ranges.items():
        if pattern.endswith("*") and key.startswith(pattern[:-1]):
            return r
    return ranges["default"]


def unknown_keys_problem(overrides: Mapping[str, object]) -> str | None:
    """'unknown parameter(s) a, b; known: ...' when overrides name keys that do not exist."""
    known = known_keys()
    unknown = sorted(str(k)[:60] for k in overrides if k not in known)
    if not unknown:
        return None
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    return f"unknown parameter(s) {', '.join(unknown[:5])}{more}; known: {', '.join(known)}"


def check_overrides(overrides: Mapping[str, object]) -> list[tuple[str, str]]:
    """(key, problem) for each known key whose value is outside its range (unknown keys are
    unknown_keys_problem's); [] when all is well."""
    known = known_keys()
    problems: list[tuple[str, str]] = []
    units = {p.key: p.unit for p in default_parameters()}
    for key, value in overrides.items():
        if key not in known:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append((key, "must be a number"))
            continue
        r = parameter_range(key)
        unit = f" {units[key]}" if units.get(key) else ""
        if not math.isfinite(value):
            problems.append((key, "must be a finite number"))
        elif value < r.minimum or value > r.maximum:
            problems.append((key, f"must be between {r.minimum:g} and {r.maximum:g}{unit}"))
        elif r.whole and not float(value).is_integer():
            problems.append((key, f"must be a whole number{unit}"))
    return problems
