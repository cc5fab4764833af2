"""The estimate as a folder of CSV files and its JSON, from the same data as the workbook.

    statements.csv   one row per statement (as the Statements sheet)
    pools.csv        one row per compute pool, with sizing advice
    hourly.csv       one row per statement and hour: CFU-minutes, CFU-hours, cost
    per_minute.csv   the simulation table, one row per statement and minute
                     (columns: estimator.timeline.PER_MINUTE_KEYS)
    assumptions.csv  every model parameter with value, unit and source
    projection.csv   one row per projected calendar month (recurring statements)
    by_label.csv     one row per label key and value: horizon, monthly, annual, one-off cost
    estimate.json    report.to_dict(est), the command line's JSON contract

UTF-8, comma-separated, a header row, CRLF line ends as RFC 4180 has them (so a field holding
a CR or LF is quoted, and every CSV reader keeps it inside the field). Money is rounded to 6
decimals as in the JSON (so a column of costs sums to the total to well within a cent);
CFU-minutes are exact integers. The rows come from estimator.export.tables, which neutralises
user text (leading control characters and blanks dropped, a leading quote before anything that
starts like a formula).

The folder is written whole or not at all: the files go into a temporary folder beside it,
which is then renamed into place (a previous folder of the same name is replaced), so two runs
never mix rows and an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from estimator import projection_json, report
from estimator.estimate import Estimate
from estimator.export import tables
from estimator.export.safe import safe_cell
from estimator.labels import NONE_LABEL
from estimator.simulate import Piece
from estimator.timeline import PER_MINUTE_KEYS

LINE_END = "\r\n"

STATEMENT_COLUMNS: tuple[str, ...] = tables.columns(tables.STATEMENT_TABLE)
POOL_COLUMNS: tuple[str, ...] = tables.columns(tables.POOL_TABLE)
HOURLY_COLUMNS: tuple[str, ...] = tables.HOURLY_COLUMNS
ASSUMPTION_COLUMNS: tuple[str, ...] = tables.ASSUMPTION_COLUMNS


def _write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator=LINE_END)
        writer.writerow(header)
        writer.writerows(rows)
    return path


class PerMinuteWriter:
    """per_minute.csv written piece by piece as the simulation produces them."""

    def __init__(self, fh: TextIO) -> None:
        self._fh = fh
        self._fh.write(",".join(PER_MINUTE_KEYS) + LINE_END)

    def write(self, piece: Piece) -> None:
        for frame in tables.per_minute_frames([piece]):
            frame.to_csv(self._fh, index=False, header=False, lineterminator=LINE_END)


PROJECTION_COLUMNS: tuple[str, ...] = ("month", "hours", "cfu_minutes", "cfu_hours", "cost_usd")
BY_LABEL_COLUMNS: tuple[str, ...] = (
    "key",
    "value",
    "statements",
    "cfu_minutes",
    "cfu_hours",
    "cost_usd",
    "monthly_cost_usd",
    "annual_cost_usd",
    "one_off_cost_usd",
)


def _projection_rows(est: Estimate) -> Iterable[list[Any]]:
    for item in projection_json.projection_items(est):
        yield [item[c] for c in PROJECTION_COLUMNS]


def _by_label_rows(est: Estimate) -> Iterable[list[Any]]:
    for key, rows in projection_json.by_label(est).items():
        for row in rows:
            value = NONE_LABEL if row["value"] is None else row["value"]
            names = "\n".join(row["statements"])
            yield [safe_cell(key), safe_cell(value), safe_cell(names)] + [
                row[c] for c in BY_LABEL_COLUMNS[3:]
            ]


def write_per_minute_csv(est: Estimate, path: Path) -> Path:
    """The per-minute table of a per-minute timeline (an hourly one: the header only; its rows
    are streamed while simulating, see CsvFolder)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = PerMinuteWriter(fh)
        for piece in tables.timeline_pieces(est):
            writer.write(piece)
    return path


def _write_all(est: Estimate, folder: Path, per_minute_done: bool) -> list[Path]:
    written = [
        _write_rows(folder / "statements.csv", STATEMENT_COLUMNS, tables.statement_rows(est)),
        _write_rows(folder / "pools.csv", POOL_COLUMNS, tables.pool_rows(est)),
        _write_rows(folder / "hourly.csv", HOURLY_COLUMNS, tables.hourly_rows(est)),
        folder / "per_minute.csv"
        if per_minute_done
        else write_per_minute_csv(est, folder / "per_minute.csv"),
        _write_rows(folder / "assumptions.csv", ASSUMPTION_COLUMNS, tables.assumption_rows(est)),
        _write_rows(folder / "projection.csv", PROJECTION_COLUMNS, _projection_rows(est)),
        _write_rows(folder / "by_label.csv", BY_LABEL_COLUMNS, _by_label_rows(est)),
    ]
    json_path = folder / "estimate.json"
    json_path.write_text(json.dumps(report.to_dict(est), indent=2) + "\n", encoding="utf-8")
    written.append(json_path)
    return written


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename the finished staging folder to `target`, replacing a previous one."""
    old: Path | None = None
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise NotADirectoryError(f"{target} exists and is not a folder")
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.replace(target, old / target.name)
    os.replace(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class CsvFolder:
    """`with CsvFolder(dir) as out:` files go to a temporary folder beside `dir`;
    `out.per_minute` takes the simulation's pieces as they come; `out.finish(est)` writes the
    rest and renames the folder into place. Leaving the block otherwise removes everything."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.target = Path(directory)

    def __enter__(self) -> CsvFolder:
        parent = self.target.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=parent))
        self._fh = (self.staging / "per_minute.csv").open("w", newline="", encoding="utf-8")
        self._writer = PerMinuteWriter(self._fh)
        self._done = False
        return self

    def per_minute(self, piece: Piece) -> None:
        self._writer.write(piece)

    def finish(self, est: Estimate) -> list[Path]:
        self._fh.close()
        _write_all(est, self.staging, per_minute_done=True)
        _swap_into_place(self.staging, self.target)
        self._done = True
        return [self.target / p.name for p in _files(self.target)]

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self._fh.close()
        if not self._done:
            shutil.rmtree(self.staging, ignore_errors=True)


def _files(folder: Path) -> Iterator[Path]:
    for name in FILES:
        yield folder / name


FILES = (
    "statements.csv",
    "pools.csv",
    "hourly.csv",
    "per_minute.csv",
    "assumptions.csv",
    "projection.csv",
    "by_label.csv",
    "estimate.json",
)


def write_csv_dir(est: Estimate, directory: str | os.PathLike[str]) -> list[Path]:
    """Write statements, pools, hourly, per-minute and assumptions CSV and estimate.json.

    The folder is created (or replaced) whole, atomically. Returns the paths written, in that
    order. A long horizon's per-minute rows need the simulation's pieces: CsvFolder.
    """
    with CsvFolder(directory) as out:
        for piece in tables.timeline_pieces(est):
            out.per_minute(piece)
        return out.finish(est)
