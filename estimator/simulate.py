"""Autopilot and compute pools, minute by minute, all statements at once.

Every minute each running statement receives its input (records/s x 60), processes up to its
capacity (CFUs x records/s per CFU x 60, nothing while it rescales) and carries the rest as
backlog. Every `decision_interval_minutes` (and at each statement's start) the autoscaler
decides, for all statements together (numpy vectors):

- recommendation (FLIP-271 form): CFUs = ceil((rate / target_utilization + backlog /
  catch_up + rate x restart / catch_up) / records/s per CFU), where `rate` is the mean input
  of the trailing metrics window; clamped to [1, min(partitions, max_cfu_per_statement,
  parallelism cap, pool max_cfu)] and, for the operator preset, rounded up to a divisor of
  the partition count.
- scale up when the recommendation is higher and the statement is not stabilising after its
  last rescale; the pool grants what it has free, statements in scenario order
  (POOL_EXHAUSTED when it grants less). A statement that cannot get its first CFU waits
  PENDING, costs nothing and its input queues up.
- scale down only after the recommendation stayed lower for `scale_down_delay_minutes`, and
  never while the lag is above `scale_down_max_lag_seconds` (still catching up); to the
  highest recommendation of that period, giving up at most `max_scale_down_factor` of CFUs.
- a rescale pauses processing for `restart_minutes` (CFUs are billed at the new count).

Between decisions CFUs are constant, so the per-minute backlog of the whole horizon is
computed afterwards in closed form (Lindley: B_t = S_t - min(0, min_{k<=t} S_k), with
S = cumsum(arrivals - capacity)). Statements with a `cfu_schedule` follow it exactly; a DDL
statement bills `ddl_cfu_minutes` and stops; both count against their pool's max_cfu.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from estimator.autoscaler import AutoscalerConfig, resolve
from estimator.timeline import (
    OK,
    PENDING,
    PENDING_SCALE_DOWN,
    PENDING_SCALE_UP,
    POOL_EXHAUSTED,
    STOPPED,
    Timeline,
)

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


def _align_table(partitions: np.ndarray, caps: np.ndarray, width: int) -> np.ndarray:
    """table[i, r] = the smallest divisor of partitions[i] that is >= r (r itself past it)."""
    table = np.tile(np.arange(width + 1, dtype=np.int64), (len(caps), 1))
    for i, (p, cap) in enumerate(zip(partitions, caps, strict=True)):
        if p <= 0:
            continue
        divisors = [d for d in range(1, int(p) + 1) if p % d == 0]
        for r in range(1, width + 1):
            up = next((d for d in divisors if d >= r), r)
            table[i, r] = min(up, int(cap)) if up <= cap else r
    return table


def lindley_backlog(arrivals: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Records behind at the end of each minute, rows independent, starting from 0:
    B_t = max(0, B_{t-1} + a_t - c_t), in closed form over whole rows."""
    s = np.cumsum(arrivals - capacity, axis=1)
    floor = np.minimum.accumulate(s, axis=1)
    np.minimum(floor, 0.0, out=floor)
    s -= floor
    # Sums of large opposite terms leave float dust; a hundredth of a record is nothing.
    s[s < 1e-2] = 0.0
    return s


def simulate(
    plans: Sequence[StatementPlan],
    horizon_minutes: int,
    *,
    ddl_cfu_minutes: int = 1,
    max_cfu_per_statement: int = 50,
    pools: Mapping[str, int] | None = None,
    autoscaler: AutoscalerConfig | None = None,
) -> Timeline:
    """Simulate every statement minute by minute; see the module docstring.

    `pools` maps pool names to max_cfu (a pool not listed is unlimited).
    """
    n, m = len(plans), horizon_minutes
    policy = Policy.from_config(autoscaler or resolve())
    pool_names = sorted({p.pool for p in plans} | set(pools or {}))
    pool_max = np.array(
        [int((pools or {}).get(name, UNLIMITED_POOL)) for name in pool_names], dtype=np.int64
    )
    pool_of = np.array([pool_names.index(p.pool) for p in plans], dtype=np.int64)

    rps = np.zeros((n, m), dtype=np.float64)
    cfu = np.zeros((n, m), dtype=np.int64)
    state = np.zeros((n, m), dtype=np.int8)
    backlog = np.zeros((n, m), dtype=np.float64)
    per_cfu = np.array([max(p.records_per_cfu_second, 1e-9) for p in plans], dtype=np.float64)
    for i, plan in enumerate(plans):
        if plan.runnable:
            rps[i] = plan_rates(plan, m)

    dynamic = [i for i, p in enumerate(plans) if p.runnable and not p.schedule and not p.is_ddl]
    is_dynamic = set(dynamic)
    fixed_rows = [i for i in range(n) if i not in is_dynamic]
    fixed_use = np.zeros((len(pool_names), m), dtype=np.int64)
    for i in fixed_rows:
        cfu[i] = _fixed_row(plans[i], m, ddl_cfu_minutes)
        state[i] = np.where(cfu[i] > 0, OK, STOPPED)
        fixed_use[pool_of[i]] += cfu[i]
    if fixed_rows:
        rows = np.array(fixed_rows)
        backlog[rows] = lindley_backlog(rps[rows] * 60.0, cfu[rows] * per_cfu[rows, None] * 60.0)

    pauses: list[tuple[np.ndarray, int, int]] = []
    if dynamic:
        order = np.array(dynamic, dtype=np.int64)
        run = _autoscale(
            [plans[i] for i in order],
            rps[order],
            pool_of[order],
            pool_max,
            fixed_use,
            policy,
            max_cfu_per_statement,
        )
        if len(order) == n:
            cfu[:] = run.cfu.T
            state[:] = run.state.T
            backlog[:] = run.backlog.T
        else:
            cfu[order] = run.cfu.T
            state[order] = run.state.T
            backlog[order] = run.backlog.T
        pauses = [(order[rows], t0, t1) for rows, t0, t1 in run.pauses]

    capacity = cfu * per_cfu[:, None]
    for rows, t0, t1 in pauses:
        capacity[rows, t0:t1] = 0.0
    # Lag = seconds of input behind: backlog / input rate (/ capacity when no input arrives).
    drain = np.where(rps > 0, rps, capacity)
    with np.errstate(over="ignore"):
        lag = np.divide(backlog, drain, out=np.zeros_like(backlog), where=drain > 0)
    return Timeline(
        names=tuple(p.name for p in plans),
        rps=rps,
        capacity=capacity,
        cfu=cfu,
        backlog=backlog,
        lag_seconds=lag,
        state=state,
    )


@dataclass(frozen=True)
class _Run:
    cfu: np.ndarray  # (minutes, statements) int64
    state: np.ndarray  # (minutes, statements) int8
    backlog: np.ndarray  # (minutes, statements) records
    pauses: list[tuple[np.ndarray, int, int]]


def _window_rates(rates_t: np.ndarray, bounds: np.ndarray, start: np.ndarray, window: int):
    """Mean input rate over the trailing window before each decision (decisions x stmts)."""
    m, k = rates_t.shape
    prefix = np.zeros((m + 1, k), dtype=np.float64)
    np.cumsum(rates_t, axis=0, out=prefix[1:])
    lo = np.maximum(bounds - window, 0)
    out = prefix[bounds]
    out -= prefix[lo]
    out /= np.maximum(bounds - lo, 1)[:, None]
    # Decisions whose window reaches back before the statement's start: average from the start.
    for i in np.flatnonzero(start > 0):
        near = np.flatnonzero((bounds - window < start[i]) & (bounds >= start[i]))
        lo_i = np.full(len(near), start[i])
        span = bounds[near] - lo_i
        total = prefix[bounds[near], i] - prefix[lo_i, i]
        out[near, i] = np.divide(total, span, out=np.zeros_like(total), where=span > 0)
        out[bounds < start[i], i] = 0.0
    return out


def _run_minutes(
    b: np.ndarray,
    rates_t: np.ndarray,
    backlog_t: np.ndarray,
    capm: np.ndarray,
    pause_until: np.ndarray,
    pause_end: int,
    t0: int,
    t1: int,
) -> None:
    """Minutes t0..t1-1 at constant CFUs: Lindley's recursion on the statement vectors
    (b, in records/s x minutes, is updated in place; nothing is processed while paused)."""
    for tt in range(t0, t1):
        b += rates_t[tt]
        if tt < pause_end:
            b -= np.where(pause_until > tt, 0.0, capm)
        else:
            b -= capm
        np.maximum(b, 0.0, out=b)
        backlog_t[tt] = b


def _autoscale(
    plans: Sequence[StatementPlan],
    rates: np.ndarray,
    pool_of: np.ndarray,
    pool_max: np.ndarray,
    fixed_use: np.ndarray,
    policy: Policy,
    max_cfu_per_statement: int,
) -> _Run:
    """The decision loop over the autoscaled statements.

    Vectors hold one value per statement; arrays are time-major so each minute and each
    decision reads one contiguous vector. Backlog is kept in records/s x minutes (records / 60).
    """
    k, m = rates.shape
    rates_t = rates.T.copy()
    per_cfu = np.array([p.records_per_cfu_second for p in plans], dtype=np.float64)
    start = np.array([p.start_minute for p in plans], dtype=np.int64)
    cap = np.array([statement_cap(p, max_cfu_per_statement) for p in plans], dtype=np.float64)
    bounds = np.union1d(np.arange(0, m, policy.decision_interval), start[start < m])
    nseg = len(bounds)
    ends = [*bounds[1:].tolist(), m]

    util = policy.target_utilization
    catch_s = policy.catch_up_minutes * 60.0
    restart_s = policy.restart * 60.0
    win = _window_rates(rates_t, bounds, start, policy.window)
    base_need = win * ((1.0 / util + restart_s / catch_s) / per_cfu)
    lag_room = win * (policy.scale_down_max_lag_seconds / 60.0)
    del win
    coef = 60.0 / (catch_s * per_cfu)
    if policy.fixed:
        peak = rates.max(axis=1, initial=0.0)
        target = np.clip(np.ceil(peak / (per_cfu * util) - 1e-9), 1, cap)
        initial = target
    else:
        target = None
        initial = np.minimum(float(policy.initial_cfu), cap)
    align_flat = align_off = None
    if policy.align_to_partitions:
        parts = np.array([p.partitions or 0 for p in plans], dtype=np.int64)
        table = _align_table(parts, cap.astype(np.int64), int(cap.max()))
        align_flat = table.reshape(-1).astype(np.float64)
        align_off = np.arange(k, dtype=np.int64) * table.shape[1]

    fixed_seg = np.maximum.reduceat(fixed_use, bounds, axis=1).T.copy()  # (decisions, pools)
    npools = len(pool_max)
    # Allocation walks the statements pool by pool, scenario order inside a pool.
    by_pool = np.argsort(pool_of, kind="stable")
    pool_sorted = pool_of[by_pool]
    pool_first = np.minimum(np.searchsorted(pool_sorted, np.arange(npools)), k - 1)
    has_pool = np.bincount(pool_of, minlength=npools) > 0

    cur = np.zeros(k, dtype=np.float64)
    b = np.zeros(k, dtype=np.float64)
    tmp = np.empty(k, dtype=np.float64)
    hold_until = (start + policy.window).astype(np.float64)
    pause_until = np.zeros(k, dtype=np.float64)
    pause_end = 0
    ring_len = (
        0 if policy.fixed else max(1, -(-policy.scale_down_delay // policy.decision_interval))
    )
    ring = np.full((max(ring_len, 1), k), np.inf)
    rec_seg = np.zeros((nseg, k), dtype=np.float64)
    cur_seg = np.zeros((nseg, k), dtype=np.float64)
    exh_seg = np.zeros((nseg, k), dtype=bool)
    backlog_t = np.empty((m, k), dtype=np.float64)
    pauses: list[tuple[np.ndarray, int, int]] = []
    restart, stab, window = policy.restart, policy.stabilization, policy.window
    down_keep = 1.0 - policy.max_scale_down_factor
    starts_sorted = np.sort(start).tolist()
    started = 0

    for j, t in enumerate(bounds.tolist()):
        # --- recommendation (FLIP-271 form)
        if target is None:
            np.multiply(b, coef, out=tmp)
            tmp += base_need[j]
            np.ceil(tmp, out=tmp)
            np.minimum(tmp, cap, out=tmp)
            rec = np.maximum(tmp, 1.0)
            if align_flat is not None:
                rec = align_flat[align_off + rec.astype(np.int64)]
        else:
            rec = target
        ready = hold_until <= t

        # --- scale down: every recommendation of the delay lower, and caught up
        if ring_len:
            ring[j % ring_len] = rec
            highest = ring.max(axis=0)
            down = highest < cur
            down &= ready
            if down.any():
                down &= b <= lag_room[j]
                if down.any():
                    new = np.where(down, np.maximum(highest, np.ceil(cur * down_keep)), cur)
                    if align_flat is not None:
                        new = align_flat[align_off + new.astype(np.int64)]
                    cur = np.where(down, new, cur)
                    hold_until[down] = t + restart + stab
                    ring[:, down] = np.inf
                    if restart:
                        pauses.append((np.flatnonzero(down), t, t + restart))
                        pause_until[down] = t + restart
                        pause_end = max(pause_end, t + restart)

        # --- scale up and first CFUs, granted by the pools in scenario order
        while started < k and starts_sorted[started] <= t:
            started += 1
        running = cur > 0
        up = rec > cur
        up &= ready
        up &= running
        pending = None
        if started > np.count_nonzero(running):
            pending = ~running & (start <= t)
        if pending is not None or up.any():
            req = np.where(up, rec - cur, 0.0)
            if pending is not None:
                req = np.where(pending, initial, req)
            free = pool_max - np.bincount(pool_of, weights=cur, minlength=npools) - fixed_seg[j]
            asking = req > 0
            if not (asking & (free[pool_of] > 0)).any():
                exh_seg[j] = asking  # every pool asked is full: nothing changes
                rec_seg[j] = rec
                cur_seg[j] = cur
                _run_minutes(
                    b, rates_t, backlog_t, cur * per_cfu, pause_until, pause_end, t, ends[j]
                )
                continue
            if (np.bincount(pool_of, weights=req, minlength=npools) <= free).all():
                grant = req  # every pool has room for every request
            else:
                req_p = req[by_pool]
                before = np.cumsum(req_p) - req_p
                offset = np.where(has_pool, before[pool_first], 0.0)
                room = free[pool_sorted] - (before - offset[pool_sorted])
                grant = np.empty(k)
                grant[by_pool] = np.minimum(np.maximum(room, 0.0), req_p)
                exh_seg[j] = grant < req
            cur = cur + grant
            grown = grant > 0
            if pending is not None:
                hold_until[grown & pending] = t + window
                grown &= running
            if grown.any():
                hold_until[grown] = t + restart + stab
                ring[:, grown] = np.inf
                if restart:
                    pauses.append((np.flatnonzero(grown), t, t + restart))
                    pause_until[grown] = t + restart
                    pause_end = max(pause_end, t + restart)
        rec_seg[j] = rec
        cur_seg[j] = cur

        _run_minutes(b, rates_t, backlog_t, cur * per_cfu, pause_until, pause_end, t, ends[j])

    backlog_t *= 60.0
    # Float dust from subtracting large numbers: a hundredth of a record is nothing.
    backlog_t[backlog_t < 1e-2] = 0.0
    code = np.full((nseg, k), OK, dtype=np.int8)
    code[rec_seg > cur_seg] = PENDING_SCALE_UP
    code[rec_seg < cur_seg] = PENDING_SCALE_DOWN
    code[exh_seg & (cur_seg > 0)] = POOL_EXHAUSTED
    idle = cur_seg == 0
    code[idle] = PENDING
    code[idle & (start[None, :] > bounds[:, None])] = STOPPED
    lengths = np.diff(np.append(bounds, m))
    return _Run(
        cfu=np.repeat(cur_seg.astype(np.int64), lengths, axis=0),
        state=np.repeat(code, lengths, axis=0),
        backlog=backlog_t,
        pauses=pauses,
    )


def peak_need(rates: np.ndarray, per_cfu: float, target_utilization: float) -> int:
    """CFUs that carry the highest per-minute rate at the target utilization (at least 1)."""
    peak = float(rates.max(initial=0.0))
    return max(1, math.ceil(peak / (per_cfu * target_utilization) - 1e-9))
