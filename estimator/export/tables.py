"""The one builder of the rows every export shows: statements, pools, hourly, per-minute and
assumptions. The terminal table, `--format csv`, `--csv DIR`, the workbook and the app's
downloads read these rows, so they cannot drift apart.

User text (statement and pool names, errors, advice) is neutralised here, once: leading
control characters and blanks are dropped and text that would still start like a formula gets
a leading quote (estimator.export.safe). Numbers are left as numbers.

A table is a tuple of (column name, value of a row) pairs: adding a column is one line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from estimator.estimate import Estimate, PoolResult, StatementResult
from estimator.export.safe import safe_cell, safe_text
from estimator.scenario import Statement
from estimator.simulate import Piece
from estimator.timeline import PER_MINUTE_KEYS, SCALING_STATES

MONEY_PLACES = Decimal("0.000001")

PER_MINUTE_JSON_ROWS = 200_000
"""Most per-minute rows the JSON report and the app hold; the CSV export has them all."""


def money(value: Decimal) -> str:
    return f"{value.quantize(MONEY_PLACES)}"


def hours(cfu_minutes: int) -> str:
    return money(Decimal(int(cfu_minutes)) / 60)


def _blank(value: Any) -> Any:
    return "" if value is None else value


@dataclass(frozen=True)
class StatementRow:
    """What a statement row is built from."""

    est: Estimate
    result: StatementResult
    statement: Statement | None  # as the scenario gives it


Column = tuple[str, Callable[[Any], Any]]

STATEMENT_TABLE: tuple[Column, ...] = (
    ("name", lambda r: r.result.name),
    ("pool", lambda r: r.result.pool),
    ("kind", lambda r: r.result.kind),
    ("statement_type", lambda r: r.result.classification.statement_type),
    ("operators", lambda r: ", ".join(r.result.classification.operators)),
    ("partitions", lambda r: _blank(r.statement.partitions if r.statement else None)),
    ("rps", lambda r: _blank(r.statement.rps if r.statement else None)),
    ("message_bytes", lambda r: _blank(r.statement.message_bytes if r.statement else None)),
    ("records_per_cfu_second", lambda r: r.result.records_per_cfu_second),
    ("cfu_minutes", lambda r: r.result.cfu_minutes),
    ("cfu_hours", lambda r: hours(r.result.cfu_minutes)),
    ("cost_usd", lambda r: money(r.result.cost_usd)),
    ("peak_cfu", lambda r: r.result.peak_cfu),
    ("avg_cfu", lambda r: round(r.result.avg_cfu, 6)),
    ("max_backlog_records", lambda r: round(r.result.max_backlog_records, 3)),
    ("max_lag_seconds", lambda r: round(r.result.max_lag_seconds, 3)),
    ("exhausted_minutes", lambda r: r.result.exhausted_minutes),
    ("pending_minutes", lambda r: r.result.pending_minutes),
    ("advice", lambda r: "\n".join(a.text for a in r.result.advice)),
    ("warnings", lambda r: "\n".join(r.result.warnings)),
    ("error", lambda r: r.result.error or ""),
)

POOL_TABLE: tuple[Column, ...] = (
    ("name", lambda p: p.name),
    ("max_cfu", lambda p: p.max_cfu),
    ("peak_cfu", lambda p: p.peak_cfu),
    ("recommended_max_cfu", lambda p: _blank(p.recommended_max_cfu)),
    ("exhausted_minutes", lambda p: p.exhausted_minutes),
    ("cfu_minutes", lambda p: p.cfu_minutes),
    ("cfu_hours", lambda p: hours(p.cfu_minutes)),
    ("cost_usd", lambda p: money(p.cost_usd)),
    ("advice", lambda p: "\n".join(a.text for a in p.advice)),
)

HOURLY_COLUMNS: tuple[str, ...] = (
    "hour",
    "start_minute",
    "statement",
    "pool",
    "cfu_minutes",
    "cfu_hours",
    "cost_usd",
)
ASSUMPTION_COLUMNS: tuple[str, ...] = ("key", "label", "value", "unit", "source", "overridden")


def columns(table: tuple[Column, ...], keys: Iterable[str] | None = None) -> tuple[str, ...]:
    wanted = tuple(keys) if keys is not None else tuple(k for k, _ in table)
    known = {k for k, _ in table}
    missing = [k for k in wanted if k not in known]
    if missing:
        raise KeyError(f"no column {', '.join(missing)}")
    return wanted


def _values(
    table: tuple[Column, ...], items: Iterable[Any], keys: Iterable[str] | None
) -> Iterator[dict[str, Any]]:
    getters = dict(table)
    wanted = columns(table, keys)
    for item in items:
        yield {k: getters[k](item) for k in wanted}


def statement_values(est: Estimate, keys: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """One mapping per statement, columns `keys` of STATEMENT_TABLE, user text as typed.

    For writers with a typed channel of their own (the workbook writes text as string cells,
    never formulas); every text channel uses `statement_rows`."""
    scenario = {s.name: s for s in est.scenario.statements}
    items = (StatementRow(est, s, scenario.get(s.name)) for s in est.statements)
    return _values(STATEMENT_TABLE, items, keys)


def statement_rows(est: Estimate, keys: Iterable[str] | None = None) -> Iterator[list[Any]]:
    """One row per statement (user text neutralised), columns `keys` of STATEMENT_TABLE."""
    for values in statement_values(est, keys):
        yield [safe_cell(v) for v in values.values()]


def pool_values(est: Estimate, keys: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """One mapping per pool, columns `keys` of POOL_TABLE, user text as typed."""
    items: Iterable[PoolResult] = est.pools
    return _values(POOL_TABLE, items, keys)


def pool_rows(est: Estimate, keys: Iterable[str] | None = None) -> Iterator[list[Any]]:
    for values in pool_values(est, keys):
        yield [safe_cell(v) for v in values.values()]


def hourly_rows(est: Estimate) -> Iterator[list[Any]]:
    """One row per statement and hour: CFU-minutes, CFU-hours, cost."""
    data = est.hourly_by_statement
    for i, s in enumerate(est.statements):
        name, pool = safe_text(s.name), safe_text(s.pool)
        for hour, minutes in enumerate(data[i].tolist()):
            yield [
                hour,
                hour * 60,
                name,
                pool,
                minutes,
                hours(minutes),
                money(est.rate.cost(minutes)),
            ]


def assumption_rows(est: Estimate) -> Iterator[list[Any]]:
    for a in est.assumptions:
        yield [
            safe_cell(v)
            for v in (a.key, a.label, a.value, a.unit, a.source, str(a.overridden).lower())
        ]


def per_minute_frames(pieces: Iterable[Piece]) -> Iterator[pd.DataFrame]:
    """The per-minute table (columns PER_MINUTE_KEYS), one frame per statement and piece of
    the horizon: statement-major within a piece, pieces in time order. Names neutralised."""
    states = np.asarray(SCALING_STATES, dtype=object)
    for piece in pieces:
        minutes = np.arange(piece.lo, piece.hi, dtype=np.int64)
        w = piece.hi - piece.lo
        for i, name in enumerate(piece.names):
            yield pd.DataFrame(
                {
                    "statement": np.full(w, safe_text(name), dtype=object),
                    "minute": minutes,
                    "rps": piece.rps[i],
                    "capacity": piece.capacity[i],
                    "cfu": piece.cfu[i],
                    "backlog": piece.backlog[i],
                    "lag_seconds": piece.lag_seconds[i],
                    "scaling_state": states[piece.state[i]],
                },
                columns=list(PER_MINUTE_KEYS),
            )


def timeline_pieces(est: Estimate) -> Iterator[Piece]:
    """The estimate's per-minute timeline as one piece; nothing when it is hourly (a long
    horizon of many statements: `--csv DIR` streams those rows while simulating)."""
    tl = est.timeline
    if not tl.per_minute:
        return
    yield Piece(
        0,
        tl.minutes,
        tl.names,
        tuple(s.pool for s in est.statements),
        tl.rps,
        tl.capacity,
        tl.cfu,
        tl.backlog,
        tl.lag_seconds,
        tl.state,
    )


def per_minute_limit_note(est: Estimate, limit: int | None = None) -> str | None:
    """Why the per-minute rows shown are fewer than the table has, naming the CSV export."""
    limit = PER_MINUTE_JSON_ROWS if limit is None else limit
    total = len(est.statements) * est.scenario.horizon_minutes
    if est.timeline.per_minute and total <= limit:
        return None
    shown = min(limit, total) if est.timeline.per_minute else 0
    return (
        f"The per-minute table has {total:,} rows; {shown:,} are shown here. "
        "`cfu-estimator estimate SCENARIO --csv DIR` writes all of them to per_minute.csv."
    )


def per_minute_records(est: Estimate, limit: int | None = None) -> list[dict[str, Any]]:
    """At most `limit` (PER_MINUTE_JSON_ROWS) per-minute rows as dicts (the JSON report's
    `per_minute`); names are kept as typed (JSON is typed, nothing there is a formula)."""
    limit = PER_MINUTE_JSON_ROWS if limit is None else limit
    out: list[dict[str, Any]] = []
    for piece in timeline_pieces(est):
        states = np.asarray(SCALING_STATES, dtype=object)
        w = piece.hi - piece.lo
        for i, name in enumerate(piece.names):
            take = min(w, limit - len(out))
            if take <= 0:
                return out
            frame = pd.DataFrame(
                {
                    "statement": np.full(take, name, dtype=object),
                    "minute": np.arange(piece.lo, piece.lo + take, dtype=np.int64),
                    "rps": piece.rps[i, :take],
                    "capacity": piece.capacity[i, :take],
                    "cfu": piece.cfu[i, :take],
                    "backlog": piece.backlog[i, :take],
                    "lag_seconds": piece.lag_seconds[i, :take],
                    "scaling_state": states[piece.state[i, :take]],
                },
                columns=list(PER_MINUTE_KEYS),
            )
            out.extend(frame.to_dict(orient="records"))
    return out
