"""Months ahead: CFU-minutes and cost per calendar month, and the honest monthly figure.

Statements are told apart first:

- one-off: a DDL statement or a `cfu_schedule` ends inside the horizon. It is billed once
  (its cost over the horizon) and never multiplied into a month.
- recurring: every other statement that runs. It keeps running, following its traffic cycle
  (estimator/cycles.py) and growth.

**Monthly** (`monthly_cost_usd`) is the recurring statements' cost over one whole cycle of
their traffic (a day, or a week when weekends differ), simulated apart with the real
autoscaler after one cycle of warm-up, scaled to a `month_hours` month at today's traffic (no
growth). It does not depend on the horizon: a one-hour horizon of a daily profile gives the
same monthly as a seven-day one (a caution says the horizon is shorter than the cycle).

**The projection** lists calendar months from a start month (1 to 36; minute 0 of the
profiles is 00:00 of the start month's first day, weekends are the calendar's). When the
cycle is a day or a week, each half month gets one representative cycle, placed in its
middle, simulated after a day of warm-up with that time's growth; each day takes the
simulated days of the same weekday before and after it, interpolated in time (the first and
last ones scaled by growth). Without growth one simulation serves every month. A longer
cycle falls back to simulating each whole month minute by minute. `simulate_span` is the
full minute-by-minute simulation the tests hold the projection against. Annual = the sum of
the first twelve months.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from estimator import billing, labels
from estimator.cycles import (
    MINUTES_PER_WEEK,
    RateCycle,
    common_cycle,
    describe_minutes,
    period_of,
    rate_cycle,
)
from estimator.errors import TrafficError
from estimator.projection_share import ProjectionShare, WindowRunner
from estimator.scenario import Scenario
from estimator.simulate import StatementPlan, simulate
from estimator.timeline import MINUTES_PER_HOUR
from estimator.traffic import MINUTES_PER_DAY, WEEKDAYS

RECURRING = "recurring"
ONE_OFF = "one-off"
NOT_RUN = "not run"

DEFAULT_MONTHS = 12
ANNUAL_MONTHS = 12
WARM_UP_DAYS = 1
"""Days simulated before a representative cycle (the autoscaler starts from scratch)."""
MAX_CYCLE_MINUTES = 35 * MINUTES_PER_DAY
"""A longer common cycle is not simulated apart: monthly comes from the horizon (cautioned)."""


@dataclass(frozen=True)
class ProjectedMonth:
    month: str  # "2027-01"
    hours: int  # real hours of the calendar month
    cfu_minutes: int  # recurring statements
    cost_usd: Decimal


@dataclass(frozen=True)
class Projection:
    """Recurring cost ahead. Arrays are indexed like the scenario's statements (one-off and
    statements that did not run hold zeros)."""

    start: str
    months: tuple[ProjectedMonth, ...]  # as many as asked
    by_statement: np.ndarray  # (statements, months) CFU-minutes
    annual_by_statement: np.ndarray  # (statements,) CFU-minutes of the first twelve months
    annual_cost_usd: Decimal
    recurrence: tuple[str, ...]  # RECURRING, ONE_OFF or NOT_RUN per statement
    cycle_minutes: int  # the common traffic cycle monthly is taken from
    cycle_cfu_minutes: np.ndarray  # (statements,) recurring CFU-minutes over one cycle
    month_hours: float
    method: str
    cautions: tuple[str, ...] = ()
    first_year: np.ndarray = field(default_factory=lambda: np.zeros(ANNUAL_MONTHS, np.int64))
    """(12,) recurring CFU-minutes of each of the first twelve months (shown or not)."""

    def monthly_cost(self, rate: billing.Rate, rows: Sequence[int] | None = None) -> Decimal:
        """Recurring cost of a `month_hours` month at today's traffic (of `rows`, or all)."""
        data = self.cycle_cfu_minutes if rows is None else self.cycle_cfu_minutes[list(rows)]
        return billing.monthly(rate.cost(int(data.sum())), self.cycle_minutes, self.month_hours)


def recurrence(plan: StatementPlan) -> str:
    """RECURRING, ONE_OFF (DDL or a finite cfu_schedule) or NOT_RUN (left out by an error)."""
    if not plan.runnable:
        return NOT_RUN
    if plan.schedule is not None or plan.is_ddl:
        return ONE_OFF
    return RECURRING


def parse_month(text: str) -> dt.date:
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def next_month(today: dt.date) -> dt.date:
    return dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)


def calendar_months(start: dt.date, count: int) -> list[tuple[str, int, int]]:
    """(label, first minute from the start, days) of `count` calendar months."""
    out = []
    offset = 0
    year, month = start.year, start.month
    for _ in range(count):
        first = dt.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        days = (dt.date(year, month, 1) - first).days
        out.append((first.strftime("%Y-%m"), offset, days))
        offset += days * MINUTES_PER_DAY
    return out


@dataclass(frozen=True)
class _Context:
    scenario: Scenario
    plans: tuple[StatementPlan, ...]
    pools: Mapping[str, int]
    sim_options: Mapping[str, Any]
    windows: WindowRunner


def _window(
    ctx: _Context,
    first_day: str | None,
    rows: Sequence[int],
    first: int,
    minutes: int,
    *,
    growth: bool,
) -> np.ndarray:
    """Simulate `rows` (recurring statements) over minutes first .. first + minutes - 1, all
    running from the window's first minute (their cycles with `first_day`); CFU-minutes per
    statement and hour (`minutes` is whole hours). A pool simulated alike before, by this or
    another projection of the estimate, is not simulated again (ProjectionShare)."""
    return ctx.windows.window(rows, first, minutes, first_day=first_day, growth=growth)


def project(
    scenario: Scenario,
    plans: Sequence[StatementPlan],
    *,
    pools: Mapping[str, int],
    sim_options: Mapping[str, Any],
    rate: billing.Rate,
    horizon_cfu_minutes: np.ndarray | Callable[[], np.ndarray],
    today: dt.date | None = None,
    share: ProjectionShare | None = None,
) -> Projection:
    """Monthly and the month-by-month projection of the recurring statements (see above).

    `horizon_cfu_minutes` (per statement, or a function that simulates them) is used only when
    the common cycle is longer than MAX_CYCLE_MINUTES (monthly then comes from the horizon,
    with a caution). `share`: the rate cycles and simulated windows of the other projections
    of the same estimate (estimator.projection_share); a fresh one when not given."""
    settings = scenario.projection
    months_asked = settings.months if settings else DEFAULT_MONTHS
    start_text = settings.start if settings and settings.start else None
    start = parse_month(start_text) if start_text else next_month(today or _utc_today())
    share = share or ProjectionShare(scenario)
    ctx = _Context(
        scenario, tuple(plans), pools, sim_options, share.runner(plans, pools, sim_options)
    )
    n = len(plans)
    kinds = tuple(recurrence(p) for p in plans)
    cautions: list[str] = []
    weekday = WEEKDAYS[start.weekday()]
    rec: list[int] = []
    own: dict[int, RateCycle] = {}
    cal: dict[int, RateCycle] = {}
    for i, kind in enumerate(kinds):
        if kind != RECURRING:
            continue
        try:
            own[i] = share.cycle(i)
            cal[i] = share.cycle(i, weekday)
        except TrafficError:  # the estimate already reports it; the statement sits out
            continue
        rec.append(i)
    cycle = common_cycle([own[i].period for i in rec])
    count = max(months_asked, ANNUAL_MONTHS)
    months = calendar_months(start, count)
    cycle_minutes = np.zeros(n, dtype=np.int64)
    by_statement = np.zeros((n, count), dtype=np.int64)
    method = "no recurring statements"
    if rec:
        cautions += _cycle_cautions(scenario, rec, own, cycle)
        if cycle <= MAX_CYCLE_MINUTES:
            lead = max(own[i].lead for i in rec)
            first = -(-lead // cycle) * cycle
            hourly = _window(ctx, None, rec, first, 2 * cycle, growth=False)
            cycle_minutes[rec] = hourly[:, cycle // MINUTES_PER_HOUR :].sum(axis=1)
        else:
            cycle = scenario.horizon_minutes
            horizon = (
                horizon_cfu_minutes() if callable(horizon_cfu_minutes) else horizon_cfu_minutes
            )
            cycle_minutes[rec] = horizon[rec]
            cautions.append(
                "The traffic's cycles share no span of 5 weeks or less: monthly is the "
                "horizon's cost scaled to a month."
            )
        if cycle <= MINUTES_PER_WEEK:
            method = f"one simulated cycle ({describe_minutes(cycle)}) per half month"
            by_statement[rec] = _representative(ctx, cal, weekday, rec, months, cycle)
        else:
            method = "every minute of every month"
            by_statement[rec] = _whole_months(ctx, cal, rec, months)
    items = []
    for k, (label, _, days) in enumerate(months[:months_asked]):
        minutes = int(by_statement[:, k].sum())
        items.append(ProjectedMonth(label, days * 24, minutes, rate.cost(minutes)))
    annual = by_statement[:, :ANNUAL_MONTHS].sum(axis=1)
    return Projection(
        start=start.strftime("%Y-%m"),
        months=tuple(items),
        by_statement=by_statement[:, :months_asked],
        annual_by_statement=annual,
        annual_cost_usd=rate.cost(int(annual.sum())),
        recurrence=kinds,
        cycle_minutes=cycle,
        cycle_cfu_minutes=cycle_minutes,
        month_hours=scenario.month_hours,
        method=method,
        cautions=tuple(cautions),
        first_year=by_statement[:, :ANNUAL_MONTHS].sum(axis=0),
    )


def simulated_minutes(scenario: Scenario) -> int:
    """About how many statement-minutes one projection of `scenario` simulates (the range
    projects twice more): monthly's two cycles, then one cycle and a day of warm-up per half
    month, or whole months when the cycle is longer than a week. For a work budget to weigh
    before running it; statements with a cfu_schedule are left out (one-off)."""
    periods = [period_of(scenario, st) for st in scenario.statements if not st.cfu_schedule]
    if not periods:
        return 0
    settings = scenario.projection
    count = max(settings.months if settings else DEFAULT_MONTHS, ANNUAL_MONTHS)
    cycle = common_cycle(periods)
    per_statement = 2 * cycle if cycle <= MAX_CYCLE_MINUTES else 0
    if cycle <= MINUTES_PER_WEEK:
        per_statement += count * SAMPLES_PER_MONTH * (cycle + WARM_UP_DAYS * MINUTES_PER_DAY)
    else:
        per_statement += count * (31 + WARM_UP_DAYS) * MINUTES_PER_DAY
    return len(periods) * per_statement


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _cycle_cautions(
    scenario: Scenario, rec: Sequence[int], own: Mapping[int, RateCycle], cycle: int
) -> list[str]:
    out = []
    horizon = scenario.horizon_minutes
    if horizon < cycle:
        out.append(
            f"The horizon ({describe_minutes(horizon)}) is shorter than the traffic's cycle "
            f"({describe_minutes(cycle)}): monthly and the projection come from a whole "
            f"{describe_minutes(cycle)} simulated apart, not from the horizon's fragment."
        )
    borrowed = [scenario.statements[i].name for i in rec if not own[i].own_cycle]
    if borrowed:
        names = ", ".join(borrowed[:5]) + (
            f" and {len(borrowed) - 5} more" if len(borrowed) > 5 else ""
        )
        out.append(
            f"The traffic of {names} (steps, series or one-off bursts) has no cycle of its own: "
            f"monthly and the projection repeat the horizon's {describe_minutes(horizon)}."
        )
    return out


def _growth_per_day(cycle: RateCycle) -> float:
    """Natural log of the growth factor per day."""
    return math.log1p(cycle.growth_pct_per_month / 100.0) / 30.0


SAMPLES_PER_MONTH = 2
"""Representative cycles simulated per calendar month (each in the middle of its half of the
month); days between two are interpolated. One a month was up to 2% off in a month where
the autoscaler's usage steps up under growth; two keep every month within 1%."""


def _sample_spans(months: Sequence[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """(first day, days) of each span of a month that gets a representative cycle."""
    out = []
    for _, offset, days in months:
        first = offset // MINUTES_PER_DAY
        cuts = [first + days * k // SAMPLES_PER_MONTH for k in range(SAMPLES_PER_MONTH + 1)]
        out += [(a, b - a) for a, b in itertools.pairwise(cuts)]
    return out


def _representative(
    ctx: _Context,
    cal: Mapping[int, RateCycle],
    weekday: str,
    rec: Sequence[int],
    months: Sequence[tuple[str, int, int]],
    cycle: int,
) -> np.ndarray:
    """(len(rec), months) CFU-minutes from representative cycles (see the module docstring).

    Each sample is one cycle of simulated days placed mid-span, after a day of warm-up. A day
    of the projection takes, for its weekday (its slot in the cycle), the value between the
    samples before and after it, interpolated in time; before the first and after the last
    sample, the nearest one scaled by the statement's growth.
    """
    days_c = cycle // MINUTES_PER_DAY
    rates_grow = any(cal[i].growth_pct_per_month for i in rec)
    starts = np.array([ctx.plans[i].start_minute for i in rec], dtype=np.int64)
    log_g = np.array([_growth_per_day(cal[i]) for i in rec], dtype=np.float64)
    total_days = (months[-1][1] // MINUTES_PER_DAY) + months[-1][2]
    samples: list[tuple[int, np.ndarray]] = []  # (first measured day, (rec, days_c) CFU-min)
    cache: dict[tuple[int, ...], np.ndarray] = {}
    for first_day, days in _sample_spans(months):
        end = (first_day + days) * MINUTES_PER_DAY
        active = [j for j, i in enumerate(rec) if ctx.plans[i].start_minute < end]
        if not active:
            continue
        day0 = first_day + (days - days_c) // 2
        warm_first = max(0, day0 - WARM_UP_DAYS) * MINUTES_PER_DAY
        key = tuple(active)
        leads_done = all(cal[rec[j]].lead <= warm_first for j in active)
        if rates_grow or not leads_done or key not in cache:
            measured = day0 * MINUTES_PER_DAY - warm_first
            hourly = _window(
                ctx, weekday, [rec[j] for j in active], warm_first, measured + cycle, growth=True
            )
            per_day = np.full((len(rec), days_c), np.nan)
            kept = hourly[:, measured // MINUTES_PER_HOUR :]
            per_day[active] = kept.reshape(len(active), days_c, -1).sum(axis=2)
            # by slot (calendar day modulo the cycle), not by measured order
            by_slot = np.roll(per_day, day0 % days_c, axis=1)
            cache[key] = by_slot
            samples.append((day0, by_slot))
        elif not samples or samples[-1][1] is not cache[key]:
            samples.append((day0, cache[key]))
    daily = _interpolate(samples, log_g, days_c, total_days)  # (rec, days)
    out = np.zeros((len(rec), len(months)), dtype=np.float64)
    for k, (_, offset, days) in enumerate(months):
        first = offset // MINUTES_PER_DAY
        minute = (np.arange(first, first + days) + 1) * MINUTES_PER_DAY  # each day's end
        share = np.clip((minute[None, :] - starts[:, None]) / MINUTES_PER_DAY, 0.0, 1.0)
        out[:, k] = (daily[:, first : first + days] * share).sum(axis=1)
    return np.rint(out).astype(np.int64)


def _interpolate(
    samples: Sequence[tuple[int, np.ndarray]], log_g: np.ndarray, days_c: int, total: int
) -> np.ndarray:
    """(statements, days) CFU-minutes per day from the samples (see _representative)."""
    n = log_g.shape[0]
    out = np.zeros((n, total), dtype=np.float64)
    if not samples:
        return out
    day = np.arange(total)
    for slot in range(days_c):
        at = day[day % days_c == slot]
        # the measured day of this slot in each sample, and its values
        when = np.array([d0 + (slot - d0) % days_c for d0, _ in samples], dtype=np.float64)
        vals = np.stack([v[:, slot] for _, v in samples], axis=1)  # (n, samples)
        vals = _fill_inactive(vals)
        for i in range(n):
            inside = np.interp(at, when, vals[i])
            before, after = at < when[0], at > when[-1]
            inside[before] = vals[i, 0] * np.exp(log_g[i] * (at[before] - when[0]))
            inside[after] = vals[i, -1] * np.exp(log_g[i] * (at[after] - when[-1]))
            out[i, at] = inside
    return out


def _fill_inactive(vals: np.ndarray) -> np.ndarray:
    """A statement not yet started in a sample takes its first active sample's value (its
    days before the start are weighted 0 anyway)."""
    out = vals.copy()
    for i in range(out.shape[0]):
        row = out[i]
        seen = ~np.isnan(row)
        if not seen.any():
            row[:] = 0.0
            continue
        first = int(np.argmax(seen))
        row[:first] = row[first]
        # gaps later on cannot happen (a started statement stays started): no further fill
    return out


def _whole_months(
    ctx: _Context,
    cal: Mapping[int, RateCycle],
    rec: Sequence[int],
    months: Sequence[tuple[str, int, int]],
) -> np.ndarray:
    """(len(rec), months) CFU-minutes, each month simulated minute by minute after a day of
    warm-up (statements start at their start_minute)."""
    out = np.zeros((len(rec), len(months)), dtype=np.int64)
    for k, (_, offset, days) in enumerate(months):
        end = offset + days * MINUTES_PER_DAY
        first = max(0, offset - MINUTES_PER_DAY)
        active = [j for j, i in enumerate(rec) if ctx.plans[i].start_minute < end]
        if not active:
            continue
        plans = []
        for j in active:
            plan = ctx.plans[rec[j]]
            plans.append(
                dataclasses.replace(
                    plan,
                    start_minute=max(0, plan.start_minute - first),
                    rates=cal[rec[j]].at(first, end - first),
                )
            )
        timeline = simulate(plans, end - first, pools=ctx.pools, **ctx.sim_options)
        hourly = timeline.hourly_cfu_minutes()
        out[active, k] = hourly[:, (offset - first) // MINUTES_PER_HOUR :].sum(axis=1)
    return out


def simulate_span(
    scenario: Scenario,
    plans: Sequence[StatementPlan],
    *,
    pools: Mapping[str, int],
    sim_options: Mapping[str, Any],
    start: str,
    months: int,
) -> np.ndarray:
    """The reference: every statement simulated minute by minute over the whole span of the
    calendar months, all at once. (statements, months) CFU-minutes; one-off statements run at
    their minutes, recurring ones follow their cycles and growth from minute 0."""
    first = parse_month(start)
    spans = calendar_months(first, months)
    total = spans[-1][1] + spans[-1][2] * MINUTES_PER_DAY
    weekday = WEEKDAYS[first.weekday()]
    full = []
    for plan, st in zip(plans, scenario.statements, strict=True):
        if recurrence(plan) == RECURRING:
            rates = rate_cycle(scenario, st, first_day=weekday).at(0, total)
            plan = dataclasses.replace(plan, rates=rates)
        full.append(plan)
    # CFU-minutes per hour, exact also when a long simulation keeps only hourly aggregates
    hourly = simulate(full, total, pools=pools, **sim_options).hourly_cfu_minutes()
    per_hour = MINUTES_PER_HOUR
    return np.stack(
        [
            hourly[:, o // per_hour : (o + d * MINUTES_PER_DAY) // per_hour].sum(axis=1)
            for _, o, d in spans
        ],
        axis=1,
    )


@dataclass(frozen=True)
class ProjectionRange:
    """Low and high of the projection. The projection is run again with every model
    parameter at its cheap end and at its expensive end (estimator.uncertainty), by the same
    method as the expected one; each figure's low and high are the least and the most of the
    three runs. Monthly's low and high come from the runs' whole cycles, like monthly; a
    month's from the runs' same month; annual's are the sums of the twelve months' lows and
    highs (so annual is the sum of the months for low, expected and high alike)."""

    cycle_cfu_minutes_low: int  # recurring statements over one cycle, all together
    cycle_cfu_minutes_high: int
    monthly_cost_usd_low: Decimal
    monthly_cost_usd_high: Decimal
    months_low: tuple[ProjectedMonth, ...]  # as many as the projection shows
    months_high: tuple[ProjectedMonth, ...]
    annual_cfu_minutes_low: int
    annual_cfu_minutes_high: int
    annual_cost_usd_low: Decimal
    annual_cost_usd_high: Decimal


def spread(
    expected: Projection, others: Sequence[Projection], rate: billing.Rate
) -> ProjectionRange:
    """The least and the most of `expected` and `others` (projections of the same scenario
    and months, with other records/s per CFU), figure by figure (see ProjectionRange)."""
    runs = [expected, *others]
    cycle = np.array([int(r.cycle_cfu_minutes.sum()) for r in runs], dtype=np.int64)
    shown = np.array([[m.cfu_minutes for m in r.months] for r in runs], dtype=np.int64)
    year = np.stack([r.first_year for r in runs]).astype(np.int64)

    def months(values: np.ndarray) -> tuple[ProjectedMonth, ...]:
        return tuple(
            ProjectedMonth(m.month, m.hours, int(v), rate.cost(int(v)))
            for m, v in zip(expected.months, values, strict=True)
        )

    def monthly(minutes: int) -> Decimal:
        return billing.monthly(rate.cost(minutes), expected.cycle_minutes, expected.month_hours)

    lo_year, hi_year = int(year.min(axis=0).sum()), int(year.max(axis=0).sum())
    return ProjectionRange(
        cycle_cfu_minutes_low=int(cycle.min()),
        cycle_cfu_minutes_high=int(cycle.max()),
        monthly_cost_usd_low=monthly(int(cycle.min())),
        monthly_cost_usd_high=monthly(int(cycle.max())),
        months_low=months(shown.min(axis=0)),
        months_high=months(shown.max(axis=0)),
        annual_cfu_minutes_low=lo_year,
        annual_cfu_minutes_high=hi_year,
        annual_cost_usd_low=rate.cost(lo_year),
        annual_cost_usd_high=rate.cost(hi_year),
    )


def figures(
    proj: Projection, rate: billing.Rate, horizon_cfu_minutes: np.ndarray
) -> labels.Figures:
    """What any group of statements costs: over the horizon, monthly, annual, one-off."""
    one_off = np.array([k == ONE_OFF for k in proj.recurrence], dtype=bool)

    def minutes(rows: Sequence[int]) -> int:
        return int(horizon_cfu_minutes[list(rows)].sum())

    def once(rows: Sequence[int]) -> Decimal:
        picked = [i for i in rows if one_off[i]]
        return rate.cost(int(horizon_cfu_minutes[picked].sum()))

    return labels.Figures(
        cfu_minutes=minutes,
        cost=lambda rows: rate.cost(minutes(rows)),
        monthly=lambda rows: proj.monthly_cost(rate, rows),
        annual=lambda rows: rate.cost(int(proj.annual_by_statement[list(rows)].sum())),
        one_off=once,
    )
