"""Benchmark: the twelve-month projection of 200 statements (issue 13).

The scenario: 200 statements in 20 pools of 50 CFUs; daily cycles with growth (half of them
with lower weekends, so the common cycle is a week), periodic bursts, constant loads. The
projection simulates one representative week per half month (after a day of warm-up) with the
real autoscaler; the alternative it replaces is a minute-by-minute simulation of the whole year.
That reference runs on 2 of the 20 pools (20 statements: the same pool pressure) and is
extrapolated linearly to 200 statements (its cost is proportional to statements x minutes);
on those 20 statements the two annual figures are compared.

Memory: the process's peak RSS growth while projecting (ru_maxrss, which sees numba's
allocations) and tracemalloc's peak (numpy's). Goals on a 2-core machine: at most 10 s and
under 1 GB for 200 statements x 12 months. The estimate also projects the range's low-cost
and high-cost plans: that total (three projections) is printed too.

The headline: the CPU time of a whole `estimate()` of the 200 statements over a 1-day horizon
(the app's headline figure: the expected, low-cost, high-cost and keep-up projections, with
tighter pools so that some are exhausted and the keep-up figure is worked out), with daily
cycles (no weekend dip: each sample is 2 simulated days) and with weekly ones (this scenario as
it is: each sample is 8 days).
"""

from __future__ import annotations

import dataclasses
import resource
import time
import tracemalloc
from decimal import Decimal

import numpy as np

from estimator import projection
from estimator.billing import Rate
from estimator.estimate import estimate, simulation_setup
from estimator.scenario import Scenario, parse_scenario

STATEMENTS = 200
POOLS = 20
MONTHS = 12
START = "2027-01"
REFERENCE_POOLS = 2


def bench_scenario(n: int = STATEMENTS, seed: int = 11) -> Scenario:
    rng = np.random.default_rng(seed)
    statements = []
    for i in range(n):
        peak = float(rng.uniform(2_000, 40_000))
        kind = i % 4
        if kind in (0, 1):
            profile = {
                "shape": "daily",
                "trough_rps": round(peak * 0.2),
                "peak_rps": round(peak),
                "peak_hour": int(rng.integers(8, 20)),
                "weekend_factor": 0.6 if kind == 0 else 1.0,
                "growth_pct_per_month": float(rng.choice([0, 2, 5])),
            }
        elif kind == 2:
            profile = {
                "shape": "bursts",
                "base_rps": round(peak / 5),
                "multiplier": 5,
                "minutes": 10,
                "every_minutes": int(rng.choice([30, 60, 120])),
                "growth_pct_per_month": 3,
            }
        else:
            profile = {"shape": "constant", "rps": round(peak * 0.5)}
        statements.append(
            {
                "name": f"s{i:03d}",
                "pool": f"pool{i % POOLS}",
                "sql": f"INSERT INTO out{i} SELECT * FROM in{i} WHERE x > 0",
                "profile": profile,
                "partitions": int(rng.choice([6, 12, 24, 48])),
                "records_per_cfu_second": float(rng.choice([3_000, 6_000, 10_000])),
                "labels": {"team": f"team{i % 7}"},
            }
        )
    return parse_scenario(
        {
            "name": "projection benchmark",
            "horizon_minutes": 1440,
            "projection": {"months": MONTHS, "start": START},
            "pools": [{"name": f"pool{k}", "max_cfu": 50} for k in range(POOLS)],
            "statements": statements,
        }
    )


def run_projection(sc: Scenario, rate_factor: float = 1.0) -> projection.Projection:
    """The projection of `sc`, its records/s per CFU times `rate_factor` (the range projects
    the low-cost and high-cost plans the same way as the expected ones)."""
    setup = simulation_setup(sc)
    plans = [
        dataclasses.replace(p, records_per_cfu_second=p.records_per_cfu_second * rate_factor)
        for p in setup.plans
    ]
    return projection.project(
        sc,
        plans,
        pools=setup.pools,
        sim_options=setup.options,
        rate=Rate(Decimal("0.21")),
        horizon_cfu_minutes=np.zeros(len(sc.statements), dtype=np.int64),
    )


def headline_scenario(weekly: bool) -> Scenario:
    """bench_scenario with a third of its pools at 16 CFUs (exhausted: the keep-up figure is
    projected too) and, unless `weekly`, no weekend dip (the common cycle is then a day)."""
    data = bench_scenario().model_dump(mode="json", exclude_none=True)
    for st in data["statements"]:
        if not weekly and st["profile"].get("shape") == "daily":
            st["profile"]["weekend_factor"] = 1.0
    for k, pool in enumerate(data["pools"]):
        if k % 3 == 0:
            pool["max_cfu"] = 16
    return parse_scenario(data)


def headline() -> None:
    """The CPU time of a whole estimate (see the module docstring), daily and weekly cycles."""
    for weekly in (False, True):
        sc = headline_scenario(weekly)
        c0 = time.process_time()
        est = estimate(sc)
        cpu = time.process_time() - c0
        assert est.projection is not None and est.keep_up is not None and est.range is not None
        print(
            f"headline: estimate() of {len(sc.statements)} statements x 1 day, "
            f"{'weekly' if weekly else 'daily'} cycles ({est.projection.method}): "
            f"{cpu:.2f} s CPU; monthly ${est.totals.monthly_cost_usd:,.2f} "
            f"[${est.range.projection.monthly_cost_usd_low:,.2f}-"
            f"${est.range.projection.monthly_cost_usd_high:,.2f}], keep-up monthly "
            f"${est.keep_up.monthly_cost_usd:,.2f}"
        )


def main() -> None:
    sc = bench_scenario()
    run_projection(bench_scenario(4))  # numba: compile or load the cache first
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    proj = run_projection(sc)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    tracemalloc.start()
    run_projection(sc)
    traced_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()

    # With the range: the low-cost and the high-cost plans projected too (as estimate() does;
    # measured_rate_factor 0.8 .. 1.25 stands in for every parameter at its cheap/dear end).
    t0 = time.perf_counter()
    for factor in (1.25, 0.8):
        run_projection(sc, factor)
    range_wall = wall + time.perf_counter() - t0

    # The reference: every minute of the year, on whole pools, extrapolated.
    keep = {f"pool{k}" for k in range(REFERENCE_POOLS)}
    data = sc.model_dump(mode="json", exclude_none=True)
    data["statements"] = [s for s in data["statements"] if s["pool"] in keep]
    data["pools"] = [p for p in data["pools"] if p["name"] in keep]
    sub = parse_scenario(data)
    setup = simulation_setup(sub)
    t0 = time.perf_counter()
    full = projection.simulate_span(
        sub, setup.plans, pools=setup.pools, sim_options=setup.options, start=START, months=MONTHS
    )
    ref_timed = time.perf_counter() - t0
    ref_wall = ref_timed * STATEMENTS / len(sub.statements)
    sub_proj = run_projection(sub)
    got, want = int(sub_proj.by_statement.sum()), int(full.sum())
    worst = float(
        np.max(np.abs(sub_proj.by_statement.sum(axis=0) - full.sum(axis=0)) / full.sum(axis=0))
    )
    minutes = sum(m.hours * 60 for m in proj.months)
    print(
        f"projection: {STATEMENTS} statements x {MONTHS} months ({minutes:,} minutes each; "
        f"{proj.method}) in {wall:.2f} s wall ({cpu:.2f} s CPU), peak memory "
        f"{max(rss_mb, traced_mb):,.0f} MB (ru_maxrss growth {rss_mb:,.0f} MB, tracemalloc "
        f"{traced_mb:,.0f} MB) (goals: <= 10 s, < 1 GB)"
    )
    print(f"  with its low and high (3 projections, as an estimate runs them): {range_wall:.2f} s")
    print(
        f"  reference: every minute of the year for {len(sub.statements)} statements in "
        f"{ref_timed:.1f} s, extrapolated to {STATEMENTS}: {ref_wall:.0f} s "
        f"({ref_wall / wall:.1f}x the projection's time)"
    )
    print(
        f"  on those {len(sub.statements)} statements: annual CFU-minutes {got:,} projected vs "
        f"{want:,} simulated ({(got - want) / want:+.3%}); worst month {worst:.3%}"
    )
    ok = wall <= 10 and max(rss_mb, traced_mb) < 1024
    print("  goals met" if ok else "  GOALS NOT MET")
    headline()


if __name__ == "__main__":
    main()
