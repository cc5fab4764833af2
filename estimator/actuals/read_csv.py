"""Read a plain CSV of metric points: `timestamp,statement,metric,value`.

Optional columns: `pool` (or `compute_pool_id`), `unit` and `table` (or `table_name`). The
header row is required; column names are case-insensitive and may come in any order.
`timestamp` is ISO 8601 (UTC when no offset is given) or seconds or milliseconds since the
epoch. `metric` is the Metrics API name (io.confluent.flink/num_records_in), its export name
(confluent_flink_num_records_in) or the short key (records_in). Pool metrics
(compute_pool_utilization/...) leave `statement` empty and name the pool in `pool`.
"""

from __future__ import annotations

import csv
import io

from estimator.actuals.metrics import lookup
from estimator.actuals.samples import (
    ActualsError,
    Readout,
    Sample,
    check_unit,
    clean_name,
    number,
    parse_time,
)

FORMAT = "CSV (timestamp, statement, metric, value)"
REQUIRED = ("timestamp", "statement", "metric", "value")
ALIASES = {
    "time": "timestamp",
    "statement_name": "statement",
    "flink_statement_name": "statement",
    "compute_pool_id": "pool",
    "compute_pool": "pool",
    "table_name": "table",
}


def read_csv(text: str) -> Readout:
    readout = Readout(FORMAT)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ActualsError("the CSV file is empty; its first row must name the columns") from None
    columns = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ActualsError(
            f"the CSV header lacks {', '.join(missing)}; the columns are "
            "timestamp,statement,metric,value (and optionally pool,unit,table)"
        )
    at = {c: columns.index(c) for c in (*REQUIRED, "pool", "unit", "table") if c in columns}
    unknown_rows: dict[str, int] = {}
    try:
        for row in reader:
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))

            def cell(name: str, r: list[str] = row) -> str:
                return r[at[name]].strip() if name in at else ""

            name = cell("metric")
            spec = lookup(name)
            if spec is None:
                unknown_rows[name] = unknown_rows.get(name, 0) + 1
                continue
            if not check_unit(readout, spec, cell("unit") or None):
                continue
            t = parse_time(cell("timestamp"))
            value = number(cell("value"))
            if t is None or value is None:
                readout.skip(f"{spec.name}: rows without a readable timestamp and value")
                continue
            statement = clean_name(cell("statement"))
            if spec.level == "statement" and statement is None:
                readout.skip(f"{spec.name}: rows with no statement")
                continue
            pool = clean_name(cell("pool"))
            if spec.level == "pool":
                statement = None
            sample = Sample(spec, t, value, statement, pool, clean_name(cell("table")))
            if not readout.add(sample):
                break
    except csv.Error as exc:
        readout.problem(f"the CSV stops being readable at line {reader.line_num}: {exc}")
    for name, n in unknown_rows.items():
        readout.unknown_metric(name or "(empty)", n)
    return readout.finish()
