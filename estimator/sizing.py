"""Sizing advice from a simulation, as records: pool max_cfu, pool splits, partitions, warnings.

Each piece of advice is an `AdviceRecord`: its kind, its subject (a statement or pool name),
the numbers it rests on, one plain sentence, and - when it can be applied - the scenario
`Change` that applies it (estimator.changes applies it to a scenario). The app, the command
line, the JSON and the workbook all render these same records. Assumptions:
- a pool "ran out" in a minute when one of its statements was POOL_EXHAUSTED or PENDING;
- the max_cfu that avoids exhaustion is the pool's peak in a re-run of its statements with
  no pool limit, plus `pool_headroom_pct`; that re-run's CFU-minutes are what the pool would
  bill if it kept up (`demand_cfu_minutes`);
- a pool above `max_cfu_per_pool` is split first-fit decreasing on its statements' peaks
  (with the same headroom, never above the limit), largest first;
- a statement needs more partitions when partitions cap its CFUs below what its peak input
  needs at the autoscaler's target utilization, and it fell behind.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from estimator.autoscaler import AutoscalerConfig
from estimator.formatting import clock, duration
from estimator.scenario import Scenario
from estimator.simulate import UNLIMITED_POOL, StatementPlan, peak_need, simulate
from estimator.sql import Classification
from estimator.timeline import PENDING, POOL_EXHAUSTED, Timeline

# What a Change does to a scenario (estimator.changes applies it).
SET_MAX_CFU = "set_max_cfu"  # target: pool; value: int
SET_PARTITIONS = "set_partitions"  # target: statement; value: int
SPLIT_POOL = "split_pool"  # target: pool; value: tuple of NewPool
SET_STATE_TTL = "set_state_ttl"  # target: statement; value: True


@dataclass(frozen=True)
class NewPool:
    """One pool of a proposed split: its name, MAX_CFU and the statements it runs."""

    name: str
    max_cfu: int
    statements: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "max_cfu": self.max_cfu, "statements": list(self.statements)}


@dataclass(frozen=True)
class Change:
    """A change to the scenario that applies a piece of advice."""

    action: str
    target: str
    value: int | bool | tuple[NewPool, ...]
    label: str  # what a button that applies it says

    def to_dict(self) -> dict[str, Any]:
        value: Any = self.value
        if isinstance(value, tuple):
            value = [p.to_dict() for p in value]
        return {"action": self.action, "target": self.target, "value": value, "label": self.label}


@dataclass(frozen=True)
class AdviceRecord:
    """One piece of advice: what kind, about whom, the numbers, the sentence, the fix."""

    kind: str
    scope: str  # "statement", "pool" or "scenario"
    subject: str  # the statement's or pool's name; the scenario's name for scenario advice
    text: str
    numbers: Mapping[str, float | int | str] = field(default_factory=dict)
    change: Change | None = None
    urgent: bool = False  # the estimate is off without it (exhausted pool, falling behind)

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "scope": self.scope,
            "subject": self.subject,
            "text": self.text,
            "numbers": dict(self.numbers),
            "change": self.change.to_dict() if self.change else None,
        }


@dataclass(frozen=True)
class PoolAdvice:
    recommended_max_cfu: int | None
    exhausted_minutes: int
    advice: tuple[AdviceRecord, ...]
    split: tuple[tuple[str, ...], ...] = ()  # statement names per proposed pool
    demand_cfu_minutes: int | None = None  # CFU-minutes with no pool limit (exhausted only)
    demand_peak_cfu: int | None = None


@dataclass(frozen=True)
class Sizing:
    statements: list[tuple[AdviceRecord, ...]]  # per statement, scenario order
    pools: dict[str, PoolAdvice]
    scenario: tuple[AdviceRecord, ...]


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


def _unconstrained(
    plans: Sequence[StatementPlan],
    rows: list[int],
    horizon: int,
    params: Mapping[str, float],
    cfg: AutoscalerConfig,
) -> tuple[int, dict[str, int], int]:
    """Re-run a pool's statements with no pool limit: its peak, each statement's peak, and
    the CFU-minutes it would bill (pools are isolated, so the other pools need no re-run)."""
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
    peak = tl.peak_of(list(range(len(sub))), sub[0].pool)
    return peak, peaks, int(tl.cfu_minutes().sum())  # exact also when the Timeline is hourly


def _split_names(pool: str, n: int, taken: set[str]) -> list[str]:
    names = [pool]
    k = 2
    while len(names) < n:
        candidate = f"{pool}_{k}"
        if candidate not in taken:
            names.append(candidate)
        k += 1
    return names


def _split(
    pool: str,
    peaks: Mapping[str, int],
    members: Sequence[str],
    headroom: float,
    limit: int,
    taken: set[str],
) -> tuple[NewPool, ...]:
    """Pools of at most `limit` CFUs each: first-fit decreasing on peaks with headroom."""
    sizes = {n: min(limit, _with_headroom(v, headroom)) for n, v in peaks.items() if v > 0}
    bins = first_fit_decreasing(sizes, limit)
    idle = [n for n in members if n not in sizes]  # DDL that ended, never ran: first pool
    if bins:
        bins[0] = [*bins[0], *idle]
    names = _split_names(pool, len(bins), taken)
    return tuple(
        NewPool(name, max(1, min(limit, sum(sizes.get(x, 0) for x in b))), tuple(b))
        for name, b in zip(names, bins, strict=True)
    )


def _pool_advice(
    scenario: Scenario,
    plans: Sequence[StatementPlan],
    timeline: Timeline,
    params: Mapping[str, float],
    cfg: AutoscalerConfig,
) -> dict[str, PoolAdvice]:
    out: dict[str, PoolAdvice] = {}
    headroom = params["pool_headroom_pct"]
    pool_limit = int(params["max_cfu_per_pool"])
    m = scenario.horizon_minutes
    taken = {p.name for p in scenario.pools}
    for pool in scenario.pools:
        rows = [i for i, st in enumerate(scenario.statements) if st.pool == pool.name]
        if not rows:
            out[pool.name] = PoolAdvice(None, 0, ())
            continue
        states = timeline.state[rows]
        short = ((states == POOL_EXHAUSTED) | (states == PENDING)).any(axis=0)
        res = timeline.resolution_minutes  # hourly timelines: an upper bound, whole hours
        exhausted = min(int(short.sum()) * res, m)
        advice: list[AdviceRecord] = []
        split: tuple[NewPool, ...] = ()
        demand_minutes: int | None = None
        demand_peak: int | None = None
        members = [plans[i].name for i in rows]
        recommended: int | None
        if exhausted:
            peak, peaks, demand_minutes = _unconstrained(plans, rows, m, params, cfg)
            demand_peak = peak
            recommended = _with_headroom(peak, headroom)
        else:
            peaks = {plans[i].name: int(timeline.peak_cfu()[i]) for i in rows}
            peak = timeline.peak_of(rows, pool.name)
            recommended = _with_headroom(peak, headroom) if peak else None
        too_big = recommended is not None and recommended > pool_limit
        if too_big:
            split = _split(pool.name, peaks, members, headroom, pool_limit, taken)
            taken |= {p.name for p in split}
        numbers: dict[str, float | int | str] = {
            "max_cfu": pool.max_cfu,
            "peak_cfu": timeline.peak_of(rows, pool.name),
            "pool_limit": pool_limit,
            "headroom_pct": headroom,
        }
        if exhausted and recommended is not None:
            first = int(np.argmax(short)) * res
            numbers |= {
                "exhausted_minutes": exhausted,
                "first_minute": first,
                "wanted_cfu": peak,
                "recommended_max_cfu": recommended,
            }
            head = (
                f"Pool {pool.name} ran out of CFUs for {exhausted:,} minutes (first at "
                f"{clock(first, m)}); its statements wanted up to {peak} CFUs"
            )
            if too_big:
                text = (
                    f"{head}, more than the {pool_limit} a pool allows: split it into "
                    f"{len(split)} pools (below)."
                )
                change = None
            else:
                text = f"{head}: set max_cfu to {recommended}."
                change = Change(
                    SET_MAX_CFU,
                    pool.name,
                    recommended,
                    f"Raise MAX_CFU of {pool.name} to {recommended}",
                )
            advice.append(
                AdviceRecord("pool_exhausted", "pool", pool.name, text, numbers, change, True)
            )
        if too_big and recommended is not None:
            parts = "; ".join(
                f"{p.name} with MAX_CFU {p.max_cfu}: {', '.join(p.statements)}" for p in split
            )
            advice.append(
                AdviceRecord(
                    "pool_split",
                    "pool",
                    pool.name,
                    f"Pool {pool.name} needs {recommended} CFUs with headroom, above the "
                    f"{pool_limit} a pool allows: split it into {len(split)} pools of at most "
                    f"{pool_limit}: {parts}.",
                    numbers | {"recommended_max_cfu": recommended, "pools": len(split)},
                    Change(
                        SPLIT_POOL,
                        pool.name,
                        split,
                        f"Split {pool.name} into {len(split)} pools",
                    ),
                    bool(exhausted),
                )
            )
        fixed = [i for i in rows if plans[i].schedule or plans[i].is_ddl]
        fixed_peak = int(timeline.cfu[fixed].sum(axis=0).max(initial=0)) if fixed else 0
        if fixed_peak > pool.max_cfu:
            advice.append(
                AdviceRecord(
                    "schedule_over_max_cfu",
                    "pool",
                    pool.name,
                    f"Pool {pool.name}: the cfu_schedules in it use up to {fixed_peak} CFUs at "
                    f"once, above its max_cfu of {pool.max_cfu}; raise max_cfu to at least "
                    f"{fixed_peak}.",
                    {"max_cfu": pool.max_cfu, "scheduled_cfu": fixed_peak},
                    Change(
                        SET_MAX_CFU,
                        pool.name,
                        fixed_peak,
                        f"Raise MAX_CFU of {pool.name} to {fixed_peak}",
                    ),
                    True,
                )
            )
        out[pool.name] = PoolAdvice(
            recommended,
            exhausted,
            tuple(advice),
            tuple(p.statements for p in split),
            demand_minutes,
            demand_peak,
        )
    return out


def _statement_advice(
    i: int,
    scenario: Scenario,
    c: Classification,
    plan: StatementPlan,
    timeline: Timeline,
    params: Mapping[str, float],
    util: float,
) -> list[AdviceRecord]:
    st = scenario.statements[i]
    m = scenario.horizon_minutes
    out: list[AdviceRecord] = []

    def add(
        kind: str, text: str, urgent: bool = False, change: Change | None = None, **nums: Any
    ) -> None:
        out.append(AdviceRecord(kind, "statement", st.name, text, nums, change, urgent))

    if c.state == "unbounded":
        add(
            "unbounded_state",
            f"{st.name}: its state grows without bound ({c.kind}); set a state TTL "
            "(sql.state-ttl) or it slows down and costs more as it grows.",
            change=Change(SET_STATE_TTL, st.name, True, f"Set a state TTL on {st.name}"),
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
        add(
            "pending",
            f"{st.name} waited PENDING for {pending:,} minutes (first at {clock(first, m)}): "
            f"pool {st.pool} had no free CFU; its input queued up meanwhile.",
            True,
            pending_minutes=pending,
            first_minute=first,
            pool=st.pool,
        )
    if exhausted:
        add(
            "pool_full",
            f"{st.name} could not scale up for {exhausted:,} minutes: pool {st.pool} was full.",
            True,
            exhausted_minutes=exhausted,
            pool=st.pool,
        )
    behind = max_lag > 60.0
    cap_one = plan.parallelism_cap == 1
    if cap_one and need > 1 and behind:
        add(
            "parallelism_one",
            f"{st.name} runs at parallelism 1 "
            f"({c.parallelism_reason or c.statement_type}); its peak of "
            f"{peak_rps:,.0f} records/s would need {need} CFUs, so it falls "
            f"{duration(max_lag)} behind.",
            True,
            peak_rps=peak_rps,
            needed_cfu=need,
            max_lag_seconds=max_lag,
        )
    partitions = plan.partitions
    limit = int(params["max_cfu_per_statement"])
    if partitions and not cap_one and partitions < min(need, limit) and behind:
        hits = cfu >= partitions
        if hits.any():
            want = min(need, limit)
            add(
                "partitions",
                f"{st.name} is capped by its {partitions} partitions but its peak of "
                f"{peak_rps:,.0f} records/s needs {need} CFUs; give its source topic at least "
                f"{want} partitions.",
                True,
                Change(SET_PARTITIONS, st.name, want, f"Give {st.name} {want} partitions"),
                partitions=partitions,
                peak_rps=peak_rps,
                needed_cfu=need,
                recommended_partitions=want,
            )
    if need > limit and behind:
        add(
            "statement_limit",
            f"{st.name} needs {need} CFUs at its peak, above the {limit} a statement can use; "
            "split its input across several statements.",
            True,
            needed_cfu=need,
            statement_limit=limit,
        )
    if max_lag > warn_s:
        at = int(np.argmax(lag)) * res
        add(
            "lag",
            f"{st.name} falls up to {duration(max_lag)} behind its input (at {clock(at, m)}), "
            f"above the {duration(warn_s)} warning line.",
            True,
            max_lag_seconds=max_lag,
            minute=at,
            warning_seconds=warn_s,
        )
    running = cfu > 0
    if running.any() and int(cfu.max()) == 1 and per_cfu > 0:
        peak_use = 100.0 * peak_rps / per_cfu
        if peak_use < params["low_utilization_pct"]:
            add(
                "low_utilization",
                f"{st.name} sits at 1 CFU using at most {peak_use:.0f}% of it: a candidate to "
                "share a small pool with other light statements (or one STATEMENT SET).",
                peak_use_pct=peak_use,
            )
    return out


def advise(
    scenario: Scenario,
    classes: Sequence[Classification],
    plans: Sequence[StatementPlan],
    timeline: Timeline,
    params: Mapping[str, float],
    cfg: AutoscalerConfig,
) -> Sizing:
    """Advice per statement, per pool, and for the scenario as a whole (pool advice first)."""
    util = cfg.get("target_utilization", 1.0)
    per_statement = [
        tuple(_statement_advice(i, scenario, c, plans[i], timeline, params, util))
        for i, c in enumerate(classes)
    ]
    pools = _pool_advice(scenario, plans, timeline, params, cfg)
    notes: list[AdviceRecord] = [a for p in pools.values() for a in p.advice]
    warn_s = params["lag_warning_seconds"]
    lagging = [
        st.name
        for i, st in enumerate(scenario.statements)
        if float(timeline.max_lag_seconds()[i]) > warn_s
    ]
    if lagging:
        notes.append(
            AdviceRecord(
                "lagging_statements",
                "scenario",
                scenario.name,
                f"{len(lagging)} of {len(plans)} statements fall more than "
                f"{duration(warn_s)} behind: {', '.join(lagging)}.",
                {"lagging": len(lagging), "statements": len(plans), "warning_seconds": warn_s},
                urgent=True,
            )
        )
    light = [
        scenario.statements[i].name
        for i, a in enumerate(per_statement)
        if any(r.kind == "low_utilization" for r in a)
    ]
    if len(light) >= 2:
        notes.append(
            AdviceRecord(
                "light_statements",
                "scenario",
                scenario.name,
                f"{len(light)} statements sit at 1 CFU far below its capacity "
                f"({', '.join(light)}); each still costs a CFU-minute a minute.",
                {"statements": len(light)},
            )
        )
    return Sizing(per_statement, pools, tuple(notes))


def everything(
    scenario_advice: Sequence[AdviceRecord], statement_advice: Sequence[Sequence[AdviceRecord]]
) -> list[AdviceRecord]:
    """All advice once, most urgent first: pools and the scenario, then each statement."""
    seen: set[tuple[str, str, str]] = set()
    out: list[AdviceRecord] = []
    for r in [*scenario_advice, *(r for rs in statement_advice for r in rs)]:
        key = (r.kind, r.subject, r.text)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return sorted(out, key=lambda r: not r.urgent)
