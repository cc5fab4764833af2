"""Long horizons run in pieces with the kernel's state carried over: the very same minutes as
one pass, and an hourly Timeline whose exact figures match the per-minute one."""

from __future__ import annotations

import numpy as np
import pytest

import estimator.simulate as simulate_module
from estimator.estimate import estimate
from estimator.examples import FOLDER
from estimator.scenario import load_scenario
from estimator.simulate import simulate_pieces
from estimator.timeline import PENDING, POOL_EXHAUSTED

EXAMPLES = sorted(FOLDER.glob("*.yaml"))
KEYS = ("cfu", "state", "backlog", "capacity", "lag_seconds", "rps")


def _plans(path):
    import sys

    est_mod = sys.modules["estimator.estimate"]
    from estimator.autoscaler import resolve
    from estimator.parameters import Parameters

    sc = load_scenario(path)
    params = Parameters(sc.parameters)
    classes = [est_mod._classify(st, bool(st.state_ttl)) for st in sc.statements]
    plans = [
        est_mod._plan(sc, st, c, params)[0] for st, c in zip(sc.statements, classes, strict=True)
    ]
    return sc, plans, {p.name: p.max_cfu for p in sc.pools}, resolve


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
@pytest.mark.parametrize("preset", ["autopilot", "flink-operator", "fixed"])
def test_pieces_are_the_same_minutes_as_one_pass(path, preset):
    sc, plans, caps, resolve = _plans(path)
    kw = {"pools": caps, "autoscaler": resolve(preset, {})}
    whole = simulate_module.simulate(plans, sc.horizon_minutes, **kw)
    for step in (7, 60):
        pieces = list(simulate_pieces(plans, sc.horizon_minutes, minutes_per_piece=step, **kw))
        assert pieces[0].lo == 0 and pieces[-1].hi == sc.horizon_minutes
        for key in KEYS:
            joined = np.concatenate([getattr(p, key) for p in pieces], axis=1)
            assert np.array_equal(getattr(whole, key), joined), (step, key)


def test_an_hourly_timeline_keeps_the_exact_figures(monkeypatch):
    path = FOLDER / "bursty_clickstream.yaml"
    small = estimate(load_scenario(path))
    assert small.timeline.per_minute
    monkeypatch.setattr(simulate_module, "PER_MINUTE_CELLS", 10)
    monkeypatch.setattr(simulate_module, "PIECE_CELLS", 3000)
    big = estimate(load_scenario(path))
    tl, ref = big.timeline, small.timeline
    assert not tl.per_minute and tl.resolution_minutes == 60 and tl.minutes == ref.minutes
    assert tl.cfu.shape == (len(ref.names), -(-ref.minutes // 60))
    assert np.array_equal(tl.cfu_minutes(), ref.cfu.sum(axis=1))
    assert np.array_equal(tl.peak_cfu(), ref.cfu.max(axis=1))
    assert np.array_equal(tl.minutes_in(POOL_EXHAUSTED), (ref.state == POOL_EXHAUSTED).sum(1))
    assert np.array_equal(tl.minutes_in(PENDING), (ref.state == PENDING).sum(1))
    assert np.allclose(tl.max_lag_seconds(), ref.lag_seconds.max(axis=1))
    assert np.array_equal(big.hourly_by_statement, small.hourly_by_statement)
    assert big.totals == small.totals
    assert [s.cfu_minutes for s in big.statements] == [s.cfu_minutes for s in small.statements]
    assert [p.peak_cfu for p in big.pools] == [p.peak_cfu for p in small.pools]
    # hour 0 of the hourly rates is the mean of minutes 0-59
    assert tl.rps[0, 0] == pytest.approx(ref.rps[0, :60].mean())
