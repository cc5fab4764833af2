"""What every reader produces: metric samples, and one line per problem it skipped.

A sample is one value of one known metric at one time, for a statement (and its pool) or for a
pool alone. Readers never stop at a bad point: they skip it, count it, and say so once.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from estimator.actuals.metrics import MetricSpec, known_names, unit_matches
from estimator.errors import EstimatorError
from estimator.scenario import MAX_SCENARIO_BYTES

MAX_ACTUALS_BYTES = MAX_SCENARIO_BYTES
"""Largest metrics file accepted: the same limit as a scenario file."""
MAX_SAMPLES = 2_000_000
"""Most samples kept from one file (far above a month of minutes for a few statements)."""
MAX_NAME_CHARS = 300
"""Longest statement or pool name kept (Confluent's own names are far shorter)."""


class ActualsError(EstimatorError):
    """The metrics file cannot be read at all (too big, not text, no known metric)."""


@dataclass(frozen=True)
class Sample:
    metric: MetricSpec
    time: float  # seconds since the epoch, UTC
    value: float
    statement: str | None = None
    pool: str | None = None
    table: str | None = None


@dataclass
class Readout:
    """Samples read from one file, the file's format, and what was skipped and why."""

    format: str
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _counts: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str, n: int = 1) -> None:
        """Count a skipped point under `reason` (reported once, with the count)."""
        self._counts[reason] += n

    def problem(self, line: str) -> None:
        if line not in self.problems:
            self.problems.append(line)

    def add(self, sample: Sample) -> bool:
        if len(self.samples) >= MAX_SAMPLES:
            self.skip(f"more than {MAX_SAMPLES:,} points: the rest of the file was not read")
            return False
        self.samples.append(sample)
        return True

    def finish(self) -> Readout:
        for reason, n in self._counts.items():
            self.problem(f"{reason} ({n:,} point{'s' if n != 1 else ''} skipped)")
        self._counts.clear()
        if not self.samples:
            raise ActualsError(
                "the file holds no point of a metric reconcile uses; expected some of "
                f"{known_names()}" + ("; " + "; ".join(self.problems[:5]) if self.problems else "")
            )
        return self

    def unknown_metric(self, name: str, n: int = 1) -> None:
        shown = name if len(name) <= 120 else name[:117] + "..."
        self.skip(f"unknown metric {shown!r}: not one of {known_names()}", n)

    def unit_mismatch(self, spec: MetricSpec, unit: str, n: int = 1) -> None:
        self.skip(
            f"{spec.name}: unit {unit!r} does not match {spec.unit!r}; convert it or drop the unit",
            n,
        )


def check_unit(readout: Readout, spec: MetricSpec, unit: str | None, n: int = 1) -> bool:
    """True when `unit` fits the metric; otherwise the points are counted as skipped."""
    if unit_matches(spec, unit):
        return True
    readout.unit_mismatch(spec, unit or "", n)
    return False


def clean_name(value: object) -> str | None:
    """A statement or pool name as text, or None when absent or unusable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or len(text) > MAX_NAME_CHARS:
        return None
    return text


def number(value: object) -> float | None:
    """A finite float, or None ("NaN", "", null, text, booleans)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except ValueError:
        return None
    return out if math.isfinite(out) else None


_EPOCH_MS = 1e11  # above this, a number is taken as milliseconds (year 5138 in seconds)


def parse_time(value: object) -> float | None:
    """Seconds since the epoch from ISO 8601 text (Z or an offset; no offset = UTC) or a number
    of seconds or milliseconds since the epoch. None when unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        t = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 64:
            return None
        num = number(text)
        if num is not None:
            t = num
        else:
            try:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                return None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return dt.timestamp()
    else:
        return None
    if not math.isfinite(t) or t < 0:
        return None
    return t / 1000.0 if t > _EPOCH_MS else t


def iso(t: float) -> str:
    """Seconds since the epoch as ISO 8601 UTC to the minute, e.g. 2026-11-30T10:00Z."""
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%MZ")
