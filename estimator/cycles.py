"""Traffic cycles: how each statement's input rate repeats, and its rate at any minute ahead.

A projection months ahead needs a statement's rate at minutes far past the horizon without
building every minute in between. Each profile, without its growth, is "a lead, then a period
that repeats":

- constant (and a plain `rps`): period 1 minute.
- daily: one day; one week when `weekend_factor` is not 1 (weekdays differ from weekends).
- bursts with `every_minutes`: that period, after `first_minute` (the lead).
- steps, series and one-off bursts (`at_minutes`) have no cycle of their own: the horizon they
  describe is taken as their cycle and repeats (a caution says so).

Growth (`growth_pct_per_month`, compound per 30-day month from minute 0) is applied on top, at
the real minute. Minute 0 is the start of whatever is being projected; `first_day` can be set
to the calendar's weekday there, so weekends fall on the calendar's Saturdays and Sundays.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from estimator.profiles import (
    AnyProfile,
    BurstsProfile,
    ConstantProfile,
    DailyProfile,
    SeriesProfile,
    StepsProfile,
)
from estimator.scenario import Scenario, Statement
from estimator.traffic import MINUTES_PER_DAY, MINUTES_PER_MONTH, constant, profile_rates

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


@dataclass(frozen=True)
class RateCycle:
    """A statement's input rate without growth: `base` covers the lead and one period; every
    later minute repeats the period. `growth` is the compound monthly growth in percent."""

    base: np.ndarray  # records/s, lead + period minutes
    lead: int
    period: int
    growth_pct_per_month: float = 0.0
    own_cycle: bool = True  # False: the horizon stands in for a cycle the profile lacks

    def at(self, first: int, minutes: int, *, growth: bool = True) -> np.ndarray:
        """Records/s at minutes first .. first + minutes - 1."""
        end = self.lead + self.period
        head = self.base[first:end] if first < end else self.base[:0]  # the lead, then cycle 1
        later = max(first, end)  # the first minute that repeats the period
        offset = (later - self.lead) % self.period
        cycle = self.base[self.lead : end]
        count = max(0, first + minutes - later)
        repeats = np.tile(cycle, -(-(offset + count) // self.period))[offset : offset + count]
        rates = np.concatenate([head[:minutes], repeats])
        if growth and self.growth_pct_per_month:
            # (1 + g) ** (t / month) = (1 + g) ** (first / month) x (1 + g) ** (k / month)
            rates = rates * (
                growth_factor(self.growth_pct_per_month, float(first))
                * _growth_ramp(self.growth_pct_per_month, minutes)
            )
        return rates


@functools.lru_cache(maxsize=64)
def _growth_ramp(pct_per_month: float, minutes: int) -> np.ndarray:
    """growth_factor over minutes 0 .. minutes - 1 (read-only: shared by every caller)."""
    ramp = growth_factor(pct_per_month, np.arange(minutes, dtype=np.float64))
    ramp.setflags(write=False)
    return ramp


def growth_factor(pct_per_month: float, minutes: np.ndarray | float) -> np.ndarray:
    """(1 + pct/100) ** (minute / 30 days), as estimator.traffic.growth has it (computed as
    exp(minute x ln(1 + pct/100) / 30 days): the same to rounding, several times faster)."""
    t = np.asarray(minutes, dtype=np.float64)
    return np.exp(t * (math.log1p(pct_per_month / 100.0) / MINUTES_PER_MONTH))


def _period(profile: AnyProfile | None, horizon: int) -> tuple[int, int, bool]:
    """(lead, period, own cycle) of a profile; see the module docstring."""
    if profile is None or isinstance(profile, ConstantProfile):
        return 0, 1, True
    if isinstance(profile, DailyProfile):
        week = profile.weekend_factor != 1.0
        return 0, MINUTES_PER_WEEK if week else MINUTES_PER_DAY, True
    if isinstance(profile, BurstsProfile) and profile.every_minutes:
        return profile.first_minute, profile.every_minutes, True
    if isinstance(profile, BurstsProfile | StepsProfile | SeriesProfile):
        return 0, horizon, False
    raise ValueError(f"unknown profile {profile!r}")  # pragma: no cover


def period_of(scenario: Scenario, st: Statement) -> int:
    """Minutes after which the statement's traffic repeats, past its lead (see above)."""
    return _period(scenario.profile_of(st), scenario.horizon_minutes)[1]


def rate_cycle(scenario: Scenario, st: Statement, *, first_day: str | None = None) -> RateCycle:
    """The statement's RateCycle. `first_day` sets a daily profile's weekday of minute 0.

    Raises estimator.traffic.TrafficError as statement_rates does (an unreadable series)."""
    profile = scenario.profile_of(st)
    lead, period, own = _period(profile, scenario.horizon_minutes)
    if profile is None:
        return RateCycle(constant(st.rps or 0.0, 1), 0, 1)
    flat = profile.model_copy(update={"growth_pct_per_month": 0})
    if first_day is not None and isinstance(flat, DailyProfile):
        flat = flat.model_copy(update={"first_day": first_day})
    base = profile_rates(flat, lead + period, source_dir=scenario.source_dir)
    return RateCycle(base, lead, period, float(profile.growth_pct_per_month), own)


def common_cycle(periods: list[int]) -> int:
    """The shortest span, a whole number of days, that every period divides."""
    cycle = MINUTES_PER_DAY
    for p in periods:
        cycle = math.lcm(cycle, int(p))
    return cycle


def describe_minutes(minutes: int) -> str:
    """'1 hour', '1 day', '1 week', '3.5 days': a span for a sentence."""
    if minutes == MINUTES_PER_WEEK:
        return "1 week"
    if minutes % MINUTES_PER_DAY == 0:
        days = minutes // MINUTES_PER_DAY
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes >= MINUTES_PER_DAY:
        return f"{minutes / MINUTES_PER_DAY:.1f} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
