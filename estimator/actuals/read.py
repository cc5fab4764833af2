"""Read a metrics file in any of the three formats, told apart by its content.

- JSON (starts with `{` or `[`): Metrics API query responses (read_query_json.py);
- Prometheus/OpenMetrics text (`#` comments or `name{labels} value ts` lines): the export
  endpoint's scrapes (read_prometheus.py);
- anything else: a CSV with a header row (read_csv.py).

The file is size-limited like a scenario and read as data only: nothing in it names a file to
open or a host to call.
"""

from __future__ import annotations

import re
from pathlib import Path

from estimator.actuals.formats import FORMATS
from estimator.actuals.read_csv import read_csv
from estimator.actuals.read_prometheus import read_prometheus
from estimator.actuals.read_query_json import read_query_json
from estimator.actuals.samples import MAX_ACTUALS_BYTES, ActualsError, Readout
from estimator.files import FileRefused, read_limited

_PROM_LINE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+\S+(\s+\S+)?\s*$")


def _limit_message(size: int) -> str:
    return (
        f"the metrics file is {size / 1e6:.1f} MB; metrics files are limited to "
        f"{MAX_ACTUALS_BYTES // (1024 * 1024)} MB (query a shorter interval, or fewer metrics)"
    )


def detect(text: str) -> str:
    """'json', 'prometheus' or 'csv'."""
    head = text.lstrip()
    if head.startswith(("{", "[")):
        return "json"
    for line in head.splitlines()[:20]:
        line = line.strip()
        if not line:
            continue
        if line.startswith("#") or _PROM_LINE.match(line):
            return "prometheus"
        return "csv"
    return "csv"


def read_text(text: str | bytes, fmt: str = "auto") -> Readout:
    """Samples from a metrics file's content. Raises ActualsError when nothing can be read."""
    if len(text) > MAX_ACTUALS_BYTES:
        raise ActualsError(_limit_message(len(text)))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ActualsError(
                "the metrics file is not UTF-8 text (JSON, Prometheus text or CSV)"
            ) from None
    if not text.strip():
        raise ActualsError("the metrics file is empty")
    kind = detect(text) if fmt == "auto" else fmt
    if kind == "json":
        return read_query_json(text)
    if kind == "prometheus":
        return read_prometheus(text)
    if kind == "csv":
        return read_csv(text)
    raise ActualsError(f"unknown metrics format {fmt!r}; one of {', '.join(FORMATS)}")


def read_file(path: str | Path, fmt: str = "auto") -> Readout:
    """Read a metrics file from disk: a regular file only, refused once it passes the size
    limit (estimator.files.read_limited: never a device, pipe or an endless file)."""
    try:
        data = read_limited(path, MAX_ACTUALS_BYTES, what=str(path))
    except FileRefused as exc:
        raise ActualsError(str(exc)) from None
    return read_text(data, fmt)
