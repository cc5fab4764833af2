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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from estimator.autoscaler import AutoscalerConfig, resolve
from estimator.timeline import (
    MINUTES_PER_HOUR,
    OK,
    PENDING,
    POOL_EXHAUSTED,
    Summary,
    Timeline,
)

NEVER = np.iinfo(np.int64).max // 4
UNLIMITED_POOL = 10**9

PER_MINUTE_CELLS = 4_000_000
"""Statements x minutes up to which simulate() returns the full per-minute Timeline (about
45 bytes a cell: 180 MB); above it the Timeline is hourly and the horizon is simulated in pieces
of PIECE_CELLS (the state carried from piece to piece: the very same minutes)."""

PIECE_CELLS = 3_000_000
"""Statements x minutes simulated at once when the horizon runs in pieces."""


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
    # Or rates by window: rates_window(lo, hi) -> records/s of minutes lo..hi-1 (long horizons
    # of many statements, where every statement's whole array would not fit in memory).
    rates_window: Callable[[int, int], np.ndarray] | None = None


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
    return plan_rates_window(plan, 0, minutes)


def plan_rates_window(plan: StatementPlan, lo: int, hi: int) -> np.ndarray:
    """The plan's input records/s for minutes lo..hi-1 (0 before its start)."""
    if plan.rates is not None:
        rates = np.asarray(plan.rates, dtype=np.float64)[lo:hi].copy()
    elif plan.rates_window is not None:
        rates = np.asarray(plan.rates_window(lo, hi), dtype=np.float64).copy()
    else:
        rates = np.full(hi - lo, float(plan.rps), dtype=np.float64)
    if plan.start_minute > lo:
        rates[: plan.start_minute - lo] = 0.0
    return rates


def statement_cap(plan: StatementPlan, max_cfu_per_statement: int) -> int:
    """Most CFUs a statement can use: its partitions, parallelism cap and the 50 limit (its
    pool may grant fewer: POOL_EXHAUSTED)."""
    caps = [max_cfu_per_statement, plan.parallelism_cap, plan.partitions]
    return max(1, min(int(c) for c in caps if c))


def _fixed_row(plan: StatementPlan, minutes: int, ddl_cfu_minutes: int, lo: int = 0) -> np.ndarray:
    """The given CFUs of minutes lo..lo+minutes-1 (a schedule, a DDL minute, or zeros)."""
    row = np.zeros(minutes, dtype=np.int64)
    if not plan.runnable:
        return row
    hi = lo + minutes
    if plan.schedule:
        t = plan.start_minute
        for length, cfu in plan.schedule:
            a, b = max(t, lo), min(t + length, hi)
            if a < b:
                row[a - lo : b - lo] = cfu
            t += length
    elif plan.is_ddl:
        a, b = max(plan.start_minute, lo), min(plan.start_minute + ddl_cfu_minutes, hi)
        if a < b:
            row[a - lo : b - lo] = 1
    return row


@dataclass(frozen=True)
class _KernelInputs:
    """The per-statement and per-pool arrays the kernel reads, whichever way it is run."""

    pool_names: list[str]
    pool_max: np.ndarray  # (pools,) MAX_CFU; a pool not listed is unlimited
    pool_of: np.ndarray  # (n,) each statement's pool index
    per_cfu: np.ndarray  # (n,) records/s one CFU sustains
    start: np.ndarray
    cap: np.ndarray  # (n,) most CFUs the statement can use (statement_cap)
    partitions: np.ndarray  # (n,) 0: unknown
    given_of: list[int]  # statements whose CFUs are given (schedule, DDL, not runnable)
    given_row: np.ndarray  # (n,) their row in `given`; -1 for an autoscaled statement

    @classmethod
    def of(
        cls, plans: Sequence[StatementPlan], max_cfu_per_statement: int, pools: Mapping[str, int]
    ) -> _KernelInputs:
        names = sorted({p.pool for p in plans} | set(pools))
        index = {name: k for k, name in enumerate(names)}
        given_of = [i for i, p in enumerate(plans) if not p.runnable or p.schedule or p.is_ddl]
        given_row = np.full(len(plans), -1, dtype=np.int64)
        given_row[given_of] = np.arange(len(given_of))
        return cls(
            pool_names=names,
            pool_max=np.array(
                [int(pools.get(name, UNLIMITED_POOL)) for name in names], dtype=np.int64
            ),
            pool_of=np.array([index[p.pool] for p in plans], dtype=np.int64),
            per_cfu=np.array(
                [max(p.records_per_cfu_second, 1e-9) for p in plans], dtype=np.float64
            ),
            start=np.array([p.start_minute for p in plans], dtype=np.int64),
            cap=np.array([statement_cap(p, max_cfu_per_statement) for p in plans], dtype=np.int64),
            partitions=np.array([p.partitions or 0 for p in plans], dtype=np.int64),
            given_of=given_of,
            given_row=given_row,
        )


def simulate(
    plans: Sequence[StatementPlan],
    horizon_minutes: int,
    *,
    ddl_cfu_minutes: int = 1,
    max_cfu_per_statement: int = 50,
    pools: Mapping[str, int] | None = None,
    autoscaler: AutoscalerConfig | None = None,
    interpreted: bool = False,
    on_piece: Callable[[Piece], None] | None = None,
) -> Timeline:
    """Simulate every statement minute by minute; see the module docstring.

    `pools` maps pool names to max_cfu (a pool not listed is unlimited). `interpreted` runs
    the kernel as plain Python: the same result, slowly (a reference for tests and benchmark).
    Up to PER_MINUTE_CELLS statement-minutes the Timeline is per minute; above, it is hourly
    with exact per-statement figures in its summary (see estimator.timeline.Timeline).
    `on_piece` receives the per-minute rows as they are produced (the whole horizon as one
    piece when it is small): a file can take them without the memory ever holding them all.
    """
    if len(plans) * horizon_minutes > PER_MINUTE_CELLS and not interpreted:
        return _hourly_timeline(
            plans,
            simulate_pieces(
                plans,
                horizon_minutes,
                ddl_cfu_minutes=ddl_cfu_minutes,
                max_cfu_per_statement=max_cfu_per_statement,
                pools=pools,
                autoscaler=autoscaler,
            ),
            horizon_minutes,
            on_piece,
        )
    from estimator import simulate_kernel  # numba loads on the first simulation only

    n, m = len(plans), horizon_minutes
    policy = Policy.from_config(autoscaler or resolve())
    k_in = _KernelInputs.of(plans, max_cfu_per_statement, pools or {})
    given = np.zeros((len(k_in.given_of), m), dtype=np.int64)
    for k, i in enumerate(k_in.given_of):
        given[k] = _fixed_row(plans[i], m, ddl_cfu_minutes)
    rps = simulate_kernel.column_major((n, m), np.float64, 0.0)
    for i, plan in enumerate(plans):
        if plan.runnable:
            rps[i] = plan_rates(plan, m)

    kernel = simulate_kernel.interpreted("run") if interpreted else simulate_kernel.run
    cfu, state, backlog, capacity, lag = kernel(
        rps,
        k_in.per_cfu,
        k_in.start,
        k_in.cap,
        k_in.partitions,
        k_in.pool_of,
        k_in.pool_max,
        k_in.given_row,
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
    timeline = Timeline(
        names=tuple(p.name for p in plans),
        rps=rps,
        capacity=capacity,
        cfu=cfu,
        backlog=backlog,
        lag_seconds=lag,
        state=state,
    )
    if on_piece is not None:
        plan_pools = tuple(p.pool for p in plans)
        on_piece(Piece(0, m, timeline.names, plan_pools, rps, capacity, cfu, backlog, lag, state))
    return timeline


def peak_need(rates: np.ndarray, per_cfu: float, target_utilization: float) -> int:
    """CFUs that carry the highest per-minute rate at the target utilization (at least 1)."""
    peak = float(rates.max(initial=0.0))
    return max(1, math.ceil(peak / (per_cfu * target_utilization) - 1e-9))


@dataclass(frozen=True)
class Piece:
    """Minutes lo..hi-1 of the simulation, every array (statements, hi - lo)."""

    lo: int
    hi: int
    names: tuple[str, ...]
    pools: tuple[str, ...]  # each statement's pool
    rps: np.ndarray
    capacity: np.ndarray
    cfu: np.ndarray
    backlog: np.ndarray
    lag_seconds: np.ndarray
    state: np.ndarray


def piece_minutes(statements: int, horizon_minutes: int) -> int:
    """Minutes per piece: about PIECE_CELLS cells, whole hours, at least one hour."""
    per = max(MINUTES_PER_HOUR, PIECE_CELLS // max(1, statements))
    per -= per % MINUTES_PER_HOUR
    return min(per, horizon_minutes)


def simulate_pieces(
    plans: Sequence[StatementPlan],
    horizon_minutes: int,
    *,
    ddl_cfu_minutes: int = 1,
    max_cfu_per_statement: int = 50,
    pools: Mapping[str, int] | None = None,
    autoscaler: AutoscalerConfig | None = None,
    minutes_per_piece: int | None = None,
) -> Iterator[Piece]:
    """The same simulation as simulate(), yielded piece by piece of the horizon so memory
    stays bounded whatever its length: each piece is simulated from the state the previous
    one left (the kernel's carried state), so the minutes are exactly those of one pass."""
    from estimator.simulate_kernel import column_major, decision_minutes, new_state, run_chunk

    n, m = len(plans), horizon_minutes
    policy = Policy.from_config(autoscaler or resolve())
    k_in = _KernelInputs.of(plans, max_cfu_per_statement, pools or {})
    step = minutes_per_piece or piece_minutes(n, m)
    interval = int(policy.decision_interval)

    def rates(lo: int, hi: int) -> np.ndarray:
        out = column_major((n, hi - lo), np.float64, 0.0)
        for i, plan in enumerate(plans):
            if plan.runnable:
                out[i] = plan_rates_window(plan, lo, hi)
        return out

    peak = np.zeros(n, dtype=np.float64)
    if policy.fixed:  # the fixed preset sizes every statement by its peak input: a first pass
        for lo in range(0, m, step):
            peak = np.maximum(peak, rates(lo, min(m, lo + step)).max(axis=1, initial=0.0))
    carried = new_state(
        n,
        len(k_in.pool_names),
        k_in.start,
        k_in.cap,
        k_in.partitions,
        k_in.per_cfu,
        peak,
        interval,
        int(policy.window),
        int(policy.scale_down_delay),
        float(policy.target_utilization),
        bool(policy.align_to_partitions),
        int(policy.initial_cfu),
        bool(policy.fixed),
    )
    names = tuple(p.name for p in plans)
    plan_pools = tuple(p.pool for p in plans)
    for lo in range(0, m, step):
        hi = min(m, lo + step)
        ahead = min(m, hi + interval)
        given = np.zeros((len(k_in.given_of), ahead - lo), dtype=np.int64)
        for k, i in enumerate(k_in.given_of):
            given[k] = _fixed_row(plans[i], ahead - lo, ddl_cfu_minutes, lo)
        rps = rates(lo, hi)
        w = hi - lo
        cfu = column_major((n, w), np.int64)
        state = column_major((n, w), np.int8)
        backlog = column_major((n, w), np.float64)
        capacity = column_major((n, w), np.float64)
        lag = column_major((n, w), np.float64)
        run_chunk(
            lo,
            m,
            rps,
            given,
            decision_minutes(lo, ahead, m, interval, k_in.start, k_in.given_row),
            k_in.per_cfu,
            k_in.start,
            k_in.cap,
            k_in.pool_of,
            k_in.pool_max,
            k_in.given_row,
            interval,
            int(policy.window),
            float(policy.target_utilization),
            float(policy.catch_up_minutes),
            int(policy.restart),
            int(policy.stabilization),
            int(policy.scale_down_delay),
            float(policy.scale_down_max_lag_seconds),
            float(policy.max_scale_down_factor),
            bool(policy.align_to_partitions),
            bool(policy.fixed),
            carried,
            cfu,
            state,
            backlog,
            capacity,
            lag,
        )
        yield Piece(lo, hi, names, plan_pools, rps, capacity, cfu, backlog, lag, state)


def _hourly_timeline(
    plans: Sequence[StatementPlan],
    pieces: Iterator[Piece],
    horizon_minutes: int,
    on_piece: Callable[[Piece], None] | None = None,
) -> Timeline:
    """Aggregate pieces (whole hours each, but the last) into an hourly Timeline + Summary."""
    n = len(plans)
    hours = -(-horizon_minutes // MINUTES_PER_HOUR)
    rps = np.zeros((n, hours))
    capacity = np.zeros((n, hours))
    cfu = np.zeros((n, hours), dtype=np.int64)
    backlog = np.zeros((n, hours))
    lag = np.zeros((n, hours))
    state = np.zeros((n, hours), dtype=np.int8)
    hourly = np.zeros((n, hours), dtype=np.int64)
    running = np.zeros(n, dtype=np.int64)
    exhausted = np.zeros(n, dtype=np.int64)
    pending = np.zeros(n, dtype=np.int64)
    peak_rps = np.zeros(n, dtype=np.float64)
    pool_names = sorted({p.pool for p in plans})
    # statements grouped by pool: one reduceat per piece sums every pool's rows at once
    order = np.argsort(np.array([pool_names.index(p.pool) for p in plans]), kind="stable")
    starts = np.searchsorted(
        np.array([pool_names.index(plans[i].pool) for i in order]), np.arange(len(pool_names))
    )
    pool_peak = np.zeros(len(pool_names), dtype=np.int64)
    total_peak = 0
    for piece in pieces:
        if on_piece is not None:
            on_piece(piece)
        w = piece.hi - piece.lo
        h0, h1 = piece.lo // MINUTES_PER_HOUR, -(-piece.hi // MINUTES_PER_HOUR)
        k = h1 - h0
        pad = k * MINUTES_PER_HOUR - w

        def blocks(a: np.ndarray, fill: float = 0, pad: int = pad, k: int = k) -> np.ndarray:
            if pad:
                a = np.concatenate([a, np.full((n, pad), fill, dtype=a.dtype)], axis=1)
            return a.reshape(n, k, MINUTES_PER_HOUR)

        counts = np.full(k, float(MINUTES_PER_HOUR))
        counts[-1] = MINUTES_PER_HOUR - pad
        rps[:, h0:h1] = blocks(piece.rps).sum(axis=2) / counts
        capacity[:, h0:h1] = blocks(piece.capacity).sum(axis=2) / counts
        cfu_h = blocks(piece.cfu)
        cfu[:, h0:h1] = cfu_h.max(axis=2)
        hourly[:, h0:h1] = cfu_h.sum(axis=2)
        backlog[:, h0:h1] = blocks(piece.backlog).max(axis=2)
        lag[:, h0:h1] = blocks(piece.lag_seconds).max(axis=2)
        st_h = blocks(piece.state.astype(np.int8), OK)
        last = piece.state[:, -1 if pad == 0 else w - 1]
        hour_state = st_h[:, :, -1].copy()
        if pad:
            hour_state[:, -1] = last
        hour_state[(st_h == PENDING).any(axis=2)] = PENDING
        hour_state[(st_h == POOL_EXHAUSTED).any(axis=2)] = POOL_EXHAUSTED
        state[:, h0:h1] = hour_state
        running += (piece.cfu > 0).sum(axis=1)
        exhausted += (piece.state == POOL_EXHAUSTED).sum(axis=1)
        pending += (piece.state == PENDING).sum(axis=1)
        peak_rps = np.maximum(peak_rps, piece.rps.max(axis=1, initial=0.0))
        if n:
            by_pool = np.add.reduceat(piece.cfu[order], starts, axis=0)  # (pools, w)
            pool_peak = np.maximum(pool_peak, by_pool.max(axis=1))
            total_peak = max(total_peak, int(by_pool.sum(axis=0).max()))
    summary = Summary(
        cfu_minutes=hourly.sum(axis=1),
        peak_cfu=cfu.max(axis=1, initial=0),
        running_minutes=running,
        max_backlog=backlog.max(axis=1, initial=0.0),
        max_lag_seconds=lag.max(axis=1, initial=0.0),
        exhausted_minutes=exhausted,
        pending_minutes=pending,
        peak_rps=peak_rps,
        hourly_cfu_minutes=hourly,
        pool_peaks={name: int(v) for name, v in zip(pool_names, pool_peak, strict=True)},
        total_peak=total_peak,
    )
    return Timeline(
        names=tuple(p.name for p in plans),
        rps=rps,
        capacity=capacity,
        cfu=cfu,
        backlog=backlog,
        lag_seconds=lag,
        state=state,
        resolution_minutes=MINUTES_PER_HOUR,
        horizon_minutes=horizon_minutes,
        summary=summary,
    )
