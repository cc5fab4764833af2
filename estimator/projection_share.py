"""What the projections of one estimate share: each statement's rate cycles, built once, and
the windows already simulated, pool by pool (estimator.projection).

An estimate projects its scenario up to four times: the expected plans, the range's low-cost
and high-cost plans, and the keep-up plans (exhausted pools at their recommended MAX_CFU).
Their rate cycles are the same every time. A projection window simulates its statements
from the window's first minute, all starting together; the pools of such a simulation are
independent (a statement competes only for its own pool's CFUs, and every decision falls on
the same minutes whatever the other pools hold), so a pool whose statements, plans and
MAX_CFU are those of a window simulated before gets the very same CFU-minutes: they are taken
from there. The keep-up projection simulates again only the pools it raises, and a range
run only the pools whose records/s per CFU its parameters move.

One share serves one estimate (one scenario, one set of simulation options), in one thread;
it lives as long as that estimate is being worked out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from estimator.cycles import RateCycle, rate_cycle
from estimator.errors import TrafficError
from estimator.scenario import Scenario
from estimator.simulate import StatementPlan, simulate
from estimator.timeline import MINUTES_PER_HOUR


class ProjectionShare:
    """Rate cycles and simulated windows of one scenario's projections (see the module)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._cycles: dict[tuple[int, str | None], RateCycle | TrafficError] = {}
        self._windows: dict[Hashable, np.ndarray] = {}  # pool's key -> (its rows, hours)

    def cycle(self, row: int, first_day: str | None = None) -> RateCycle:
        """Statement `row`'s rate cycle (estimator.cycles.rate_cycle), built once; raises
        the TrafficError rate_cycle raises, every time it is asked."""
        key = (row, first_day)
        if key not in self._cycles:
            st = self.scenario.statements[row]
            try:
                self._cycles[key] = rate_cycle(self.scenario, st, first_day=first_day)
            except TrafficError as exc:
                self._cycles[key] = exc
        found = self._cycles[key]
        if isinstance(found, TrafficError):
            raise found
        return found

    def runner(
        self,
        plans: Sequence[StatementPlan],
        pools: Mapping[str, int],
        sim_options: Mapping[str, Any],
    ) -> WindowRunner:
        """Windows of these plans, pool caps and simulation options (one projection's)."""
        return WindowRunner(self, plans, pools, sim_options)


class WindowRunner:
    """One projection's windows, simulated or taken from its share (see the module)."""

    def __init__(
        self,
        share: ProjectionShare,
        plans: Sequence[StatementPlan],
        pools: Mapping[str, int],
        sim_options: Mapping[str, Any],
    ) -> None:
        self.share, self.plans, self.pools, self.sim_options = share, plans, pools, sim_options
        self._options = tuple(sorted(sim_options.items()))
        self._plan_keys = [_plan_key(p) for p in plans]

    def window(
        self, rows: Sequence[int], first: int, minutes: int, *, first_day: str | None, growth: bool
    ) -> np.ndarray:
        """(len(rows), hours) CFU-minutes: `rows` simulated over minutes first .. first +
        minutes - 1, all running from the window's first minute at the rates of their cycles
        (`first_day`, `growth`: RateCycle.at). Hourly sums are exact whether the simulation
        kept every minute or only hourly aggregates (estimator.timeline)."""
        members: dict[str, list[int]] = {}
        for i in rows:
            members.setdefault(self.plans[i].pool, []).append(i)
        known = self.share._windows
        keys = {
            pool: (
                self._options,
                first_day,
                first,
                minutes,
                growth,
                pool,
                self.pools.get(pool),
                tuple((i, self._plan_keys[i]) for i in them),
            )
            for pool, them in members.items()
        }
        todo = {pool for pool, key in keys.items() if key not in known}
        missing = [i for i in rows if self.plans[i].pool in todo]
        if missing:
            ran = {i: k for k, i in enumerate(missing)}
            hourly = self._simulate(missing, first, minutes, first_day, growth)
            for pool in todo:
                known[keys[pool]] = _compact(hourly[[ran[i] for i in members[pool]]])
        out = np.empty((len(rows), -(-minutes // MINUTES_PER_HOUR)), dtype=np.int64)
        at = {i: k for k, i in enumerate(rows)}
        for pool, them in members.items():
            out[[at[i] for i in them]] = known[keys[pool]]
        return out

    def _simulate(
        self, rows: Sequence[int], first: int, minutes: int, first_day: str | None, growth: bool
    ) -> np.ndarray:
        plans = [
            dataclasses.replace(
                self.plans[i],
                start_minute=0,
                rates=self.share.cycle(i, first_day).at(first, minutes, growth=growth),
            )
            for i in rows
        ]
        timeline = simulate(plans, minutes, pools=self.pools, **self.sim_options)
        return timeline.hourly_cfu_minutes()


def _plan_key(plan: StatementPlan) -> StatementPlan:
    """What of a plan the window's simulation reads besides its rates and start (both set by
    the window): hashable."""
    return dataclasses.replace(plan, start_minute=0, rates=None, rates_window=None)


def _compact(hourly: np.ndarray) -> np.ndarray:
    """CFU-minutes of an hour fit in 32 bits (at most 60 x MAX_CFU): half the memory kept."""
    if hourly.size and int(hourly.max()) >= 2**31:
        return hourly
    return hourly.astype(np.int32)
