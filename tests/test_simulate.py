"""Autopilot and pools, minute by minute: behaviour, and invariants as property tests.

Expected values come from the scenario (rates, per-CFU rates, caps), never from the code
under test.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.autoscaler import resolve
from estimator.simulate import StatementPlan, simulate
from estimator.timeline import OK, PENDING, POOL_EXHAUSTED, STOPPED

PER_CFU = 10_000.0


def plan(name="s", rates=None, *, rps=0.0, pool="p", start=0, partitions=None, cap=None, **kw):
    return StatementPlan(
        name=name,
        pool=pool,
        start_minute=start,
        rps=rps,
        records_per_cfu_second=kw.pop("per_cfu", PER_CFU),
        is_ddl=kw.pop("is_ddl", False),
        parallelism_cap=cap,
        partitions=partitions,
        schedule=kw.pop("schedule", None),
        rates=rates,
    )


def step(minutes=240, at=60, low=2_000.0, high=40_000.0):
    return np.where(np.arange(minutes) < at, low, high)


def test_step_up_is_met_within_five_minutes_and_the_backlog_drains():
    tl = simulate([plan(rates=step())], 240, pools={"p": 50})
    # Within 5 minutes of the step, the statement has scaled up to carry 40,000 records/s.
    assert tl.cfu[0, 64] > tl.cfu[0, 59]
    assert tl.cfu[0, 65] * PER_CFU >= 40_000
    assert (tl.cfu[0, 66:] * PER_CFU >= 40_000).all()
    assert tl.backlog[0, 60] > 0
    assert tl.backlog[0, 120:].max() == 0  # drained within the hour
    assert tl.backlog[0, :60].max() == 0


def test_never_exceeds_partitions():
    tl = simulate([plan(rates=step(), partitions=3)], 240, pools={"p": 50})
    assert tl.cfu[0].max() == 3
    assert tl.backlog[0, -1] > tl.backlog[0, 120]  # 3 CFUs cannot carry 40,000/s: it grows


def test_select_stays_at_one_cfu():
    tl = simulate([plan(rates=step(), cap=1, partitions=48)], 240, pools={"p": 50})
    assert set(np.unique(tl.cfu[0])) == {1}


def test_never_above_fifty_cfus_per_statement():
    rates = np.full(120, 2_000_000.0)
    tl = simulate([plan(rates=rates, partitions=1000)], 120, pools={"p": 1000})
    assert tl.cfu[0].max() == 50


def test_steady_noisy_load_does_not_flap():
    rng = np.random.default_rng(1)
    rates = 25_000 * (1 + 0.05 * rng.standard_normal(720))
    tl = simulate([plan(rates=rates, partitions=48)], 720, pools={"p": 50})
    changes = np.count_nonzero(np.diff(tl.cfu[0, 60:]))
    assert changes <= 2
    assert tl.lag_seconds[0, 60:].max() < 120


def test_scales_down_after_the_load_drops_but_not_at_once():
    rates = step(minutes=300, at=120, low=40_000.0, high=2_000.0)
    tl = simulate([plan(rates=rates, partitions=48)], 300, pools={"p": 50})
    assert tl.cfu[0, 118] >= 5
    assert tl.cfu[0, 122] == tl.cfu[0, 118]  # waits for the scale-down delay
    assert tl.cfu[0, -1] == 1


def test_operator_preset_scales_down_later_than_autopilot():
    rates = step(minutes=400, at=120, low=40_000.0, high=2_000.0)
    fast = simulate([plan(rates=rates, partitions=48)], 400, pools={"p": 50})
    slow = simulate(
        [plan(rates=rates, partitions=48)],
        400,
        pools={"p": 50},
        autoscaler=resolve("flink-operator"),
    )
    first_low = lambda tl: int(np.argmax(tl.cfu[0, 120:] < tl.cfu[0, 119]))  # noqa: E731
    assert first_low(slow) >= 60 > first_low(fast)


def test_fixed_preset_holds_the_peak_cfus_all_along():
    tl = simulate(
        [plan(rates=step(), partitions=48)], 240, pools={"p": 50}, autoscaler=resolve("fixed")
    )
    assert set(np.unique(tl.cfu[0])) == {4}  # 40,000 / 10,000 per CFU


def test_full_pool_exhausts_and_a_late_statement_pends():
    hot = plan("hot", rates=step(), partitions=48)
    late = plan("late", rates=np.full(240, 5_000.0), start=100, partitions=12)
    tl = simulate([hot, late], 240, pools={"p": 3})
    assert tl.cfu[0].max() == 3
    assert (tl.state[0] == POOL_EXHAUSTED).any()
    assert (tl.cfu.sum(axis=0) <= 3).all()
    # The late statement cannot get its first CFU: PENDING, no cost, its input queues.
    assert (tl.state[1, 100:] == PENDING).all() and (tl.cfu[1] == 0).all()
    assert (tl.state[1, :100] == STOPPED).all()
    assert tl.backlog[1, -1] == 5_000 * 60 * 140
    assert tl.backlog[0, -1] > tl.backlog[0, 120]


def test_schedule_is_followed_exactly_and_ddl_bills_its_minute():
    sched = plan("sched", schedule=((10, 1), (30, 3)), start=5)
    ddl = plan("ddl", is_ddl=True, start=7)
    tl = simulate([sched, ddl], 60, pools={"p": 1})
    assert tl.cfu[0].tolist() == [0] * 5 + [1] * 10 + [3] * 30 + [0] * 15
    assert tl.cfu[1].sum() == 1 and tl.cfu[1, 7] == 1
    assert tl.state[1, 7] == OK and tl.state[1, 8] == STOPPED


# --- invariants


@st.composite
def workloads(draw):
    n = draw(st.integers(1, 5))
    minutes = draw(st.integers(30, 240))
    pools = {"a": draw(st.integers(1, 12)), "b": draw(st.integers(1, 12))}
    plans = []
    for i in range(n):
        kind = draw(st.sampled_from(["flat", "step", "noisy"]))
        level = draw(st.floats(100, 80_000))
        if kind == "flat":
            rates = np.full(minutes, level)
        elif kind == "step":
            rates = step(minutes, draw(st.integers(0, minutes)), level, draw(st.floats(0, 80_000)))
        else:
            seed = draw(st.integers(0, 1000))
            rates = level * np.random.default_rng(seed).uniform(0.5, 1.5, minutes)
        plans.append(
            plan(
                f"s{i}",
                rates=rates,
                pool=draw(st.sampled_from(["a", "b"])),
                start=draw(st.integers(0, minutes - 1)),
                partitions=draw(st.one_of(st.none(), st.integers(1, 24))),
                cap=draw(st.sampled_from([None, None, 1])),
                per_cfu=draw(st.sampled_from([2_000.0, 10_000.0])),
            )
        )
    preset = draw(st.sampled_from(["autopilot", "flink-operator", "fixed"]))
    return plans, minutes, pools, preset


@settings(max_examples=40, deadline=None)
@given(workloads())
def test_invariants(case):
    plans, minutes, pools, preset = case
    tl = simulate(plans, minutes, pools=pools, autoscaler=resolve(preset))
    for i, p in enumerate(plans):
        running = tl.cfu[i] > 0
        assert (tl.cfu[i, : p.start_minute] == 0).all()
        assert (tl.state[i][running] != PENDING).all()  # running means at least 1 CFU
        assert tl.cfu[i].max() <= min(c for c in (50, p.partitions, p.parallelism_cap) if c)
        assert (tl.backlog[i] >= 0).all()
    for name, cap in pools.items():
        rows = [i for i, p in enumerate(plans) if p.pool == name]
        assert (tl.cfu[rows].sum(axis=0) <= cap).all()
    # Billing sums exactly these per-minute CFUs.
    assert int(tl.cfu.sum()) == int(tl.frame()["cfu"].sum())


@settings(max_examples=25, deadline=None)
@given(workloads(), st.integers(0, 4), st.floats(1.0, 3.0))
def test_total_cfu_minutes_never_fall_when_a_rate_rises(case, which, factor):
    plans, minutes, _, preset = case
    pools = {"a": 10_000, "b": 10_000}  # pools that never cap: the monotonicity of demand
    i = which % len(plans)
    before = simulate(plans, minutes, pools=pools, autoscaler=resolve(preset)).cfu.sum()
    bigger = list(plans)
    bigger[i] = plan(
        plans[i].name,
        rates=plans[i].rates * factor,
        pool=plans[i].pool,
        start=plans[i].start_minute,
        partitions=plans[i].partitions,
        cap=plans[i].parallelism_cap,
        per_cfu=plans[i].records_per_cfu_second,
    )
    after = simulate(bigger, minutes, pools=pools, autoscaler=resolve(preset)).cfu.sum()
    assert after >= before
