"""The per-minute table a simulation produces and billing reads.

Arrays are shaped (statements, minutes). Scaling states are small integer codes whose names
are in SCALING_STATES.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Timeline:
    names: tuple[str, ...]
    rps: np.ndarray  # float64, input records/s
    capacity: np.ndarray  # float64, records/s the statement's CFUs can process
    cfu: np.ndarray  # int64, CFUs in use (billed)
    backlog: np.ndarray  # float64, records behind at the end of the minute
    lag_seconds: np.ndarray  # float64, backlog / input rate
    state: np.ndarray  # int8, index into SCALING_STATES

    @property
    def minutes(self) -> int:
        return int(self.cfu.shape[1])

    def frame(self) -> pd.DataFrame:
        """The per-minute table, one row per statement and minute (statement-major)."""
        n, m = self.cfu.shape
        states = np.asarray(SCALING_STATES, dtype=object)
        return pd.DataFrame(
            {
                "statement": np.repeat(np.asarray(self.names, dtype=object), m),
                "minute": np.tile(np.arange(m, dtype=np.int64), n),
                "rps": self.rps.reshape(-1),
                "capacity": self.capacity.reshape(-1),
                "cfu": self.cfu.reshape(-1),
                "backlog": self.backlog.reshape(-1),
                "lag_seconds": self.lag_seconds.reshape(-1),
                "scaling_state": states[self.state.reshape(-1)],
            },
            columns=list(PER_MINUTE_KEYS),
        )
