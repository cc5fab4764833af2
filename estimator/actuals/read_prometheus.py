"""Read the Metrics API export endpoint's text (`GET /v2/metrics/cloud/export`).

The endpoint answers in Prometheus text format 0.0.4 or OpenMetrics 1.0.0 with the most recent
point of each series; a file of actuals is many scrapes saved one after the other. Metric names
are translated (io.confluent.flink/num_records_in -> confluent_flink_num_records_in), label
prefixes are dropped (compute_pool_id, flink_statement_name, table_name) and every sample
carries its timestamp: milliseconds in Prometheus text, seconds in OpenMetrics (Metrics API
reference, the export endpoint: https://api.telemetry.confluent.cloud/docs). For example:

  # HELP confluent_flink_num_records_in Total number of records this statement has received.
  # TYPE confluent_flink_num_records_in gauge
  confluent_flink_num_records_in{flink_statement_name="s",compute_pool_id="p",} 122.0 1736948340000

`# UNIT` lines (OpenMetrics) are checked against what reconcile expects. The endpoint's own
status series (confluent_scrape_resource_access_error, export_status) are read for problems
only.
"""

from __future__ import annotations

import re

from estimator.actuals.metrics import BY_EXPORT_NAME, POOL_LABELS, STATEMENT_LABELS, TABLE_LABELS
from estimator.actuals.samples import Readout, Sample, clean_name, number, parse_time

FORMAT = "Metrics API export (Prometheus/OpenMetrics text)"
ACCESS_ERROR = "confluent_scrape_resource_access_error"
EXPORT_STATUS = "export_status"
MAX_LINE_CHARS = 4_000  # Confluent's lines are a few hundred characters

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{(.*)\}})?\s+(\S+)(?:\s+(\S+))?\s*$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_COMMENT = re.compile(rf"^#\s*(HELP|TYPE|UNIT)\s+({_NAME})\s*(.*)$")


def _labels(text: str) -> dict[str, str] | None:
    out: dict[str, str] = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _LABEL.match(text, pos)
        if m is None:
            return None
        value = m.group(2).replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        out[m.group(1)] = value
        pos = m.end()
    return out


def _first(labels: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if name in labels:
            return clean_name(labels[name])
    return None


def read_prometheus(text: str) -> Readout:
    readout = Readout(FORMAT)
    units: dict[str, str] = {}
    announced: set[str] = set()
    seen: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(line) > MAX_LINE_CHARS:
            readout.skip(f"lines longer than {MAX_LINE_CHARS:,} characters")
            continue
        if line.startswith("#"):
            m = _COMMENT.match(line)
            if m is not None:
                kind, name, rest = m.groups()
                announced.add(name)
                if kind == "UNIT":
                    units[name] = rest.strip()
            continue
        m = _SAMPLE.match(line)
        if m is None:
            readout.skip("lines that are not `name{labels} value timestamp` samples")
            continue
        name, label_text, value_text, time_text = m.groups()
        labels = _labels(label_text or "")
        if labels is None:
            readout.skip(f"{name}: samples with unreadable labels")
            continue
        if name == ACCESS_ERROR:
            if number(value_text) == 1:
                rid = labels.get("resource_id", "?")
                readout.problem(f"the export could not read resource {rid!r} (access error)")
            continue
        if name == EXPORT_STATUS:
            if number(value_text) == 1:
                readout.problem(f"the export failed to read {labels.get('metric', '?')}")
            continue
        spec = BY_EXPORT_NAME.get(name)
        if spec is None:
            readout.unknown_metric(name)
            continue
        seen.add(name)
        unit = units.get(name)
        if unit is not None and unit.lower() not in spec.units:
            readout.unit_mismatch(spec, unit)
            continue
        value = number(value_text)
        if value is None:
            readout.skip(f"{spec.export_name}: samples whose value is not a number")
            continue
        if time_text is None:
            readout.skip(
                f"{spec.export_name}: samples without a timestamp (line {lineno} and others); "
                "save scrapes with their timestamps"
            )
            continue
        t = parse_time(time_text)
        if t is None:
            readout.skip(f"{spec.export_name}: samples with an unreadable timestamp")
            continue
        statement = _first(labels, STATEMENT_LABELS)
        if spec.level == "statement" and statement is None:
            readout.skip(f"{spec.export_name}: samples without flink_statement_name")
            continue
        sample = Sample(
            spec, t, value, statement, _first(labels, POOL_LABELS), _first(labels, TABLE_LABELS)
        )
        if not readout.add(sample):
            break
    for name in sorted(announced - seen):
        spec = BY_EXPORT_NAME.get(name)
        if spec is not None:
            readout.problem(f"{spec.name}: empty series, no samples")
    return readout.finish()
