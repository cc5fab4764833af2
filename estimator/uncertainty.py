"""The estimate's range: low / expected / high CFU-minutes and cost, and what drives the range.

Every throughput parameter has a low and a high value (estimator.parameters). For each one,
the records/s per CFU of every statement is computed at its low and at its high end (cheap:
estimator.demand); the end that gives more records/s is the parameter's "cheap" end. Then:

- the low-cost run simulates every statement with every parameter at its cheap end, the
  high-cost run with every parameter at its expensive end (a measured records/s per CFU moves
  only by `measured_rate_factor`, so a measurement narrows its statement's range);
- per statement, pool and in total, low and high are the least and the most of the expected,
  low-cost and high-cost runs (so low <= expected <= high even where the autoscaler or a pool
  cap is not monotone);
- monthly, the projected months and annual: the projection (estimator.projection) of the
  low-cost and the high-cost plans, by the same method as the expected one; the least and the
  most of the three runs per figure, annual the sum of the twelve months' lows and highs;
- range drivers: one parameter at a time at each end, the others expected, simulated; the
  few with the widest swing in total cost. Only the parameters that move the CFU demand most
  (records/s weighted by each statement's mean input) are simulated, so the work is bounded.

Monthly, months and annual come with the estimate. The horizon's low / high (two more
simulations of the horizon) and the drivers (two per candidate) are worked out when first asked
for (`EstimateRange.horizon`, `.drivers`), once: the app's headline and what-ifs read only the
monthly range, and the app finds the drivers only when its user opens them; the JSON, the
terminal table and the files always read everything.

The caller gives a `run(plans)` that simulates plans and returns per-statement CFU-minutes
and per-pool per-minute CFUs, and a `project(plans)` that projects them: this module does not
know how the simulation or the projection is done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, cast

import numpy as np

from estimator import billing
from estimator.demand import throughput
from estimator.parameters import Parameter, Parameters
from estimator.projection import Projection, ProjectionRange, spread
from estimator.scenario import Statement
from estimator.simulate import StatementPlan
from estimator.sql import Classification

MAX_DRIVERS = 5
SIMULATED_CANDIDATES = 6
"""Parameters simulated one at a time for the drivers list (ranked by their demand swing)."""

Run = Callable[[list[StatementPlan]], tuple[np.ndarray, np.ndarray]]
"""plans -> (per-statement CFU-minutes, per-pool per-minute CFUs: pools x minutes)."""
Project = Callable[[list[StatementPlan], Callable[[], np.ndarray]], Projection]
"""(plans, a function giving their per-statement CFU-minutes over the horizon, called only if
the projection needs them) -> their projection months ahead (estimator.projection.project)."""


@dataclass(frozen=True)
class StatementRange:
    records_per_cfu_second_low: float
    records_per_cfu_second_high: float
    cfu_minutes_low: int
    cfu_minutes_high: int
    cost_usd_low: Decimal
    cost_usd_high: Decimal


@dataclass(frozen=True)
class PoolRange:
    name: str
    cfu_minutes_low: int
    cfu_minutes_high: int
    cost_usd_low: Decimal
    cost_usd_high: Decimal


@dataclass(frozen=True)
class TotalsRange:
    cfu_minutes_low: int
    cfu_minutes_high: int
    cost_usd_low: Decimal
    cost_usd_high: Decimal
    monthly_cost_usd_low: Decimal
    monthly_cost_usd_high: Decimal
    annual_cost_usd_low: Decimal
    annual_cost_usd_high: Decimal


@dataclass(frozen=True)
class RangeDriver:
    """One assumption's swing: total cost with it at its cheap and at its expensive end."""

    key: str
    label: str
    cost_usd_low: Decimal
    cost_usd_high: Decimal
    value_low_cost: float  # the parameter's value in the low-cost run
    value_high_cost: float


@dataclass(frozen=True)
class HorizonRange:
    """The range over the horizon: from simulating the low-cost and the high-cost plans."""

    statements: tuple[StatementRange, ...]
    pools: tuple[PoolRange, ...]
    totals: TotalsRange
    cfu_low: np.ndarray  # per-pool per-minute CFUs (pools x minutes) of the low-cost run
    cfu_high: np.ndarray  # the same in the high-cost run


@dataclass(frozen=True)
class EstimateRange:
    """Low / high of every figure. Monthly, the projected months and annual (`projection`)
    come with the estimate; the horizon's figures (two more simulations of the horizon) and
    the drivers (two per candidate) are worked out when first asked for, once, and kept:
    a headline or a what-if that reads only the monthly range never pays for them."""

    projection: ProjectionRange  # monthly, the projected months and annual: low / high
    find_horizon: Callable[[], HorizonRange] = field(repr=False, compare=False)
    find_drivers: Callable[[], tuple[RangeDriver, ...]] = field(repr=False, compare=False)
    _known: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _locks: dict[str, threading.Lock] = field(
        default_factory=lambda: {part: threading.Lock() for part in ("horizon", "drivers")},
        init=False,
        repr=False,
        compare=False,
    )

    def _once(self, name: str, work: Callable[[], Any]) -> Any:
        """work() the first time `name` is read, from any number of threads at once; one lock
        per part, so reading the horizon never waits while another session finds the drivers."""
        if name in self._known:
            return self._known[name]
        with self._locks[name]:
            if name not in self._known:
                self._known[name] = work()
            return self._known[name]

    @property
    def horizon(self) -> HorizonRange:
        return cast(HorizonRange, self._once("horizon", self.find_horizon))

    @property
    def statements(self) -> tuple[StatementRange, ...]:
        return self.horizon.statements

    @property
    def pools(self) -> tuple[PoolRange, ...]:
        return self.horizon.pools

    @property
    def totals(self) -> TotalsRange:
        return self.horizon.totals

    @property
    def cfu_low(self) -> np.ndarray:
        return self.horizon.cfu_low

    @property
    def cfu_high(self) -> np.ndarray:
        return self.horizon.cfu_high

    @property
    def drivers(self) -> tuple[RangeDriver, ...]:
        """The few assumptions whose range moves the cost most."""
        return cast(tuple[RangeDriver, ...], self._once("drivers", self.find_drivers))

    @property
    def drivers_found(self) -> bool:
        """Whether `drivers` is known already (asking it costs nothing more)."""
        return "drivers" in self._known

    @property
    def horizon_found(self) -> bool:
        """Whether the horizon's low / high are known already."""
        return "horizon" in self._known


def statement_rates(
    statements: Sequence[Statement],
    classes: Sequence[Classification],
    plans: Sequence[StatementPlan],
    params: Mapping[str, float],
) -> np.ndarray:
    """Records/s per CFU of each statement under `params` (a measured rate times
    measured_rate_factor; a schedule, DDL or a statement that does not run keeps its plan's)."""
    out = np.empty(len(plans))
    seen: dict[tuple[int, int, int | None, int], float] = {}  # a fleet repeats its statements
    for i, (st, c, plan) in enumerate(zip(statements, classes, plans, strict=True)):
        if plan.schedule is not None or plan.is_ddl or not plan.runnable:
            out[i] = plan.records_per_cfu_second
        elif st.records_per_cfu_second is not None:
            out[i] = float(st.records_per_cfu_second) * params["measured_rate_factor"]
        else:
            key = (id(c), st.message_bytes, st.key_count, st.udf_count)
            if key not in seen:
                seen[key] = throughput(
                    c,
                    params,
                    message_bytes=st.message_bytes,
                    key_count=st.key_count,
                    udf_count=st.udf_count,
                ).records_per_cfu_second
            out[i] = seen[key]
    return out


def _mean_rps(plan: StatementPlan) -> float:
    if plan.schedule is not None or plan.is_ddl or not plan.runnable:
        return 0.0
    if plan.rates is not None and len(plan.rates):
        return float(np.mean(plan.rates))
    return float(plan.rps)


def _demand(rates: np.ndarray, weights: np.ndarray) -> float:
    """CFUs the statements' mean inputs need at these rates (the proxy that ranks drivers)."""
    return float(np.sum(weights / np.maximum(rates, 1e-9)))


@dataclass(frozen=True)
class _Swing:
    param: Parameter
    cheap: float  # the value that gives more records/s
    dear: float
    demand_swing: float


def _swings(
    params: Parameters, rates_at: Callable[[Parameters], np.ndarray], weights: np.ndarray
) -> list[_Swing]:
    expected = rates_at(params)
    out = []
    for p in params.ranged():
        at_low = rates_at(params.varied({p.key: p.low_value}))
        at_high = rates_at(params.varied({p.key: p.high_value}))
        if np.array_equal(at_low, expected) and np.array_equal(at_high, expected):
            continue  # moves no statement of this scenario
        d_low, d_high = _demand(at_low, weights), _demand(at_high, weights)
        if d_low <= d_high:
            out.append(_Swing(p, p.low_value, p.high_value, d_high - d_low))
        else:
            out.append(_Swing(p, p.high_value, p.low_value, d_low - d_high))
    out.sort(key=lambda s: -s.demand_swing)
    return out


def _with_rates(plans: Sequence[StatementPlan], rates: np.ndarray) -> list[StatementPlan]:
    return [replace(p, records_per_cfu_second=float(r)) for p, r in zip(plans, rates, strict=True)]


def estimate_range(
    statements: Sequence[Statement],
    classes: Sequence[Classification],
    plans: Sequence[StatementPlan],
    params: Parameters,
    *,
    run: Run,
    expected_minutes: np.ndarray,
    expected_cfu: np.ndarray,  # per-pool per-minute CFUs of the expected run
    pools: Sequence[tuple[str, Sequence[int]]],
    rate: billing.Rate,
    project: Project,
    expected_projection: Projection,
    max_drivers: int = MAX_DRIVERS,
) -> EstimateRange:
    """The estimate's range (see the module docstring). `pools` lists (name, statement rows).
    `project(plans, their horizon CFU-minutes)` projects months ahead like
    `expected_projection` (monthly, months and annual low / high: ProjectionRange)."""

    def rates_at(p: Parameters) -> np.ndarray:
        return statement_rates(statements, classes, plans, p)

    weights = np.array([_mean_rps(p) for p in plans], dtype=float)
    expected_rates = np.array([p.records_per_cfu_second for p in plans], dtype=float)
    swings = _swings(params, rates_at, weights)
    cheap = params.varied({s.param.key: s.cheap for s in swings})
    dear = params.varied({s.param.key: s.dear for s in swings})
    cheap_rates, dear_rates = rates_at(cheap), rates_at(dear)
    cheap_plans, dear_plans = _with_rates(plans, cheap_rates), _with_rates(plans, dear_rates)
    ran: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # each run of the horizon at most once

    def ran_once(name: str, which: list[StatementPlan]) -> tuple[np.ndarray, np.ndarray]:
        if name not in ran:
            ran[name] = run(which)
        return ran[name]

    if swings:
        projected = spread(
            expected_projection,
            [
                project(cheap_plans, lambda: ran_once("low", cheap_plans)[0]),
                project(dear_plans, lambda: ran_once("high", dear_plans)[0]),
            ],
            rate,
        )
    else:
        projected = spread(expected_projection, [], rate)

    def horizon() -> HorizonRange:
        if swings:
            low_minutes, cfu_low = ran_once("low", cheap_plans)
            high_minutes, cfu_high = ran_once("high", dear_plans)
        else:
            low_minutes, cfu_low = expected_minutes, expected_cfu
            high_minutes, cfu_high = expected_minutes, expected_cfu
        return _horizon(
            np.vstack([expected_minutes, low_minutes, high_minutes]).astype(np.int64),
            np.vstack([expected_rates, cheap_rates, dear_rates]),
            np.asarray(cfu_low),
            np.asarray(cfu_high),
            pools,
            rate,
            projected,
        )

    return EstimateRange(
        projection=projected,
        find_horizon=horizon,
        find_drivers=lambda: _drivers(swings, params, rates_at, plans, run, rate, max_drivers),
    )


def _horizon(
    runs: np.ndarray,  # CFU-minutes per statement: expected, low-cost and high-cost runs
    all_rates: np.ndarray,  # records/s per CFU per statement in the same three
    cfu_low: np.ndarray,
    cfu_high: np.ndarray,
    pools: Sequence[tuple[str, Sequence[int]]],
    rate: billing.Rate,
    projected: ProjectionRange,
) -> HorizonRange:
    st_low, st_high = runs.min(axis=0), runs.max(axis=0)
    rate_low, rate_high = all_rates.min(axis=0), all_rates.max(axis=0)
    statement_ranges = tuple(
        StatementRange(
            records_per_cfu_second_low=float(rate_low[i]),
            records_per_cfu_second_high=float(rate_high[i]),
            cfu_minutes_low=int(st_low[i]),
            cfu_minutes_high=int(st_high[i]),
            cost_usd_low=rate.cost(int(st_low[i])),
            cost_usd_high=rate.cost(int(st_high[i])),
        )
        for i in range(runs.shape[1])
    )
    pool_ranges = []
    for name, rows in pools:
        sums = runs[:, list(rows)].sum(axis=1) if len(rows) else np.zeros(3, dtype=np.int64)
        lo, hi = int(sums.min()), int(sums.max())
        pool_ranges.append(PoolRange(name, lo, hi, rate.cost(lo), rate.cost(hi)))
    totals = runs.sum(axis=1)
    total_lo, total_hi = int(totals.min()), int(totals.max())
    totals_range = TotalsRange(
        cfu_minutes_low=total_lo,
        cfu_minutes_high=total_hi,
        cost_usd_low=rate.cost(total_lo),
        cost_usd_high=rate.cost(total_hi),
        # monthly and annual as the expected ones: from whole cycles and the projected months
        monthly_cost_usd_low=projected.monthly_cost_usd_low,
        monthly_cost_usd_high=projected.monthly_cost_usd_high,
        annual_cost_usd_low=projected.annual_cost_usd_low,
        annual_cost_usd_high=projected.annual_cost_usd_high,
    )
    return HorizonRange(statement_ranges, tuple(pool_ranges), totals_range, cfu_low, cfu_high)


def _drivers(
    swings: Sequence[_Swing],
    params: Parameters,
    rates_at: Callable[[Parameters], np.ndarray],
    plans: Sequence[StatementPlan],
    run: Run,
    rate: billing.Rate,
    max_drivers: int,
) -> tuple[RangeDriver, ...]:
    found = []
    for s in swings[:SIMULATED_CANDIDATES]:
        costs = []
        for value in (s.cheap, s.dear):
            minutes, _ = run(_with_rates(plans, rates_at(params.varied({s.param.key: value}))))
            costs.append(rate.cost(int(np.sum(minutes))))
        lo, hi = min(costs), max(costs)
        if hi > lo:
            found.append(RangeDriver(s.param.key, s.param.label, lo, hi, s.cheap, s.dear))
    found.sort(key=lambda d: -(d.cost_usd_high - d.cost_usd_low))
    return tuple(found[:max_drivers])
