"""Sizing advice from a simulation: pool max_cfu, pool splits, partitions, warnings.

Plain sentences with numbers, as data (the app, the spreadsheet and the command line show
them). Assumptions:
- a pool "ran out" in a minute when one of its statements was POOL_EXHAUSTED or PENDING;
- the max_cfu that avoids exhaustion is the pool's peak in a re-run of its statements with
  no pool limit, plus `pool_headroom_pct`;
- a pool above `max_cfu_per_pool` is split first-fit decreasing on its statements' peaks
  (with the same headroom), largest first;
- a statement needs more partitions when partitions cap its CFUs below what its peak input
  needs at the autoscaler's target utilization, and it fell behind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from estimator.autoscaler import AutoscalerConfig
from estimator.formatting import clock, duration
from estimator.scenario import Scenario
from estimator.simulate import UNLIMITED_POOL, StatementPlan, peak_need, simulate
from estimator.sql import Classification
from estimator.timeline import PENDING, POOL_EXHAUSTED, Timeline


@dataclass(frozen=True)
class PoolAdvice:
    recommended_max_cfu: int | None
    exhausted_minutes: int
    advice: tuple[str, ...]
    split: tuple[tuple[str, ...], ...] = ()  # statement names per proposed pool


@dataclass(frozen=True)
class Advice:
    statements: list[tuple[str, ...]]  # per statement, scenario order
    pools: dict[str, PoolAdvice]
    scenario: tuple[str, ...]


def first_fit_decreasing(sizes: Mapping[str, int], capacity: int) -> list[list[str]]:
    """Bins of names whose sizes sum to at most `capacity` (an item above it gets its own)."""
    bins: list[tuple[int, list[str]]] = []
    for name, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        for b, (used, names) in enumerate(bins):
            if used + size <= capacity:
                bins[b] = (used + size, [*names, name])
                break
        else:
            bins.append((size, [name]))
    return [names for _, names in bins]


def _with_headroom(cfus: float, pct: float) -> int:
    return max(1, math.ceil(cfus * (1.0 + pct / 100.0) - 1e-9))


def _unconstrained_peaks(
    plans: Sequence[StatementPlan],
    rows: list[int],
    horizon: int,
    params: Mapping[str, float],
    cfg: AutoscalerConfig,
) -> tuple[int, dict[str, int]]:
    """Re-run a pool's statements with no pool limit: its peak and each statement's peak."""
    sub = [plans[i] for i in rows]
    tl = simulate(
        sub,
        horizon,
        ddl_cfu_minutes=int(params["ddl_cfu_minutes"]),
        max_cfu_per_statement=int(params["max_cfu_per_statement"]),
        pools={sub[0].pool: UNLIMITED_POOL},
        autoscaler=cfg,
    )
    peaks = {p.name: int(tl.peak_cfu()[j]) for j, p in enumerate(sub)}
    return tl.peak_of(list(range(len(sub))), sub[0].pool), peaks


def _pool_advice(
    scenario: Scenario,
    plans: Sequence[StatementPlan],
    timeline: Timeline,
    params: Mapping[str, float],
    cfg: AutoscalerConfig,
) -> tuple[dict[str, PoolAdvice], list[str]]:
    out: dict[str, PoolAdvice] = {}
    notes: list[str] = []
    headroom = params["pool_headroom_pct"]
    pool_limit = int(params["max_cfu_per_pool"])
    m = scenario.horizon_minutes
    for pool in scenario.pools:
        rows = [i for i, st in enumerate(scenario.statements) if st.pool == pool.name]
        if not rows:
            out[pool.name] = PoolAdvice(None, 0, ())
            continue
        states = timeline.state[rows]
        short = ((states == POOL_EXHAUSTED) | (states == PENDING)).any(axis=0)
        res = timeline.resolution_minutes  # hourly timelines: an upper bound, whole hours
        exhausted = min(int(short.sum()) * res, m)
        advice: list[str] = []
        split: tuple[tuple[str, ...], ...] = ()
        recommended: int | None
        if exhausted:
            peak, peaks = _unconstrained_peaks(plans, rows, m, params, cfg)
            recommended = _with_headroom(peak, headroom)
            first = int(np.argmax(short)) * res
            advice.append(
                f"Pool {pool.name} ran out of CFUs for {exhausted:,} minutes (first at "
                f"{clock(first, m)}); its statements wanted up to {peak} CFUs: set max_cfu "
                f"to {recommended}."
            )
        else:
            peaks = {plans[i].name: int(timeline.peak_cfu()[i]) for i in rows}
            peak = timeline.peak_of(rows, pool.name)
            recommended = _with_headroom(peak, headroom) if peak else None
        if recommended is not None and recommended > pool_limit:
            sizes = {name: _with_headroom(v, headroom) for name, v in peaks.items() if v > 0}
            bins = first_fit_decreasing(sizes, pool_limit)
            split = tuple(tuple(b) for b in bins)
            parts = "; ".join(f"{', '.join(b)} ({sum(sizes[x] for x in b)} CFUs)" for b in bins)
            advice.append(
                f"Pool {pool.name} needs {recommended} CFUs with headroom, above the "
                f"{pool_limit} a pool allows: split it into {len(bins)} pools: {parts}."
            )
        fixed_peak = int(
            sum(timeline.cfu[i] for i in rows if plans[i].schedule or plans[i].is_ddl).max(
                initial=0
            )
            if any(plans[i].schedule or plans[i].is_ddl for i in rows)
            else 0
        )
        if fixed_peak > pool.max_cfu:
            advice.append(
                f"Pool {pool.name}: the cfu_schedules in it use up to {fixed_peak} CFUs at "
                f"once, above its max_cfu of {pool.max_cfu}; raise max_cfu to at least "
                f"{fixed_peak}."
            )
        out[pool.name] = PoolAdvice(recommended, exhausted, tuple(advice), split)
        notes += advice
    return out, notes


def _statement_advice(
    i: int,
    scenario: Scenario,
    c: Classification,
    plan: StatementPlan,
    timeline: Timeline,
    params: Mapping[str, float],
    util: float,
) -> list[str]:
    st = scenario.statements[i]
    m = scenario.horizon_minutes
    out: list[str] = []
    if c.state == "unbounded":
        out.append(
            f"{st.name}: its state grows without bound ({c.kind}); set a state TTL "
            "(sql.state-ttl) or it slows down and costs more as it grows."
        )
    if not plan.runnable or plan.schedule or plan.is_ddl:
        return out
    cfu = timeline.cfu[i]
    lag = timeline.lag_seconds[i]
    per_cfu = plan.records_per_cfu_second
    max_lag = float(timeline.max_lag_seconds()[i])
    warn_s = params["lag_warning_seconds"]
    res = timeline.resolution_minutes  # 60 when the timeline is hourly
    pending = int(timeline.minutes_in(PENDING)[i])
    exhausted = int(timeline.minutes_in(POOL_EXHAUSTED)[i])
    peak_rps = float(timeline.peak_rps()[i])
    need = peak_need(np.array([peak_rps]), per_cfu, util)
    if pending:
        first = int(np.argmax(timeline.state[i] == PENDING)) * res
        out.append(
            f"{st.name} waited PENDING for {pending:,} minutes (first at {clock(first, m)}): "
            f"pool {st.pool} had no free CFU; its input queued up meanwhile."
        )
    if exhausted:
        out.append(
            f"{st.name} could not scale up for {exhausted:,} minutes: pool {st.pool} was full."
        )
    behind = max_lag > 60.0
    cap_one = plan.parallelism_cap == 1
    if cap_one and need > 1 and behind:
        out.append(
            f"{st.name} runs at parallelism 1 ({c.statement_type}); its peak of "
            f"{peak_rps:,.0f} records/s would need {need} CFUs, so it falls "
            f"{duration(max_lag)} behind."
        )
    partitions = plan.partitions
    limit = int(params["max_cfu_per_statement"])
    if partitions and not cap_one and partitions < min(need, limit) and behind:
        hits = cfu >= partitions
        if hits.any():
            want = min(need, limit)
            out.append(
                f"{st.name} is capped by its {partitions} partitions but its peak of "
                f"{peak_rps:,.0f} records/s needs {need} CFUs; give its source topic at least "
                f"{want} partitions."
            )
    if need > limit and behind:
        out.append(
            f"{st.name} needs {need} CFUs at its peak, above the {limit} a statement can use; "
            "split its input across several statements."
        )
    if max_lag > warn_s:
        at = int(np.argmax(lag)) * res
        out.append(
            f"{st.name} falls up to {duration(max_lag)} behind its input (at {clock(at, m)}), "
            f"above the {duration(warn_s)} warning line."
        )
    running = cfu > 0
    if running.any() and int(cfu.max()) == 1 and per_cfu > 0:
        peak_use = 100.0 * peak_rps / per_cfu
        if peak_use < params["low_utilization_pct"]:
            out.append(
                f"{st.name} sits at 1 CFU using at most {peak_use:.0f}% of it: a candidate to "
                "share a small pool with other light statements (or one STATEMENT SET)."
            )
    return out


def advise(
    scenario: Scenario,
    classes: Sequence[Classification],
    plans: Sequence[StatementPlan],
    timeline: Timeline,
    params: Mapping[str, float],
    cfg: AutoscalerConfig,
) -> Advice:
    """Advice per statement, per pool, and for the scenario as a whole."""
    util = cfg.get("target_utilization", 1.0)
    per_statement = [
        tuple(_statement_advice(i, scenario, c, plans[i], timeline, params, util))
        for i, c in enumerate(classes)
    ]
    pools, notes = _pool_advice(scenario, plans, timeline, params, cfg)
    lagging = [
        st.name
        for i, st in enumerate(scenario.statements)
        if float(timeline.max_lag_seconds()[i]) > params["lag_warning_seconds"]
    ]
    if lagging:
        notes.append(
            f"{len(lagging)} of {len(plans)} statements fall more than "
            f"{duration(params['lag_warning_seconds'])} behind: {', '.join(lagging)}."
        )
    light = [
        scenario.statements[i].name
        for i, a in enumerate(per_statement)
        if any("candidate to share" in line for line in a)
    ]
    if len(light) >= 2:
        notes.append(
            f"{len(light)} statements sit at 1 CFU far below its capacity ({', '.join(light)}); "
            "each still costs a CFU-minute a minute."
        )
    return Advice(per_statement, pools, tuple(notes))
