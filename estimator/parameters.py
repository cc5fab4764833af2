"""Model parameters: defaults with unit, source and range (data/model_parameters.yaml), overrides.

Each parameter has an expected `value` and a `low` and `high` (the spread of the measurements
or of the published figures it comes from; equal to `value` for facts and settings).
`Parameters.low()`, `.expected()` and `.high()` give the set of every parameter at that bound;
`Parameters.varied({key: value})` one set with chosen values (estimator.uncertainty combines
them into the estimate's range). A scenario override pins a parameter: its range collapses to
the value given.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

import yaml

PARAMETERS_FILE: Traversable = files("estimator") / "data" / "model_parameters.yaml"

Bound = Literal["low", "expected", "high"]


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    value: float
    unit: str
    source: str
    overridden: bool = False
    low: float | None = None  # None: no range (a fact or a setting): the value itself
    high: float | None = None
    range_source: str = ""

    @property
    def low_value(self) -> float:
        return self.value if self.low is None else self.low

    @property
    def high_value(self) -> float:
        return self.value if self.high is None else self.high

    @property
    def has_range(self) -> bool:
        return self.low_value != self.value or self.high_value != self.value

    def at(self, bound: Bound) -> float:
        if bound == "low":
            return self.low_value
        if bound == "high":
            return self.high_value
        return self.value


def _number(r: Mapping[str, object], key: str) -> float | None:
    value = r.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"model parameter {r.get('key')}: {key} must be a number")
    return float(value)


def _row(r: Mapping[str, object]) -> Parameter:
    value = _number(r, "value")
    if value is None:
        raise ValueError(f"model parameter {r.get('key')}: needs a value")
    low, high = _number(r, "low"), _number(r, "high")
    if (low is not None and low > value) or (high is not None and high < value):
        raise ValueError(f"model parameter {r['key']}: needs low <= value <= high")
    return Parameter(
        key=str(r["key"]),
        label=str(r["label"]),
        value=value,
        unit=str(r["unit"]),
        source=str(r["source"]),
        low=low,
        high=high,
        range_source=str(r.get("range_source") or ""),
    )


@lru_cache(maxsize=2)
def default_parameters(path: Traversable | Path = PARAMETERS_FILE) -> tuple[Parameter, ...]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(_row(r) for r in rows)


def known_keys() -> list[str]:
    return [p.key for p in default_parameters()]


class Parameters(Mapping[str, float]):
    """Parameter values by key (defaults with the scenario's overrides applied)."""

    def __init__(
        self,
        overrides: Mapping[str, float] | None = None,
        *,
        _rows: tuple[Parameter, ...] | None = None,
        _values: Mapping[str, float] | None = None,
    ) -> None:
        if _rows is None:
            overrides = dict(overrides or {})
            unknown = sorted(set(overrides) - set(known_keys()))
            if unknown:
                raise KeyError(", ".join(unknown))
            _rows = tuple(
                replace(
                    p,
                    value=float(overrides[p.key]),
                    overridden=True,
                    source="scenario override",
                    low=None,
                    high=None,
                    range_source="",
                )
                if p.key in overrides
                else p
                for p in default_parameters()
            )
        self.rows: tuple[Parameter, ...] = _rows
        self._values = dict(_values) if _values is not None else {p.key: p.value for p in _rows}

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def row(self, key: str) -> Parameter:
        return next(p for p in self.rows if p.key == key)

    def ranged(self) -> tuple[Parameter, ...]:
        """The parameters that have a range (low or high differs from the value)."""
        return tuple(p for p in self.rows if p.has_range)

    def varied(self, values: Mapping[str, float]) -> Parameters:
        """The same parameters with some values replaced (rows, sources and ranges kept)."""
        return Parameters(_rows=self.rows, _values={**self._values, **values})

    def at(self, bound: Bound) -> Parameters:
        """Every parameter at its low, expected or high value."""
        return Parameters(_rows=self.rows, _values={p.key: p.at(bound) for p in self.rows})

    def low(self) -> Parameters:
        return self.at("low")

    def expected(self) -> Parameters:
        return self.at("expected")

    def high(self) -> Parameters:
        return self.at("high")


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
