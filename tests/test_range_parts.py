"""The range's lazily worked-out parts (EstimateRange.horizon and .drivers): each is worked out
exactly once however many threads read it first, and reading one never waits while the other
is being worked out (several sessions of the app share one cached estimate)."""

from __future__ import annotations

import threading
from typing import Any, cast

from estimator.uncertainty import EstimateRange, HorizonRange, RangeDriver

DEADLINE = 60.0  # seconds a thread may take before the test calls it stuck


def _range(find_horizon: Any, find_drivers: Any) -> EstimateRange:
    return EstimateRange(
        projection=cast(Any, None), find_horizon=find_horizon, find_drivers=find_drivers
    )


def test_the_horizon_is_read_while_another_thread_finds_the_drivers() -> None:
    finding, release = threading.Event(), threading.Event()
    horizon = cast(HorizonRange, object())

    def find_drivers() -> tuple[RangeDriver, ...]:
        finding.set()
        release.wait(DEADLINE)
        return ()

    spread = _range(lambda: horizon, find_drivers)
    finder = threading.Thread(target=lambda: spread.drivers)
    finder.start()
    try:
        assert finding.wait(DEADLINE)
        got: list[HorizonRange] = []
        reader = threading.Thread(target=lambda: got.append(spread.horizon))
        reader.start()
        reader.join(DEADLINE / 2)
        # read while the drivers are still being found (one lock for both would block it)
        assert not reader.is_alive() and got == [horizon]
        assert not spread.drivers_found
    finally:
        release.set()
        finder.join(DEADLINE)
    assert spread.drivers_found and spread.drivers == ()


def test_each_part_is_worked_out_once_under_concurrent_first_reads() -> None:
    calls = {"horizon": 0, "drivers": 0}
    entered, release = threading.Event(), threading.Event()
    horizon = cast(HorizonRange, object())
    drivers = (RangeDriver("k", "a key", cast(Any, 1), cast(Any, 2), 0.5, 2.0),)

    def find_horizon() -> HorizonRange:
        calls["horizon"] += 1
        entered.set()
        release.wait(DEADLINE)  # the others ask meanwhile
        return horizon

    def find_drivers() -> tuple[RangeDriver, ...]:
        calls["drivers"] += 1
        return drivers

    spread = _range(find_horizon, find_drivers)
    readers = 8
    start = threading.Barrier(2 * readers + 1)
    seen: list[object] = []

    def read(part: str) -> None:
        start.wait(DEADLINE)
        seen.append(getattr(spread, part))

    threads = [threading.Thread(target=read, args=(p,)) for p in ("horizon", "drivers") * readers]
    for t in threads:
        t.start()
    start.wait(DEADLINE)
    assert entered.wait(DEADLINE)
    release.set()
    for t in threads:
        t.join(DEADLINE)
    assert calls == {"horizon": 1, "drivers": 1}
    assert seen.count(horizon) == readers and seen.count(drivers) == readers
    assert spread.horizon is horizon and spread.drivers is drivers  # kept: no more calls
    assert calls == {"horizon": 1, "drivers": 1}
