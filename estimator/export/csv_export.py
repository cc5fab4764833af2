"""The estimate as a folder of CSV files and its JSON, from the same data as the workbook.

    statements.csv   one row per statement (as the Statements sheet)
    pools.csv        one row per compute pool, with sizing advice
    hourly.csv       one row per statement and hour: CFU-minutes, CFU-hours, cost
    per_minute.csv   the simulation table, one row per statement and minute
                     (columns: estimator.timeline.PER_MINUTE_KEYS)
    assumptions.csv  every model parameter with value, unit and source
    estimate.json    report.to_dict(est), the command line's JSON contract

UTF-8, comma-separated, a header row, CRLF line ends as RFC 4180 has them (so a field holding
a CR or LF is quoted, and every CSV reader keeps it inside the field). Money is rounded to 6
decimals as in the JSON (so a column of costs sums to the total to well within a cent);
CFU-minutes are exact integers. Text a user typed that starts like a formula (=, +, -, @, tab,
CR) gets a leading quote (see estimator.export.safe).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from estimator import report
from estimator.estimate import Estimate
from estimator.export.safe import safe_cell, safe_text
from estimator.timeline import PER_MINUTE_KEYS, SCALING_STATES

MONEY_PLACES = Decimal("0.000001")
LINE_END = "\r\n"

STATEMENT_COLUMNS: tuple[str, ...] = (
    "name",
    "pool",
    "kind",
    "statement_type",
    "operators",
    "partitions",
    "rps",
    "message_bytes",
    "records_per_cfu_second",
    "cfu_minutes",
    "cfu_hours",
    "cost_usd",
    "peak_cfu",
    "avg_cfu",
    "max_backlog_records",
    "max_lag_seconds",
    "exhausted_minutes",
    "pending_minutes",
    "advice",
    "warnings",
    "error",
)
POOL_COLUMNS: tuple[str, ...] = (
    "name",
    "max_cfu",
    "peak_cfu",
    "recommended_max_cfu",
    "exhausted_minutes",
    "cfu_minutes",
    "cfu_hours",
    "cost_usd",
    "advice",
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


def _money(value: Decimal) -> str:
    return f"{value.quantize(MONEY_PLACES)}"


def _hours(cfu_minutes: int) -> str:
    return _money(Decimal(int(cfu_minutes)) / 60)


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator=LINE_END)
        writer.writerow(header)
        writer.writerows([safe_cell(v) for v in row] for row in rows)
    return path


def _statement_rows(est: Estimate) -> Iterable[list[Any]]:
    scenario = {s.name: s for s in est.scenario.statements}
    for s in est.statements:
        st = scenario.get(s.name)
        yield [
            s.name,
            s.pool,
            s.kind,
            s.classification.statement_type,
            ", ".join(s.classification.operators),
            _blank(st.partitions if st else None),
            _blank(st.rps if st else None),
            _blank(st.message_bytes if st else None),
            s.records_per_cfu_second,
            s.cfu_minutes,
            _hours(s.cfu_minutes),
            _money(s.cost_usd),
            s.peak_cfu,
            round(s.avg_cfu, 6),
            round(s.max_backlog_records, 3),
            round(s.max_lag_seconds, 3),
            s.exhausted_minutes,
            s.pending_minutes,
            "\n".join(r.text for r in s.advice),
            "\n".join(s.warnings),
            s.error or "",
        ]


def _pool_rows(est: Estimate) -> Iterable[list[Any]]:
    for p in est.pools:
        yield [
            p.name,
            p.max_cfu,
            p.peak_cfu,
            _blank(p.recommended_max_cfu),
            p.exhausted_minutes,
            p.cfu_minutes,
            _hours(p.cfu_minutes),
            _money(p.cost_usd),
            "\n".join(r.text for r in p.advice),
        ]


def _hourly_rows(est: Estimate) -> Iterable[list[Any]]:
    data = est.hourly_by_statement
    for i, s in enumerate(est.statements):
        for hour, minutes in enumerate(data[i].tolist()):
            yield [
                hour,
                hour * 60,
                s.name,
                s.pool,
                minutes,
                _hours(minutes),
                _money(est.rate.cost(minutes)),
            ]


def _assumption_rows(est: Estimate) -> Iterable[list[Any]]:
    for a in est.assumptions:
        yield [a.key, a.label, a.value, a.unit, a.source, "true" if a.overridden else "false"]


def write_per_minute_csv(est: Estimate, path: Path) -> Path:
    """The per-minute table (as Timeline.frame()), written one statement at a time."""
    tl = est.timeline
    m = tl.minutes
    states = np.asarray(SCALING_STATES, dtype=object)
    minutes = np.arange(m, dtype=np.int64)
    with path.open("w", newline="", encoding="utf-8") as fh:
        for i, name in enumerate(tl.names):
            frame = pd.DataFrame(
                {
                    "statement": np.full(m, safe_text(name), dtype=object),
                    "minute": minutes,
                    "rps": tl.rps[i],
                    "capacity": tl.capacity[i],
                    "cfu": tl.cfu[i],
                    "backlog": tl.backlog[i],
                    "lag_seconds": tl.lag_seconds[i],
                    "scaling_state": states[tl.state[i]],
                },
                columns=list(PER_MINUTE_KEYS),
            )
            frame.to_csv(fh, index=False, header=i == 0, lineterminator=LINE_END)
        if not tl.names:
            fh.write(",".join(PER_MINUTE_KEYS) + LINE_END)
    return path


def write_csv_dir(est: Estimate, directory: str | os.PathLike[str]) -> list[Path]:
    """Write statements, pools, hourly, per-minute and assumptions CSV and estimate.json.

    The folder is created when missing; files of the same names are replaced. Returns the
    paths written, in that order.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        _write_rows(folder / "statements.csv", STATEMENT_COLUMNS, _statement_rows(est)),
        _write_rows(folder / "pools.csv", POOL_COLUMNS, _pool_rows(est)),
        _write_rows(folder / "hourly.csv", HOURLY_COLUMNS, _hourly_rows(est)),
        write_per_minute_csv(est, folder / "per_minute.csv"),
        _write_rows(folder / "assumptions.csv", ASSUMPTION_COLUMNS, _assumption_rows(est)),
    ]
    json_path = folder / "estimate.json"
    json_path.write_text(json.dumps(report.to_dict(est), indent=2) + "\n", encoding="utf-8")
    written.append(json_path)
    return written
