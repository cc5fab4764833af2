"""Benchmark: simulate 200 statements over 30 days at one-minute resolution.

Prints wall time, peak memory and the speed-up over a straightforward per-minute,
per-statement pure-Python loop running the same autoscaler on the same workload (on a subset
of statements, extrapolated linearly: its cost is proportional to statements x minutes).
Goals on a 2-core machine: at most 1 s, at least 50x faster, under 1 GB.
"""

from __future__ import annotations

import math
import resource
import time
import tracemalloc

import numpy as np

from estimator.autoscaler import resolve
from estimator.simulate import Policy, StatementPlan, simulate, statement_cap
from estimator.traffic import bursts, daily

STATEMENTS = 200
MINUTES = 30 * 1440
POOLS = 20
NAIVE_STATEMENTS = 20  # one whole pool


def workload(n: int = STATEMENTS, minutes: int = MINUTES, seed: int = 7) -> list[StatementPlan]:
    """Daily cycles (weekends lower), bursts and noisy flat loads, ten pools of 50 CFUs."""
    rng = np.random.default_rng(seed)
    plans = []
    for i in range(n):
        kind = i % 4
        peak = float(rng.uniform(2_000, 60_000))
        if kind in (0, 1):
            rates = daily(peak * 0.2, peak, int(rng.integers(8, 20)), minutes, weekend_factor=0.6)
        elif kind == 2:
            rates = bursts(peak / 5, 5, 10, minutes, every_minutes=int(rng.integers(45, 120)))
        else:
            rates = peak * 0.5 * (1 + 0.1 * rng.standard_normal(minutes)).clip(0.5)
        plans.append(
            StatementPlan(
                name=f"s{i:03d}",
                pool=f"pool{i % POOLS}",
                start_minute=int(rng.integers(0, 120)),
                rps=0.0,
                records_per_cfu_second=float(rng.choice([3_000, 6_000, 10_000])),
                is_ddl=False,
                parallelism_cap=1 if i % 25 == 0 else None,
                partitions=int(rng.choice([6, 12, 24, 48])),
                schedule=None,
                rates=rates,
            )
        )
    return plans


def naive(plans: list[StatementPlan], minutes: int, pools: dict[str, int]) -> list[list[int]]:
    """The same autoscaler, written the straightforward way: for every minute, for every
    statement, in plain Python. Returns the CFUs per statement and minute."""
    p = Policy.from_config(resolve())
    n = len(plans)
    rates = [pl.rates.tolist() for pl in plans]  # type: ignore[union-attr]
    per_cfu = [pl.records_per_cfu_second for pl in plans]
    start = [pl.start_minute for pl in plans]
    cap = [statement_cap(pl, 50) for pl in plans]
    order = sorted(range(n), key=lambda i: (plans[i].pool, i))
    cur, backlog = [0] * n, [0.0] * n
    hold, pause = [s + p.window for s in start], [0] * n
    low_since, low_max = [None] * n, [0] * n
    used = dict.fromkeys(pools, 0)
    cfu_out = [[0] * minutes for _ in range(n)]
    backlog_out = [[0.0] * minutes for _ in range(n)]
    catch_s, restart_s = p.catch_up_minutes * 60, p.restart * 60
    starts = set(start)
    for t in range(minutes):
        decide = t % p.decision_interval == 0 or t in starts
        for i in order:
            if t < start[i]:
                continue
            if decide:
                lo = max(t - p.window, start[i])
                rate = sum(rates[i][lo:t]) / (t - lo) if t > lo else 0.0
                need = (
                    rate / p.target_utilization + backlog[i] / catch_s + rate * restart_s / catch_s
                )
                rec = min(max(1, math.ceil(need / per_cfu[i])), cap[i])
                pool = plans[i].pool
                if cur[i] == 0:
                    grant = min(1, pools[pool] - used[pool])
                    if grant > 0:
                        cur[i], used[pool], hold[i] = 1, used[pool] + 1, t + p.window
                elif rec < cur[i]:
                    low_since[i] = t if low_since[i] is None else low_since[i]
                    low_max[i] = max(low_max[i], rec)
                    if (
                        hold[i] <= t
                        and t - low_since[i] >= p.scale_down_delay
                        and backlog[i] <= p.scale_down_max_lag_seconds * rate
                    ):
                        used[pool] -= cur[i] - low_max[i]
                        cur[i] = low_max[i]
                        hold[i], pause[i] = t + p.restart + p.stabilization, t + p.restart
                        low_since[i], low_max[i] = None, 0
                else:
                    low_since[i], low_max[i] = None, 0
                    if rec > cur[i] and hold[i] <= t:
                        grant = max(0, min(rec - cur[i], pools[pool] - used[pool]))
                        if grant:
                            cur[i] += grant
                            used[pool] += grant
                            hold[i], pause[i] = t + p.restart + p.stabilization, t + p.restart
            capacity = 0.0 if t < pause[i] else cur[i] * per_cfu[i] * 60
            backlog[i] = max(0.0, backlog[i] + rates[i][t] * 60 - capacity)
            cfu_out[i][t] = cur[i]
            backlog_out[i][t] = backlog[i]
    return cfu_out


def main() -> None:
    plans = workload()
    pools = {f"pool{k}": 50 for k in range(POOLS)}
    simulate(plans[:5], 1440, pools=pools)  # warm-up (imports, caches)

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    timeline = simulate(plans, MINUTES, pools=pools)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    tracemalloc.start()
    simulate(plans, MINUTES, pools=pools)
    traced_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    peak_mb = max(rss_mb, traced_mb)

    # The naive loop on a subset: whole pools, so it faces the same pool pressure.
    subset = [p for p in plans if int(p.pool[4:]) < NAIVE_STATEMENTS * POOLS // STATEMENTS]
    sub_pools = {p.pool: pools[p.pool] for p in subset}
    t0 = time.perf_counter()
    naive_cfu = naive(subset, MINUTES, sub_pools)
    naive_wall = (time.perf_counter() - t0) * STATEMENTS / len(subset)
    check = simulate(subset, MINUTES, pools=sub_pools)
    same = float(np.mean(np.asarray(naive_cfu) == check.cfu)) * 100

    ratio = naive_wall / wall
    print(
        f"simulate: {STATEMENTS} statements x {MINUTES:,} minutes in {wall:.2f} s, "
        f"peak memory {peak_mb:,.0f} MB, {ratio:.0f}x faster than a per-minute Python loop "
        f"(goals: <= 1 s, >= 50x, < 1 GB)"
    )
    print(
        f"  per-minute Python loop: {len(subset)} statements timed, extrapolated "
        f"linearly to {STATEMENTS}: {naive_wall:.1f} s; it agrees with simulate on "
        f"{same:.2f}% of statement-minutes"
    )
    print(
        f"  simulate CPU time {cpu:.2f} s (wall time suffers when other work shares the cores); "
        f"{int(timeline.cfu.sum()):,} CFU-minutes, peak {int(timeline.cfu.sum(axis=0).max())} "
        f"CFUs, memory: ru_maxrss delta {rss_mb:,.0f} MB, tracemalloc peak {traced_mb:,.0f} MB"
    )
    ok = wall <= 1.0 and ratio >= 50 and peak_mb < 1024
    print("  goals met" if ok else "  GOALS NOT MET")


if __name__ == "__main__":
    main()
