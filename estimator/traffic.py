"""Traffic profiles -> per-minute input rates (records/s), as numpy arrays over the horizon.

Pure functions. Minutes are minutes of the horizon (0 = its first minute); a month is 30 days.
Assumptions, stated once:
- daily: a cosine from the trough up to the peak at `peak_hour` and back; the trough is
  12 hours from the peak. Weekends (Saturday, Sunday) are multiplied by `weekend_factor`.
- steps and series hold each rate until the next point; the first point's rate also holds
  before it.
- growth compounds per 30-day month from minute 0 and applies to any shape.
- a statement reads nothing before its start_minute (its rate is 0 there).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from estimator.errors import TrafficError
from estimator.profiles import (
    AnyProfile,
    BurstsProfile,
    ConstantProfile,
    DailyProfile,
    SeriesProfile,
    StepsProfile,
    load_csv_series,
)
from estimator.scenario import Scenario, Statement

MINUTES_PER_DAY = 1440
MINUTES_PER_MONTH = 30 * MINUTES_PER_DAY
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def constant(rps: float, minutes: int) -> np.ndarray:
    return np.full(minutes, float(rps), dtype=np.float64)


def daily(
    trough_rps: float,
    peak_rps: float,
    peak_hour: float,
    minutes: int,
    *,
    weekend_factor: float = 1.0,
    first_day: str = "monday",
    first: int = 0,
) -> np.ndarray:
    """A daily cosine cycle between trough and peak, weekends scaled by weekend_factor.
    (`first`: the horizon minute of the first value, for a window of a long horizon.)"""
    t = np.arange(first, first + minutes, dtype=np.float64)
    hours = (t % MINUTES_PER_DAY) / 60.0
    wave = 0.5 * (1.0 + np.cos(2.0 * math.pi * (hours - peak_hour) / 24.0))
    rates = trough_rps + (peak_rps - trough_rps) * wave
    if weekend_factor != 1.0:
        day = (np.arange(first, first + minutes) // MINUTES_PER_DAY + WEEKDAYS.index(first_day)) % 7
        rates[day >= 5] *= weekend_factor
    return rates


def held(points: Sequence[tuple[int, float]], minutes: int, *, first: int = 0) -> np.ndarray:
    """Rates that hold from each (minute, rps) point to the next; sorted points assumed."""
    at = np.array([p[0] for p in points], dtype=np.int64)
    values = np.array([p[1] for p in points], dtype=np.float64)
    idx = np.searchsorted(at, np.arange(first, first + minutes), side="right") - 1
    return values[np.clip(idx, 0, len(values) - 1)]


def bursts(
    base_rps: float,
    multiplier: float,
    burst_minutes: int,
    minutes: int,
    *,
    every_minutes: int | None = None,
    first_minute: int = 0,
    at_minutes: Sequence[int] | None = None,
    first: int = 0,
) -> np.ndarray:
    """A base rate times `multiplier` during bursts (repeating, or at given minutes)."""
    rates = np.full(minutes, float(base_rps), dtype=np.float64)
    t = np.arange(first, first + minutes)
    if every_minutes:
        since = t - first_minute
        on = (since >= 0) & (since % every_minutes < burst_minutes)
        rates[on] *= multiplier
    for start in at_minutes or ():
        a, b = max(start, first), min(start + burst_minutes, first + minutes)
        if a < b:
            rates[a - first : b - first] = base_rps * multiplier
    return rates


def growth(pct_per_month: float, minutes: int, *, first: int = 0) -> np.ndarray:
    """Compound growth factor per minute: (1 + pct/100) ** (minute / 30 days)."""
    t = np.arange(first, first + minutes, dtype=np.float64)
    return np.power(1.0 + pct_per_month / 100.0, t / MINUTES_PER_MONTH)


def profile_rates(
    profile: AnyProfile,
    minutes: int,
    *,
    source_dir: Path | None = None,
    first: int = 0,
    horizon_minutes: int | None = None,
    points: Sequence[tuple[int, float]] | None = None,
) -> np.ndarray:
    """Per-minute input records/s of a profile over `minutes` minutes (from horizon minute
    `first`: a window of a long horizon; `points`: a series already read)."""
    horizon = horizon_minutes if horizon_minutes is not None else first + minutes
    if isinstance(profile, ConstantProfile):
        rates = constant(profile.rps, minutes)
    elif isinstance(profile, DailyProfile):
        rates = daily(
            profile.trough_rps,
            profile.peak_rps,
            profile.peak_hour,
            minutes,
            weekend_factor=profile.weekend_factor,
            first_day=profile.first_day,
            first=first,
        )
    elif isinstance(profile, StepsProfile):
        rates = held([(s.minute, s.rps) for s in profile.steps], minutes, first=first)
    elif isinstance(profile, BurstsProfile):
        rates = bursts(
            profile.base_rps,
            profile.multiplier,
            profile.minutes,
            minutes,
            every_minutes=profile.every_minutes,
            first_minute=profile.first_minute,
            at_minutes=profile.at_minutes,
            first=first,
        )
    elif isinstance(profile, SeriesProfile):
        if points is None:
            points = profile.series
        if points is None:
            points = load_csv_series(profile.csv or "", source_dir, horizon_minutes=horizon)
        rates = held(points, minutes, first=first)
    else:  # pragma: no cover - the scenario model admits no other shape
        raise TrafficError([f"unknown profile {profile!r}"])
    if profile.growth_pct_per_month:
        rates = rates * growth(profile.growth_pct_per_month, minutes, first=first)
    return rates


def statement_rates(scenario: Scenario, st: Statement) -> np.ndarray:
    """A statement's per-minute input records/s: its profile, else its constant rps, else 0;
    zero before its start_minute."""
    m = scenario.horizon_minutes
    profile = scenario.profile_of(st)
    if profile is not None:
        rates = profile_rates(profile, m, source_dir=scenario.source_dir)
    else:
        rates = constant(st.rps or 0.0, m)
    rates[: st.start_minute] = 0.0
    return rates


class _Windows:
    """Recently computed windows of profiles, shared by every statement that follows the same
    profile (a fleet of statements on one `weekday` profile computes each window once) and by
    the range's re-runs of the same horizon. Bounded in bytes; safe across threads."""

    MAX_BYTES = 64 * 1024 * 1024

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, int, int, int], np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, profile: AnyProfile, lo: int, hi: int, horizon: int) -> np.ndarray:
        """profile_rates(profile, hi - lo, first=lo, horizon_minutes=horizon), as a new array."""
        key = (profile.model_dump_json(), lo, hi, horizon)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit.copy()
        out = profile_rates(profile, hi - lo, first=lo, horizon_minutes=horizon)
        with self._lock:
            if key not in self._items and out.nbytes <= self.MAX_BYTES:
                self._items[key] = out.copy()
                self._bytes += out.nbytes
                while self._bytes > self.MAX_BYTES:
                    _, old = self._items.popitem(last=False)
                    self._bytes -= old.nbytes
        return out


_WINDOWS = _Windows()


def statement_rates_window(scenario: Scenario, st: Statement) -> Callable[[int, int], np.ndarray]:
    """`rates(lo, hi)`: the statement's records/s for minutes lo..hi-1, equal to
    statement_rates(...)[lo:hi], without ever holding the whole horizon (a CSV series is read
    once, here)."""
    m = scenario.horizon_minutes
    profile = scenario.profile_of(st)
    points: Sequence[tuple[int, float]] | None = None
    if isinstance(profile, SeriesProfile) and profile.series is None:
        points = load_csv_series(profile.csv or "", scenario.source_dir, horizon_minutes=m)

    def rates(lo: int, hi: int) -> np.ndarray:
        if profile is not None and points is None:
            out = _WINDOWS.get(profile, lo, hi, m)
        elif profile is not None:
            out = profile_rates(profile, hi - lo, first=lo, horizon_minutes=m, points=points)
        else:
            out = constant(st.rps or 0.0, hi - lo)
        if st.start_minute > lo:
            out[: st.start_minute - lo] = 0.0
        return out

    return rates
