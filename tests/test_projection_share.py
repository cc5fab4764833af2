"""The projections of one estimate share their rate cycles and their simulated pools
(estimator.projection_share): each cycle is built once, a pool simulated alike is not simulated
again, and every figure is the very same as a projection worked out alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from estimator import cycles, projection, projection_share
from estimator.billing import Rate
from estimator.errors import TrafficError
from estimator.estimate import estimate, simulation_setup
from estimator.scenario import Scenario, loads_scenario

# Two pools: "tight" cannot hold its statements (keep-up raises it), "roomy" can.
TWO_POOLS = """
name: two pools
horizon_minutes: 1440
projection: {months: 12, start: "2027-01"}
pools:
  - {name: roomy, max_cfu: 50}
  - {name: tight, max_cfu: 2}
statements:
  - name: weekly
    pool: roomy
    sql: "INSERT INTO a SELECT * FROM orders WHERE x > 0"
    profile: {shape: daily, trough_rps: 2000, peak_rps: 20000, peak_hour: 12,
              weekend_factor: 0.5, growth_pct_per_month: 4}
    records_per_cfu_second: 5000
    partitions: 24
  - name: flat
    pool: roomy
    sql: "INSERT INTO b SELECT * FROM orders WHERE y > 0"
    rps: 9000
    records_per_cfu_second: 5000
    partitions: 24
  - name: squeezed
    pool: tight
    sql: "INSERT INTO c SELECT * FROM clicks WHERE z > 0"
    profile: {shape: daily, trough_rps: 5000, peak_rps: 30000, peak_hour: 18,
              growth_pct_per_month: 2}
    records_per_cfu_second: 5000
    partitions: 24
"""


def _project(sc: Scenario, caps: dict[str, int], share: Any = None) -> projection.Projection:
    setup = simulation_setup(sc)
    return projection.project(
        sc,
        setup.plans,
        pools={**setup.pools, **caps},
        sim_options=setup.options,
        rate=Rate(Decimal("0.21")),
        horizon_cfu_minutes=np.zeros(len(sc.statements), dtype=np.int64),
        share=share,
    )


def _same(a: projection.Projection, b: projection.Projection) -> None:
    assert a.months == b.months
    np.testing.assert_array_equal(a.by_statement, b.by_statement)
    np.testing.assert_array_equal(a.cycle_cfu_minutes, b.cycle_cfu_minutes)
    assert a.annual_cost_usd == b.annual_cost_usd


def test_a_second_projection_builds_no_cycle_and_simulates_only_the_raised_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sc = loads_scenario(TWO_POOLS)
    built: list[str] = []
    simulated: list[set[str]] = []
    real_cycle, real_simulate = cycles.rate_cycle, projection_share.simulate

    def counting_cycle(scenario: Scenario, st: Any, **kw: Any) -> cycles.RateCycle:
        built.append(st.name)
        return real_cycle(scenario, st, **kw)

    def counting_simulate(plans: Any, minutes: int, **kw: Any) -> Any:
        simulated.append({p.pool for p in plans})
        return real_simulate(plans, minutes, **kw)

    monkeypatch.setattr(projection_share, "rate_cycle", counting_cycle)
    monkeypatch.setattr(projection_share, "simulate", counting_simulate)
    share = projection_share.ProjectionShare(sc)
    expected = _project(sc, {}, share)
    # each statement's cycle twice (its own week, and from the calendar's weekday), once
    assert sorted(built) == sorted(["weekly", "flat", "squeezed"] * 2)
    assert expected.method.startswith("one simulated cycle (1 week)")
    assert all(pools == {"roomy", "tight"} for pools in simulated)
    windows = len(simulated)  # monthly's, then one a half month: 1 + 24
    assert windows == 25

    built.clear()
    simulated.clear()
    kept = _project(sc, {"tight": 20}, share)
    assert built == []  # the cycles were shared
    assert simulated == [{"tight"}] * windows  # "roomy" is as it was: taken, not simulated
    _same(kept, _project(sc, {"tight": 20}))  # the same as a projection worked out alone
    assert kept.annual_cost_usd > expected.annual_cost_usd  # the raised pool keeps up: dearer


def test_an_estimate_gives_the_same_figures_as_projections_worked_out_alone() -> None:
    sc = loads_scenario(TWO_POOLS)
    est = estimate(sc)  # its four projections share one ProjectionShare
    assert est.projection is not None and est.keep_up is not None
    _same(est.projection, _project(sc, {}))
    alone = _project(sc, est.keep_up.pools)
    assert est.keep_up.monthly_cost_usd == alone.monthly_cost(est.rate)
    assert est.keep_up.annual_cost_usd == alone.annual_cost_usd


def test_a_cycle_is_built_once_per_weekday_and_so_is_a_traffic_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sc = loads_scenario(TWO_POOLS)
    share = projection_share.ProjectionShare(sc)
    assert share.cycle(0) is share.cycle(0)
    assert share.cycle(0, "friday") is not share.cycle(0)  # another weekday: another cycle
    calls: list[int] = []

    def unreadable(*_: Any, **__: Any) -> cycles.RateCycle:
        calls.append(1)
        raise TrafficError(["statements[1].profile: the series cannot be read"])

    monkeypatch.setattr(projection_share, "rate_cycle", unreadable)
    for _ in range(2):
        with pytest.raises(TrafficError, match="cannot be read"):
            share.cycle(1)
    assert calls == [1]
