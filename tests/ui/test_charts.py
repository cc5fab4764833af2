"""Figures are pure functions of an estimate: checked without a browser."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from builders import fleet

from estimator import charts
from estimator.errors import ScenarioError
from estimator.estimate import Estimate, estimate
from estimator.examples import example_text
from estimator.scenario import loads_scenario, parse_scenario
from estimator.ui import share


def _est(name: str) -> Estimate:
    return estimate(loads_scenario(example_text(name)))


@pytest.fixture(scope="module")
def retail() -> Estimate:
    return _est("retail_orders")


@pytest.fixture(scope="module")
def bursty() -> Estimate:
    return _est("bursty_clickstream")


def test_cfu_chart_stacks_statements_per_pool_with_caps(retail: Estimate) -> None:
    fig = charts.cfu_by_statement(retail)
    assert isinstance(fig, go.Figure)
    stacked = [t for t in fig.data if t.stackgroup]
    assert {t.name for t in stacked} == {s.name for s in retail.statements}
    caps = [t for t in fig.data if t.name and t.name.endswith("MAX_CFU")]
    assert sorted(max(t.y) for t in caps) == sorted(p.max_cfu for p in retail.pools)
    # One point per minute for a day: the curve is exactly the simulated CFUs.
    first = stacked[0]
    i = next(k for k, s in enumerate(retail.statements) if s.name == first.name)
    assert np.allclose(first.y, retail.timeline.cfu[i])


def test_exhausted_minutes_are_shaded(bursty: Estimate) -> None:
    exhausted = [p for p in bursty.pools if p.exhausted_minutes]
    assert exhausted, "the bursty example is meant to exhaust a pool"
    fig = charts.cfu_by_statement(bursty)
    shaded = [s for s in fig.layout.shapes if s.fillcolor == charts.EXHAUSTED_COLOR]
    assert shaded
    mask = charts.pool_exhausted_mask(bursty, exhausted[0].name)
    assert mask.sum() >= exhausted[0].exhausted_minutes * 0.5
    assert any(t.name == "pool exhausted" for t in fig.data)


def test_long_horizons_are_averaged_into_buckets() -> None:
    axis = charts.time_axis(31 * 1440)
    assert axis.bucket * charts.MAX_POINTS >= 31 * 1440
    assert len(axis.x(31 * 1440)) <= charts.MAX_POINTS
    assert "mean of" in axis.title and axis.title.startswith("day")
    rows = np.array([[1, 1, 3, 3, 5]], dtype=float)
    assert charts.bucket_mean(rows, 2).tolist() == [[1.0, 3.0, 5.0]]
    assert charts.bucket_any(np.array([0, 0, 1, 0, 0]), 2).tolist() == [False, True, False]
    assert charts.runs(np.array([0, 1, 1, 0, 1])) == [(1, 3), (4, 5)]


def test_hourly_bill_adds_up_to_the_total(retail: Estimate) -> None:
    fig = charts.hourly_bill(retail)
    total = sum(sum(t.y) for t in fig.data)
    assert total == pytest.approx(float(retail.totals.cost_usd), rel=1e-9)
    assert len(fig.data[0].x) == len(retail.hourly)


def test_backlog_traffic_and_compare(bursty: Estimate, retail: Estimate) -> None:
    names = [s.name for s in bursty.statements if s.max_backlog_records > 0][:2]
    fig = charts.backlog_and_lag(bursty, names)
    assert {t.name for t in fig.data} == set(names)
    traffic = charts.traffic(retail, [retail.statements[1].name])
    assert len(traffic.data) == 2
    both = charts.compare_cfu([("a", retail), ("b", bursty)])
    assert [t.name for t in both.data] == ["a", "b"]
    costs = charts.compare_costs([("a", retail), ("b", bursty)])
    assert costs.data[0].y[0] == pytest.approx(float(retail.totals.monthly_cost_usd))
    quiet = charts.backlog_and_lag(retail, [])
    assert quiet.layout.annotations[0].text.startswith("No backlog")


def test_profile_preview() -> None:
    fig = charts.profile_preview(np.linspace(0, 100, 1440), title="ramp")
    assert fig.layout.title.text == "ramp"
    assert max(fig.data[0].y) == pytest.approx(100)


def test_share_token_round_trip_and_damage() -> None:
    data = {"name": "x" * 50, "statements": [{"name": "a", "sql": "SELECT 1", "rps": 1.5}]}
    token = share.encode(data)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert share.decode(token) == data

    for bad in ("", "!!!", token[:-5], share.encode([1, 2])):  # type: ignore[arg-type]
        with pytest.raises(ScenarioError) as info:
            share.decode(bad)
        assert info.value.problems[0].startswith("(link):")


@pytest.mark.parametrize("hourly", [False, True])
def test_the_range_band_follows_the_cfu_curve(monkeypatch, hourly: bool) -> None:
    from estimator import simulate as simulate_module

    if hourly:  # a long fleet's timeline: one column per hour
        monkeypatch.setattr(simulate_module, "PER_MINUTE_CELLS", 10)
    est = _est("retail_orders")
    assert est.timeline.resolution_minutes == (60 if hourly else 1)
    fig = charts.cfu_by_statement(est)
    stacked = [t for t in fig.data if t.stackgroup]
    band = [t for t in fig.data if t.legendgroup == "range"]
    assert len(band) == 2 * len(est.pools)
    for t in band:  # a value at every point of the stacked curve, over the same hours
        assert list(t.x) == list(stacked[0].x)
        assert len(t.y) == len(stacked[0].y)
    high, low = np.asarray(band[0].y), np.asarray(band[1].y)
    assert (low <= high).all() and high.max() > 0


def _fleet(n: int, pools: int = 1) -> Estimate:
    return estimate(
        parse_scenario(fleet(n, minutes=180, rps=lambda i: 1000 * (i + 1), pools=pools))
    )


def test_a_fleet_stacks_its_largest_statements_and_sums_the_others() -> None:
    """30 statements: the 11 largest drawn alone, the 19 others as one band; nothing lost."""
    est = _fleet(30)
    fig = charts.cfu_by_statement(est)
    stacked = [t for t in fig.data if t.stackgroup]
    assert len(stacked) == charts.MAX_SERIES
    assert stacked[-1].name == "19 other statements"
    largest = sorted(est.statements, key=lambda s: -s.cfu_minutes)[: charts.MAX_SERIES - 1]
    assert {t.name for t in stacked[:-1]} == {s.name for s in largest}
    assert np.allclose(sum(np.asarray(t.y) for t in stacked), est.timeline.cfu.sum(axis=0))
    # the 3 pools of a 90-statement fleet: one legend entry for the "others" bands
    split = _fleet(90, pools=3)
    others = [t for t in charts.cfu_by_statement(split).data if t.legendgroup == charts.OTHERS]
    assert len(others) == 3 and [t.showlegend for t in others].count(True) == 1
    bill = charts.hourly_bill(est)
    assert len(bill.data) == charts.MAX_SERIES
    total = sum(sum(t.y) for t in bill.data)
    assert total == pytest.approx(float(est.totals.cost_usd), rel=1e-6)


def test_a_dozen_statements_are_each_drawn_alone() -> None:
    est = _fleet(charts.MAX_SERIES)
    names = {t.name for t in charts.cfu_by_statement(est).data if t.stackgroup}
    assert names == {s.name for s in est.statements}
