"""The app's estimate cache under concurrent sessions: a key asked for by several sessions at
once is built once, whether or not the estimate is small enough to keep, and its build
bookkeeping goes away once nobody is asking."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from waiting import wait_for

from estimator.estimate import Estimate, estimate
from estimator.examples import DEFAULT_EXAMPLE, example_text
from estimator.scenario import loads_scenario
from estimator.ui.estimate_cache import EstimateCache, estimate_bytes

DEADLINE = 60.0
SESSIONS = 8


@pytest.fixture(scope="module")
def example() -> Estimate:
    return estimate(loads_scenario(example_text(DEFAULT_EXAMPLE)))


def _ask_at_once(cache: EstimateCache, build: Callable[[], Estimate]) -> list[Estimate]:
    """SESSIONS sessions ask for one key together; the build finishes only once every one of
    them is waiting for it."""
    got: list[Estimate] = []
    threads = [
        threading.Thread(target=lambda s=s: got.append(cache.get("key", f"session{s}", build)))
        for s in range(SESSIONS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert not any(t.is_alive() for t in threads)
    return got


def _gated_build(
    est: Estimate, cache: EstimateCache, builds: list[int], asking: int = SESSIONS
) -> Callable[[], Estimate]:
    def build() -> Estimate:
        builds.append(1)
        # hold the build until every session is asking for the key (waiting on it)
        job = cache._building["key"]
        assert wait_for(lambda: job.callers == asking, timeout=DEADLINE, every=0.01)
        return est

    return build


@pytest.mark.parametrize("kept", [True, False], ids=["kept", "too big to keep"])
def test_sessions_asking_for_one_key_at_once_build_it_once(example: Estimate, kept: bool) -> None:
    size = estimate_bytes(example)
    cache = EstimateCache(max_bytes=size * 4 if kept else size - 1)
    builds: list[int] = []
    got = _ask_at_once(cache, _gated_build(example, cache, builds))
    assert builds == [1]
    assert len(got) == SESSIONS and all(e is example for e in got)
    assert len(cache) == (1 if kept else 0)
    assert cache._building == {}  # nothing left behind once nobody asks
    # asked again later: a hit when kept; built again (once) when it was too big to keep
    cache.get("key", "late", _gated_build(example, cache, builds, asking=1))
    assert len(builds) == (1 if kept else 2)
    assert cache._building == {}


def test_when_a_build_fails_the_next_waiter_builds(example: Estimate) -> None:
    cache = EstimateCache()
    builds: list[int] = []

    def build() -> Estimate:
        builds.append(1)
        if len(builds) == 1:
            job = cache._building["key"]
            assert wait_for(lambda: job.callers == 2, timeout=DEADLINE, every=0.01)
            raise RuntimeError("the first build fails")
        return example

    got: list[object] = []

    def ask() -> None:
        try:
            got.append(cache.get("key", "s", build))
        except RuntimeError as exc:
            got.append(str(exc))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert builds == [1, 1]
    assert sorted(map(str, got)) == sorted([str(example), "the first build fails"])
    assert cache._building == {}
