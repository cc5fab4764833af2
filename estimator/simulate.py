"""Minute by minute: how many CFUs each statement uses.

Until the Autopilot simulation lands, a running statement holds the CFUs its mean rate needs
from its start to the end of the horizon; a DDL statement runs for its billed minute; a
statement with a `cfu_schedule` follows it exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from estimator.demand import cfus_for_rate
from estimator.timeline import OK, STOPPED, Timeline


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


def _schedule_row(plan: StatementPlan, minutes: int) -> np.ndarray:
    row = np.zeros(minutes, dtype=np.int64)
    t = plan.start_minute
    for length, cfu in plan.schedule or ():
        row[t : t + length] = cfu
        t += length
    return row


def simulate(
    plans: Sequence[StatementPlan],
    horizon_minutes: int,
    *,
    ddl_cfu_minutes: int = 1,
    max_cfu_per_statement: int = 50,
) -> Timeline:
    n, m = len(plans), horizon_minutes
    cfu = np.zeros((n, m), dtype=np.int64)
    rps = np.zeros((n, m), dtype=np.float64)
    for i, plan in enumerate(plans):
        if not plan.runnable:
            continue
        if plan.schedule:
            cfu[i] = _schedule_row(plan, m)
            continue
        if plan.is_ddl:
            cfu[i, plan.start_minute : plan.start_minute + ddl_cfu_minutes] = 1
            continue
        need = cfus_for_rate(plan.rps, plan.records_per_cfu_second)
        caps = [max_cfu_per_statement, plan.parallelism_cap, plan.partitions]
        need = min([need, *(c for c in caps if c)])
        cfu[i, plan.start_minute :] = need
        rps[i, plan.start_minute :] = plan.rps
    per_cfu = np.array([p.records_per_cfu_second for p in plans], dtype=np.float64)[:, None]
    capacity = cfu * per_cfu
    state = np.where(cfu > 0, OK, STOPPED).astype(np.int8)
    zeros = np.zeros((n, m), dtype=np.float64)
    return Timeline(
        names=tuple(p.name for p in plans),
        rps=rps,
        capacity=capacity,
        cfu=cfu,
        backlog=zeros,
        lag_seconds=zeros.copy(),
        state=state,
    )
