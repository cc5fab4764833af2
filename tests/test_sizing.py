"""Sizing advice: pool max_cfu, splits, partitions and warnings, as sentences with numbers."""

from __future__ import annotations

from builders import HOT_POOL

from estimator.estimate import estimate
from estimator.scenario import loads_scenario
from estimator.sizing import clock, first_fit_decreasing


def test_first_fit_decreasing_packs_largest_first():
    bins = first_fit_decreasing({"a": 30, "b": 25, "c": 20, "d": 15, "e": 10}, 50)
    assert bins == [["a", "c"], ["b", "d", "e"]]
    assert first_fit_decreasing({"huge": 70}, 50) == [["huge"]]


def test_clock_formats_minutes():
    assert clock(845, 1440) == "14:05"
    assert clock(1440 + 60, 3 * 1440) == "day 2 01:00"


def test_exhausted_pool_gets_a_max_cfu_that_avoids_it():
    est = estimate(loads_scenario(HOT_POOL))
    pool = est.pools[0]
    assert pool.exhausted_minutes > 0
    # 60,000 records/s at ~10,000 per CFU needs at least 6 CFUs, more than the pool's 4.
    assert pool.recommended_max_cfu is not None and pool.recommended_max_cfu >= 6
    assert pool.advice[0].text.startswith("Pool small ran out of CFUs for ")
    assert f"set max_cfu to {pool.recommended_max_cfu}." in pool.advice[0].text
    assert est.statements[0].exhausted_minutes > 0
    assert pool.advice[0] in est.advice


def test_big_pool_is_split_into_pools_of_at_most_fifty():
    statements = "\n".join(
        f"  - {{name: s{i}, sql: 'INSERT INTO t SELECT a FROM s', rps: 200000, partitions: 30}}"
        for i in range(4)
    )
    text = "name: big\nhorizon_minutes: 120\npools: [{name: default, max_cfu: 1000}]\n"
    est = estimate(loads_scenario(text + f"statements:\n{statements}\n"))
    split = [a.text for a in est.pools[0].advice if "split it into" in a.text]
    assert split and "above the 50 a pool allows" in split[0]


def test_partitions_capping_a_lagging_statement_are_named():
    text = HOT_POOL.replace("max_cfu: 4", "max_cfu: 50").replace("partitions: 24", "partitions: 2")
    est = estimate(loads_scenario(text))
    advice = " ".join(a.text for a in est.statements[0].advice)
    assert "capped by its 2 partitions" in advice and "at least" in advice
    assert "behind its input" in advice


def test_unbounded_state_and_light_statements_are_flagged():
    text = """
name: w
horizon_minutes: 60
statements:
  - name: counts
    sql: "INSERT INTO c SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id"
    rps: 100
"""
    est = estimate(loads_scenario(text))
    advice = " ".join(a.text for a in est.statements[0].advice)
    # A GROUP BY outside a window with no state TTL keeps a row per key forever (DOMAIN.md).
    assert est.statements[0].classification.state == "unbounded"
    assert "grows without bound" in advice
    assert "sits at 1 CFU using at most" in advice
