"""Autopilot and compute pools, minute by minute, all statements at once.

Every minute each running statement receives its input (records/s x 60), processes up to its
capacity (CFUs x records/s per CFU x 60, nothing while it rescales) and carries the rest as
backlog. Every `decision_interval_minutes` (and at each statement's start) the autoscaler
decides, statement by statement:

- recommendation (FLIP-271 form): CFUs = ceil((rate / target_utilization + backlog /
  catch_up + rate x restart / catch_up) / records/s per CFU), where `rate` is the mean input
  of the trailing metrics window; clamped to [1, min(partitions, max_cfu_per_statement,
  parallelism cap)] and, for the operator preset, rounded up to a divisor of the partition
  count.
- scale up when the recommendation is higher and the statement is not stabilising after its
  last rescale; the pool grants what it has free, statements in scenario order
  (POOL_EXHAUSTED when it grants less). A statement that cannot get its first CFU waits
  PENDING, costs nothing and its input queues up.
- scale down only after the recommendation stayed lower for `scale_down_delay_minutes`, and
  never while the lag is above `scale_down_max_lag_seconds` (still catching up); to the
  highest recommendation of that period, giving up at most `max_scale_down_factor` of CFUs.
- a rescale pauses processing for `restart_minutes` (CFUs are billed at the new count).

Statements with a `cfu_schedule` follow it exactly; a DDL statement bills `ddl_cfu_minutes`
and stops; both count against their pool's max_cfu (the most they use until the next
decision). The loop itself is estimator/simulate_kernel.py, compiled by numba on first use;
`simulate(..., interpreted=True)` runs the very same code as plain Python.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from estimator.autoscaler import AutoscalerConfig, resolve
from estimator.timeline import Timeline

NEVER = np.iinfo(np.int64).max // 4
UNLIMITED_POOL = 10**9


@dataclass(frozen=True)
class StatementPlan:
    """Everything the simulation needs to know of one statement."""

    name: str
    pool: str
    start_minute: int
    rps: float
    records_per_cfu_second: float
    is_ddl: bool
    parallelism_cap: int | None
    partitions: int | None
    schedule: tuple[tuple[int, int], ...] | None  # (minutes, cfu) steps
    runnable: bool = True
    rates: np.ndarray | None = None  # per-minute input records/s; None: constant rps


@dataclass(frozen=True)
class Policy:
    """The autoscaler's knobs in simulation units (minutes, ratios), from a preset."""

    decision_interval: int
    window: int
    target_utilization: float
    catch_up_minutes: float
    restart: int
    stabilization: int
    scale_down_delay: int
    scale_down_max_lag_seconds: float
    max_scale_down_factor: float
    align_to_partitions: bool
    initial_cfu: int
    fixed: bool

    @classmethod
    def from_config(cls, cfg: AutoscalerConfig) -> Policy:
        fixed = cfg.preset == "fixed"
        return cls(
            decision_interval=max(1, int(cfg.get("decision_interval_minutes", 5))),
            window=max(1, int(cfg.get("metrics_window_minutes", 1))),
            target_utilization=cfg.get("target_utilization", 1.0),
            catch_up_minutes=cfg.get("catch_up_minutes", 10),
            restart=int(cfg.get("restart_minutes", 0)),
            stabilization=int(cfg.get("stabilization_minutes", 0)),
            scale_down_delay=NEVER if fixed else int(cfg.get("scale_down_delay_minutes", 10)),
            scale_down_max_lag_seconds=cfg.get("scale_down_max_lag_seconds", 0),
            max_scale_down_factor=cfg.get("max_scale_down_factor", 1.0),
            align_to_partitions=bool(cfg.get("align_to_partitions", 0)),
            initial_cfu=int(cfg.get("initial_cfu", 1)),
            fixed=fixed,
        )


def plan_rates(plan: StatementPlan, minutes: int) -> np.ndarray:
    """The plan's per-minute input records/s over the horizon (0 before its start)."""
    if plan.rates is not None:
        rates = np.asarray(plan.rates, dtype=np.float64)[:minutes].copy()
    else:
        rates = np.full(minutes, float(plan.rps), dtype=np.float64)
    rates[: plan.start_minute] = 0.0
    return rates


def statement_cap(plan: StatementPlan, max_cfu_per_statement: int) -> int:
    """Most CFUs a statement can use: its partitions, parallelism cap and the 50 limit (its
    pool may grant fewer: POOL_EXHAUSTED)."""
    caps = [max_cfu_per_statement, plan.parallelism_cap, plan.partitions]
    return max(1, min(int(c) for c in caps if c))


def _fixed_row(plan: StatementPlan, minutes: int, ddl_cfu_minutes: int) -> np.ndarray:
    row = np.zeros(minutes, dtype=np.int64)
    if not plan.runnable:
        return row
    if plan.schedule:
        t = plan.start_minute
        for length, cfu in plan.schedule:
            row[t : t + length] = cfu
            t += length
    elif plan.is_ddl:
        row[plan.start_minute : plan.start_minute + ddl_cfu_minutes] = 1
    return row


def simulate(
    plans: Sequence[StatementPlan],
    horizon_minutes: int,
    *,
    ddl_cfu_minutes: int = 1,
    max_cfu_per_statement: int = 50,
    pools: Mapping[str, int] | None = None,
    autoscaler: AutoscalerConfig | None = None,
    interpreted: bool = False,
) -> Timeline:
    """Simulate every statement minute by minute; see the module docstring.

    `pools` maps pool names to max_cfu (a pool not listed is unlimited). `interpreted` runs
    the kernel as plain Python: the same result, slowly (a reference for tests and benchmark).
    """
    from estimator.simulate_kernel import run  # numba loads on the first simulation only

    n, m = len(plans), horizon_minutes
    policy = Policy.from_config(autoscaler or resolve())
    pools = pools or {}
    pool_names = sorted({p.pool for p in plans} | set(pools))
    pool_max = np.array(
        [int(pools.get(name, UNLIMITED_POOL)) for name in pool_names], dtype=np.int64
    )
    index = {name: k for k, name in enumerate(pool_names)}
    pool_of = np.array([index[p.pool] for p in plans], dtype=np.int64)
    per_cfu = np.array([max(p.records_per_cfu_second, 1e-9) for p in plans], dtype=np.float64)
    start = np.array([p.start_minute for p in plans], dtype=np.int64)
    cap = np.array([statement_cap(p, max_cfu_per_statement) for p in plans], dtype=np.int64)
    partitions = np.array([p.partitions or 0 for p in plans], dtype=np.int64)
    # Autoscaled statements: given_row -1; the others' CFUs are given, one row each.
    given_of = [i for i, p in enumerate(plans) if not p.runnable or p.schedule or p.is_ddl]
    given_row = np.full(n, -1, dtype=np.int64)
    given_row[given_of] = np.arange(len(given_of))
    given = np.zeros((len(given_of), m), dtype=np.int64)
    for k, i in enumerate(given_of):
        given[k] = _fixed_row(plans[i], m, ddl_cfu_minutes)
    rps = np.zeros((n, m), dtype=np.float64)
    for i, plan in enumerate(plans):
        if plan.runnable:
            rps[i] = plan_rates(plan, m)

    kernel = run.py_func if interpreted else run
    cfu, state, backlog, capacity, lag = kernel(
        rps,
        per_cfu,
        start,
        cap,
        partitions,
        pool_of,
        pool_max,
        given_row,
        given,
        int(policy.decision_interval),
        int(policy.window),
        float(policy.target_utilization),
        float(policy.catch_up_minutes),
        int(policy.restart),
        int(policy.stabilization),
        int(policy.scale_down_delay),
        float(policy.scale_down_max_lag_seconds),
        float(policy.max_scale_down_factor),
        bool(policy.align_to_partitions),
        int(policy.initial_cfu),
        bool(policy.fixed),
    )
    return Timeline(
        names=tuple(p.name for p in plans),
        rps=rps,
        capacity=capacity,
        cfu=cfu,
        backlog=backlog,
        lag_seconds=lag,
        state=state,
    )


def peak_need(rates: np.ndarray, per_cfu: float, target_utilization: float) -> int:
    """CFUs that carry the highest per-minute rate at the target utilization (at least 1)."""
    peak = float(rates.max(initial=0.0))
    return max(1, math.ceil(peak / (per_cfu * target_utilization) - 1e-9))
