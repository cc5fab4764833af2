"""A bounded cache of estimates for the app, shared by every session of the server.

Streamlit's cache counts entries, not bytes: 32 cached estimates of a year-long fleet would be
tens of GB. This one holds at most MAX_BYTES of estimates in all (their arrays counted) and at
most PER_SESSION entries that one session put in; least recently used go first. A session
editing a scenario fills its own share, never another session's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import fields

import numpy as np

from estimator.estimate import Estimate

MAX_BYTES = 1_500_000_000
"""Estimates held in all, across sessions (about 1.5 GB)."""

MAX_ENTRIES = 64
PER_SESSION = 4
"""Estimates one session keeps cached (its current scenario and a few it compares)."""


def estimate_bytes(est: Estimate) -> int:
    """Memory an estimate holds in arrays (its timeline and hourly bill), roughly."""
    tl = est.timeline
    total = int(est.hourly_by_statement.nbytes)
    for f in fields(tl):
        value = getattr(tl, f.name)
        if isinstance(value, np.ndarray):
            total += int(value.nbytes)
    if tl.summary is not None:
        total += int(tl.summary.hourly_cfu_minutes.nbytes)
    return total + 200 * len(est.statements) * 24


class _Build:
    """One key's build: its gate, how many callers are asking for it, and its estimate."""

    def __init__(self) -> None:
        self.gate = threading.Lock()
        self.callers = 0
        self.built: Estimate | None = None


class EstimateCache:
    """LRU by bytes and entries, with a per-session entry quota."""

    def __init__(
        self,
        max_bytes: int = MAX_BYTES,
        max_entries: int = MAX_ENTRIES,
        per_session: int = PER_SESSION,
    ) -> None:
        self.max_bytes, self.max_entries, self.per_session = max_bytes, max_entries, per_session
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[Estimate, int]] = OrderedDict()
        self._owners: dict[str, list[str]] = {}  # session -> its keys, oldest first
        self._building: dict[str, _Build] = {}  # keys being built, while anyone asks

    @property
    def bytes(self) -> int:
        with self._lock:
            return sum(size for _, size in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str, session: str, build: Callable[[], Estimate]) -> Estimate:
        """The cached estimate for `key`, else build() it once: callers asking for the same
        key meanwhile wait for that build and get its estimate (even one too big to keep).
        When a build fails, the next waiter builds."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[0]
            job = self._building.setdefault(key, _Build())
            job.callers += 1  # the entry goes once its last caller is done: never two gates
        try:
            with job.gate:
                if job.built is not None:
                    return job.built
                est = build()
                job.built = est
                self._put(key, session, est)
                return est
        finally:
            with self._lock:
                job.callers -= 1
                if job.callers == 0:
                    del self._building[key]

    def _put(self, key: str, session: str, est: Estimate) -> None:
        size = estimate_bytes(est)
        with self._lock:
            if size > self.max_bytes:
                return  # too big to keep: built again when asked
            self._items[key] = (est, size)
            mine = self._owners.setdefault(session, [])
            if key in mine:
                mine.remove(key)
            mine.append(key)
            while len(mine) > self.per_session:
                self._items.pop(mine.pop(0), None)
            total = sum(s for _, s in self._items.values())
            while self._items and (total > self.max_bytes or len(self._items) > self.max_entries):
                old, (_, old_size) = self._items.popitem(last=False)
                total -= old_size
                for keys in self._owners.values():
                    if old in keys:
                        keys.remove(old)
            self._owners = {s: k for s, k in self._owners.items() if k}
