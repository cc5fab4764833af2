"""Autopilot and pools, minute by minute: behaviour, and invariants as property tests.

Expected values come from the scenario (rates, per-CFU rates, caps), never from the code
under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


# --- the compiled kernel, its interpreted twin, and how it is loaded


def test_compiled_kernel_and_interpreted_loop_agree_on_every_minute():
    minutes = 300
    noisy = 30_000 * np.random.default_rng(3).uniform(0.5, 1.5, minutes)
    plans = [
        plan("hot", rates=step(minutes, 60, 2_000.0, 90_000.0), pool="a", partitions=48),
        plan("noisy", rates=noisy, pool="a", start=20, partitions=12),
        plan("late", rates=np.full(minutes, 20_000.0), pool="a", start=150, per_cfu=2_000.0),
        plan("drop", rates=step(minutes, 120, 40_000.0, 1_000.0), pool="b", partitions=47),
        plan("select", rates=np.full(minutes, 5_000.0), pool="b", cap=1),
        plan("sched", schedule=((30, 2), (60, 4)), pool="a", start=10),
        plan("ddl", is_ddl=True, pool="b", start=5),
    ]
    pools = {"a": 12, "b": 8}
    for preset in ("autopilot", "flink-operator", "fixed"):
        cfg = resolve(preset)
        fast = simulate(plans, minutes, pools=pools, autoscaler=cfg)
        slow = simulate(plans, minutes, pools=pools, autoscaler=cfg, interpreted=True)
        assert np.array_equal(fast.cfu, slow.cfu)  # 100% of statement-minutes
        for field in ("state", "backlog", "capacity", "lag_seconds", "rps"):
            assert np.array_equal(getattr(fast, field), getattr(slow, field)), (preset, field)
        if preset == "autopilot":  # the workload reaches the pool limit and a late start waits
            assert (fast.state == POOL_EXHAUSTED).any() and (fast.state == PENDING).any()


@settings(max_examples=20, deadline=None)
@given(workloads())
def test_compiled_kernel_and_interpreted_loop_agree_on_any_workload(case):
    plans, minutes, pools, preset = case
    cfg = resolve(preset)
    fast = simulate(plans, minutes, pools=pools, autoscaler=cfg)
    slow = simulate(plans, minutes, pools=pools, autoscaler=cfg, interpreted=True)
    for field in ("cfu", "state", "backlog", "capacity", "lag_seconds"):
        assert np.array_equal(getattr(fast, field), getattr(slow, field)), field


def test_aligned_scale_down_never_takes_more_cfus_than_the_pool_granted():
    # 47 partitions: the only divisors are 1 and 47. The pool grants 10 of the 47 wanted; when
    # the load drops, rounding the scale-down target up to a divisor would give 47.
    rates = np.where(np.arange(400) < 100, 200_000.0, 1_000.0)
    tl = simulate(
        [plan(rates=rates, partitions=47)],
        400,
        pools={"p": 10},
        autoscaler=resolve("flink-operator"),
    )
    assert tl.cfu[0].max() == 10
    assert (tl.cfu.sum(axis=0) <= 10).all()


def test_no_restart_when_the_scale_down_step_leaves_the_same_cfus():
    # Giving up at most 10% of 7 CFUs leaves 7: nothing to rescale, so no processing pause.
    rates = step(300, 100, 40_000.0, 2_000.0)
    cfg = resolve("autopilot", {"max_scale_down_factor": 0.1})
    tl = simulate([plan(rates=rates, partitions=48)], 300, pools={"p": 50}, autoscaler=cfg)
    settled = tl.cfu[0, 20]
    assert settled * PER_CFU >= 40_000
    assert (tl.cfu[0, 20:] == settled).all()
    assert (tl.capacity[0, 20:] == settled * PER_CFU).all()  # never paused


def test_kernel_cache_moves_to_a_user_dir_when_the_package_dir_is_read_only(monkeypatch, tmp_path):
    from estimator import simulate_kernel

    package = Path(simulate_kernel.__file__).resolve().parent
    writable = simulate_kernel._writable
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(
        simulate_kernel, "_writable", lambda p: package not in p.parents and writable(p)
    )
    assert simulate_kernel._cache_dir() == str(tmp_path / "flink-cfu-estimator" / "numba")
    monkeypatch.setattr(simulate_kernel, "_writable", lambda p: False)
    assert simulate_kernel._cache_dir() is None  # no cache at all: compiled once per process


def test_start_up_compiles_nothing_and_the_first_simulation_warns_nothing(tmp_path):
    code = """
import sys
import estimator.cli
assert "numba" not in sys.modules, "importing the CLI loaded numba"
from estimator.simulate import StatementPlan, simulate
from estimator.simulate_kernel import run
assert not run.signatures, "importing the kernel compiled it"
simulate([StatementPlan("s", "p", 0, 1000.0, 10000.0, False, None, None, None)], 60)
assert len(run.signatures) == 1
"""
    # A fresh cache directory: the first simulation compiles; any warning is an error.
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_interpreted_reference_runs_no_compiled_code():
    """The reference the compiled kernel is held against is plain Python all the way down: a
    compiled function's py_func alone would still call the compiled run_chunk."""
    import types

    from estimator import simulate_kernel

    slow = simulate_kernel.interpreted("run")
    assert isinstance(slow, types.FunctionType)
    for name in ("run_chunk", "new_state", "decision_minutes", "_ring"):
        assert isinstance(slow.__globals__[name], types.FunctionType), name
        assert slow.__globals__[name] is not getattr(simulate_kernel, name)
