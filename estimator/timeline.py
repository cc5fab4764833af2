"""The per-minute table a simulation produces and billing reads.

Arrays are shaped (statements, minutes). Scaling states are small integer codes whose names
are in SCALING_STATES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SCALING_STATES: tuple[str, ...] = (
    "STOPPED",
    "OK",
    "PENDING_SCALE_UP",
    "PENDING_SCALE_DOWN",
    "POOL_EXHAUSTED",
    "PENDING",
)
STOPPED, OK, PENDING_SCALE_UP, PENDING_SCALE_DOWN, POOL_EXHAUSTED, PENDING = range(6)

PER_MINUTE_KEYS: tuple[str, ...] = (
    "statement",
    "minute",
    "rps",
    "capacity",
    "cfu",
    "backlog",
    "lag_seconds",
    "scaling_state",
)


MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class Summary:
    """Exact figures over every minute of the horizon, per statement (statements, ...), kept
    when the Timeline itself is hourly. `pool_peaks` maps a pool name to the most CFUs its
    statements used together in any one minute; `total_peak` the same over all statements."""

    cfu_minutes: np.ndarray  # (n,) int64
    peak_cfu: np.ndarray  # (n,) int64
    running_minutes: np.ndarray  # (n,) int64, minutes with at least one CFU
    max_backlog: np.ndarray  # (n,) float64
    max_lag_seconds: np.ndarray  # (n,) float64
    exhausted_minutes: np.ndarray  # (n,) int64, minutes in POOL_EXHAUSTED
    pending_minutes: np.ndarray  # (n,) int64, minutes in PENDING
    peak_rps: np.ndarray  # (n,) float64, highest input rate of any minute
    hourly_cfu_minutes: np.ndarray  # (n, hours) int64
    pool_peaks: dict[str, int]
    total_peak: int


@dataclass(frozen=True)
class Timeline:
    """What the simulation produced, statement by statement.

    Small scenarios (statements x minutes up to estimator.simulate.PER_MINUTE_CELLS) keep the
    full per-minute table: `resolution_minutes` is 1 and column t is minute t. Larger ones
    (up to 2000 statements x 366 days) would not fit in memory, so the arrays are hourly
    aggregates (`resolution_minutes` 60, column h is minutes 60h..60h+59): rps and capacity
    are the hour's means, cfu, backlog and lag_seconds its highest values, state the hour's
    most pressing state (POOL_EXHAUSTED, then PENDING, then the last minute's). The exact
    per-minute figures (CFU-minutes, peaks, minutes exhausted) are then in `summary`; use the
    methods below, which answer from either form. The per-minute rows themselves are streamed
    to a file instead (estimator.simulate.simulate_pieces, `--csv DIR`).
    """

    names: tuple[str, ...]
    rps: np.ndarray  # float64, input records/s
    capacity: np.ndarray  # float64, records/s the statement's CFUs can process
    cfu: np.ndarray  # int64, CFUs in use (billed)
    backlog: np.ndarray  # float64, records behind at the end of the minute
    lag_seconds: np.ndarray  # float64, backlog / input rate
    state: np.ndarray  # int8, index into SCALING_STATES
    resolution_minutes: int = 1
    horizon_minutes: int | None = None  # set when resolution_minutes > 1
    summary: Summary | None = None  # set when resolution_minutes > 1
    _memo: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def _once(self, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def minutes(self) -> int:
        """Minutes of the horizon."""
        if self.horizon_minutes is not None:
            return self.horizon_minutes
        return int(self.cfu.shape[1]) * self.resolution_minutes

    @property
    def per_minute(self) -> bool:
        """True when the arrays hold every minute (column t = minute t)."""
        return self.resolution_minutes == 1

    def cfu_minutes(self) -> np.ndarray:
        """CFU-minutes per statement (n,), exact."""
        if self.summary is not None:
            return self.summary.cfu_minutes
        return self._once("cfu_minutes", lambda: self.cfu.sum(axis=1))

    def peak_cfu(self) -> np.ndarray:
        if self.summary is not None:
            return self.summary.peak_cfu
        return self._once("peak_cfu", lambda: self.cfu.max(axis=1, initial=0))

    def peak_rps(self) -> np.ndarray:
        """Highest input records/s of any minute, per statement."""
        if self.summary is not None:
            return self.summary.peak_rps
        return self._once("peak_rps", lambda: self.rps.max(axis=1, initial=0.0))

    def avg_cfu(self) -> np.ndarray:
        """Mean CFUs over the minutes each statement ran (0 when it never ran)."""
        running = (
            self.summary.running_minutes if self.summary is not None else (self.cfu > 0).sum(1)
        )
        total = self.cfu_minutes().astype(np.float64)
        return np.divide(total, running, out=np.zeros_like(total), where=running > 0)

    def max_backlog(self) -> np.ndarray:
        if self.summary is not None:
            return self.summary.max_backlog
        return self.backlog.max(axis=1, initial=0.0)

    def max_lag_seconds(self) -> np.ndarray:
        if self.summary is not None:
            return self.summary.max_lag_seconds
        return self._once("max_lag", lambda: self.lag_seconds.max(axis=1, initial=0.0))

    def minutes_in(self, code: int) -> np.ndarray:
        """Minutes per statement spent in POOL_EXHAUSTED or PENDING (n,)."""
        if self.summary is not None:
            if code == POOL_EXHAUSTED:
                return self.summary.exhausted_minutes
            if code == PENDING:
                return self.summary.pending_minutes
            raise ValueError(f"minutes_in counts POOL_EXHAUSTED and PENDING, not {code}")
        return self._once(f"in{code}", lambda: (self.state == code).sum(axis=1))

    def hourly_cfu_minutes(self) -> np.ndarray:
        """(statements, hours) CFU-minutes; hour 0 = minutes 0-59, a last partial hour."""
        if self.summary is not None:
            return self.summary.hourly_cfu_minutes
        n, m = self.cfu.shape
        hours = -(-m // MINUTES_PER_HOUR)
        if m % MINUTES_PER_HOUR == 0:  # whole hours: no padded copy
            return self.cfu.reshape(n, hours, MINUTES_PER_HOUR).sum(axis=2, dtype=np.int64)
        padded = np.zeros((n, hours * MINUTES_PER_HOUR), dtype=np.int64)
        padded[:, :m] = self.cfu
        return padded.reshape(n, hours, MINUTES_PER_HOUR).sum(axis=2)

    def peak_of(self, rows: list[int], pool: str | None = None) -> int:
        """Most CFUs the given statements used together in one minute (`pool`: the name of
        the pool those rows make up, or None for all statements)."""
        if not rows:
            return 0
        if self.summary is not None:
            if pool is None:
                return self.summary.total_peak
            return self.summary.pool_peaks.get(pool, 0)
        return int(self.cfu[rows].sum(axis=0).max())

    def frame(self) -> pd.DataFrame:
        """The table, one row per statement and column (statement-major); `minute` is the
        first minute of the column."""
        n, m = self.cfu.shape
        states = np.asarray(SCALING_STATES, dtype=object)
        return pd.DataFrame(
            {
                "statement": np.repeat(np.asarray(self.names, dtype=object), m),
                "minute": np.tile(np.arange(m, dtype=np.int64) * self.resolution_minutes, n),
                "rps": self.rps.reshape(-1),
                "capacity": self.capacity.reshape(-1),
                "cfu": self.cfu.reshape(-1),
                "backlog": self.backlog.reshape(-1),
                "lag_seconds": self.lag_seconds.reshape(-1),
                "scaling_state": states[self.state.reshape(-1)],
            },
            columns=list(PER_MINUTE_KEYS),
        )
