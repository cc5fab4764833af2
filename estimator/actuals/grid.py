"""Put metric samples on the scenario's minutes: minute 0 is the horizon start.

Per statement (as named in the metrics): CFUs, records in and out per minute, records pending;
per compute pool: CFUs, CFU-minutes consumed, CFU limit. Series of one statement over several
tables (records in per source table) are summed. Points come in any order; two points in the
same minute keep the later one. A gauge's gap of up to MAX_GAP_FILL_MINUTES inside its series
holds the value before it (a missed scrape); a longer gap, or the time before the first and
after the last point, means the statement was not running (0 CFUs). Counters (records in and
out, CFU-minutes consumed) are never filled: an unknown minute stays unknown.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from estimator.actuals.samples import ActualsError, Readout, iso

MAX_GAP_FILL_MINUTES = 5
"""Longest gap inside a gauge series taken as missed scrapes (held), not as a stop."""
MAX_GRID_CELLS = 5_000_000
"""Most (statements + pools) x minutes laid out: bounds the memory one file can ask for."""


@dataclass(frozen=True)
class StatementSeries:
    name: str  # as named in the metrics
    pool_id: str | None
    cfu: np.ndarray  # CFUs per minute; 0 when not running
    records_in: np.ndarray  # records read in the minute; NaN when unknown
    records_out: np.ndarray
    pending: np.ndarray  # records behind at the minute; NaN when unknown
    metrics: frozenset[str]  # metric keys with at least one point
    filled_minutes: int = 0  # minutes held over short gaps


@dataclass(frozen=True)
class PoolSeries:
    pool_id: str
    cfu: np.ndarray  # NaN when unknown
    cfu_minutes: np.ndarray  # NaN when unknown
    cfu_limit: float | None
    metrics: frozenset[str]


@dataclass
class Grid:
    start: float  # seconds since the epoch of minute 0
    minutes: int
    statements: dict[str, StatementSeries]
    pools: dict[str, PoolSeries]
    covered: tuple[int, int] | None  # first and last minute with any point
    notes: list[str] = field(default_factory=list)

    def minute_time(self, minute: int) -> str:
        return iso(self.start + 60 * minute)


def _fill(row: np.ndarray) -> tuple[np.ndarray, int]:
    """Hold a gauge over interior gaps up to MAX_GAP_FILL_MINUTES; count minutes filled."""
    known = np.flatnonzero(~np.isnan(row))
    filled = 0
    out = row.copy()
    for a, b in itertools.pairwise(known):
        gap = int(b - a - 1)
        if 0 < gap <= MAX_GAP_FILL_MINUTES:
            out[a + 1 : b] = row[a]
            filled += gap
    return out, filled


def _series(points: dict[int, float], minutes: int) -> np.ndarray:
    row = np.full(minutes, np.nan)
    for minute, value in points.items():
        row[minute] = value
    return row


def _sum_tables(tables: dict[str | None, dict[int, float]], minutes: int) -> np.ndarray:
    """Sum per-table series minute by minute; a minute is known when any table has it."""
    total = np.full(minutes, np.nan)
    for points in tables.values():
        row = _series(points, minutes)
        known = ~np.isnan(row)
        total[known] = np.where(np.isnan(total[known]), 0.0, total[known]) + row[known]
    return total


def build_grid(readout: Readout, minutes: int, start: float | None = None) -> Grid:
    """Samples on minutes 0..minutes-1 from `start` (default: the first sample's minute)."""
    samples = readout.samples
    first = min(s.time for s in samples)
    origin = math.floor((first if start is None else start) / 60.0) * 60.0
    notes: list[str] = []
    # (key, statement or pool, table) -> minute -> (time, value): the latest point wins
    cells: dict[tuple[str, str, str | None], dict[int, tuple[float, float]]] = defaultdict(dict)
    pool_votes: dict[str, Counter[str]] = defaultdict(Counter)
    outside = duplicates = 0
    for s in samples:
        minute = math.floor((s.time - origin) / 60.0)
        if minute < 0 or minute >= minutes:
            outside += 1
            continue
        owner = s.statement if s.metric.level == "statement" else (s.pool or "(unnamed pool)")
        if owner is None:
            continue
        if s.metric.level == "statement" and s.pool:
            pool_votes[owner][s.pool] += 1
        cell = cells[(s.metric.key, owner, s.table)]
        held = cell.get(minute)
        if held is not None:
            duplicates += 1
            if held[0] > s.time:
                continue
        cell[minute] = (s.time, s.value)
    if outside:
        notes.append(
            f"{outside:,} point(s) outside the horizon ({iso(origin)} + "
            f"{minutes:,} minutes) were left out"
        )
    if duplicates:
        notes.append(f"{duplicates:,} point(s) fell in a minute already seen: the latest was kept")

    by_owner: dict[tuple[str, str], dict[str | None, dict[int, float]]] = defaultdict(dict)
    for (key, owner, table), cell in cells.items():
        by_owner[(key, owner)][table] = {m: v for m, (_, v) in cell.items()}

    statement_names = sorted({o for (k, o) in by_owner if not k.startswith("pool_")})
    pool_names = sorted({o for (k, o) in by_owner if k.startswith("pool_")})
    cells_asked = (len(statement_names) + len(pool_names)) * minutes
    if cells_asked > MAX_GRID_CELLS:
        raise ActualsError(
            f"{len(statement_names):,} statements and {len(pool_names):,} pools over "
            f"{minutes:,} minutes is more than reconcile lays out ({MAX_GRID_CELLS:,} "
            "series-minutes); query fewer statements or a shorter horizon"
        )
    statements: dict[str, StatementSeries] = {}
    for name in statement_names:

        def row(key: str, owner: str = name) -> np.ndarray:
            tables = by_owner.get((key, owner))
            return _sum_tables(tables, minutes) if tables else np.full(minutes, np.nan)

        cfu, filled = _fill(row("statement_cfus"))
        pending, _ = _fill(row("pending_records"))
        has = frozenset(k for (k, o) in by_owner if o == name)
        votes = pool_votes.get(name)
        statements[name] = StatementSeries(
            name=name,
            pool_id=votes.most_common(1)[0][0] if votes else None,
            cfu=np.nan_to_num(cfu, nan=0.0),
            records_in=row("records_in"),
            records_out=row("records_out"),
            pending=pending,
            metrics=has,
            filled_minutes=filled,
        )
    pools: dict[str, PoolSeries] = {}
    for pid in pool_names:

        def prow(key: str, owner: str = pid) -> np.ndarray:
            tables = by_owner.get((key, owner))
            return _sum_tables(tables, minutes) if tables else np.full(minutes, np.nan)

        limit = prow("pool_cfu_limit")
        pool_cfu, _ = _fill(prow("pool_cfus"))
        pools[pid] = PoolSeries(
            pool_id=pid,
            cfu=pool_cfu,
            cfu_minutes=prow("pool_cfu_minutes"),
            cfu_limit=float(np.nanmax(limit)) if np.isfinite(limit).any() else None,
            metrics=frozenset(k for (k, o) in by_owner if o == pid),
        )
    used = sorted({m for cell in cells.values() for m in cell})
    covered = (used[0], used[-1]) if used else None
    return Grid(origin, minutes, statements, pools, covered, notes)
