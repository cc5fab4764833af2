"""Model parameters: defaults with unit and source (data/model_parameters.yaml), overrides."""

from __future__ import annotations

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
