"""How much simulation one request to the hosted app may ask for.

The schema accepts 2000 statements x 366 days (about a billion statement-minutes), which the
command line estimates in bounded memory but in tens of minutes of CPU. On a server shared by a
team, one such share link or upload must not take a core away from everybody for that long. So
the app refuses a scenario above MAX_STATEMENT_MINUTES with a field-named error that points to
the command line, and runs at most HEAVY_AT_ONCE large estimates at a time (the rest wait their
turn, up to WAIT_SECONDS, then are told the server is busy). Small estimates never wait.

The twelve-month projection (estimator.projection) simulates representative cycles whatever
the horizon: its work counts too, weighed as horizon minutes (projection_minutes).

Both limits are the server's to set, through environment variables named below.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

from estimator.errors import ScenarioError
from estimator.projection import simulated_minutes
from estimator.scenario import Scenario

T = TypeVar("T")


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


LIMIT_ENV = "CFU_ESTIMATOR_APP_MAX_STATEMENT_MINUTES"
MAX_STATEMENT_MINUTES = _env_int(LIMIT_ENV, 10_000_000)
"""Statements x horizon minutes the app estimates: about 40 s of one core (200 statements over
31 days, 8.9 million, took 37 s here); for instance 200 statements over a month or 19 over a
year."""

HEAVY_STATEMENT_MINUTES = 2_000_000
"""Above this an estimate counts as large (a few seconds of CPU or more)."""

HEAVY_AT_ONCE = _env_int("CFU_ESTIMATOR_APP_HEAVY_AT_ONCE", 1)
WAIT_SECONDS = 120.0

_HEAVY = threading.BoundedSemaphore(HEAVY_AT_ONCE)


PROJECTION_RUNS = 3
"""Projections an estimate runs: the expected one and the range's low-cost and high-cost."""
PROJECTED_PER_HORIZON_MINUTE = 30
"""Simulated statement-minutes of a projection that cost about one statement-minute of the
horizon (which an estimate simulates up to 15 times over, with hourly aggregation and advice
on top). Measured here: 200 statements x 12 months, 3 projections of about 59 million
statement-minutes each, 23 s of CPU; 200 statements x 31 days, 37 s (work_budget above)."""


def statement_minutes(scenario: Scenario) -> int:
    return len(scenario.statements) * scenario.horizon_minutes


def projection_minutes(scenario: Scenario) -> int:
    """The projection's work (estimator.projection.simulated_minutes) in statement-minutes of
    the horizon, so one budget weighs both."""
    projected = PROJECTION_RUNS * simulated_minutes(scenario)
    return projected // PROJECTED_PER_HORIZON_MINUTE


def check(scenario: Scenario, limit: int | None = None) -> None:
    """ScenarioError naming horizon_minutes when the scenario is more than the app takes."""
    limit = MAX_STATEMENT_MINUTES if limit is None else limit
    work = statement_minutes(scenario)
    if work <= limit:
        projected = projection_minutes(scenario)
        if projected > limit:
            raise ScenarioError(
                [
                    f"statements: projecting {len(scenario.statements):,} statements twelve "
                    f"months ahead (with their low and high) is as much work as "
                    f"{projected:,} statement-minutes, more than this app simulates "
                    f"({limit:,}). Estimate fewer statements at a time (for instance one pool), "
                    "or run `cfu-estimator estimate FILE` on your own machine, which has no "
                    "such limit."
                ]
            )
        return
    n = len(scenario.statements)
    most_minutes = max(1, limit // max(1, n))
    raise ScenarioError(
        [
            f"horizon_minutes: {n:,} statements over {scenario.horizon_minutes:,} minutes is "
            f"{work:,} statement-minutes, more than this app simulates ({limit:,}). Shorten "
            f"the horizon to at most {most_minutes:,} minutes (a representative week projects "
            "to the month), or run `cfu-estimator estimate FILE` on your own machine, which "
            "has no such limit."
        ]
    )


def run(scenario: Scenario, work: Callable[[], T], wait_seconds: float = WAIT_SECONDS) -> T:
    """work(), after check(); a large one waits for a free slot, at most wait_seconds."""
    check(scenario)
    if statement_minutes(scenario) + projection_minutes(scenario) <= HEAVY_STATEMENT_MINUTES:
        return work()
    if not _HEAVY.acquire(timeout=wait_seconds):
        raise ScenarioError(
            [
                "horizon_minutes: the server is busy with other large estimates; try again in "
                "a minute, or shorten the horizon (small estimates do not wait)."
            ]
        )
    try:
        return work()
    finally:
        _HEAVY.release()
