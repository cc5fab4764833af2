"""The Confluent Cloud metrics reconcile reads: names, labels, kinds and units, with sources.

Sources (read December 2026):
- Confluent Cloud Metrics API reference, https://api.telemetry.confluent.cloud/docs
  (`POST /v2/metrics/{dataset}/query`: FLAT and GROUPED responses; `GET /v2/metrics/{dataset}/
  export`: Prometheus text 0.0.4 and OpenMetrics 1.0.0, "metric and label names are translated
  to adhere to Prometheus restrictions; the `resource.` and `metric.` prefixes from label names
  are dropped"; "Counter metrics are classified as the Prometheus `gauge` type ... Metrics API
  counters are represented as deltas"; object model: a COUNTER is "the count of occurrences in
  a single (one minute) sampling interval").
- Metrics reference (descriptors), https://api.telemetry.confluent.cloud/docs/descriptors/
  datasets/cloud: io.confluent.flink/... metrics with the resource labels
  `resource.compute_pool.id` and `resource.flink_statement.name`, and `metric.table_name`.
- docs.confluent.io, "Statement CFU Metrics in Confluent Cloud for Apache Flink"
  (cloud/current/flink/concepts/statement-cfu-metrics.html): CFUs per statement over time.
- docs.confluent.io, "Run Example Queries for the Confluent Cloud Metrics API"
  (cloud/current/monitoring/metrics-api-examples.html), section "Monitor Flink".
- Descriptions as the export endpoint prints them (`# HELP`): compute_pool_utilization/
  current_cfus "The absolute number of CFUs at a given moment"; cfu_minutes_consumed "The
  number of how many CFUs consumed since the last measurement"; cfu_limit "The possible max
  number of CFUs for the pool"; num_records_in "Total number of records this statement has
  received"; pending_records "Total amount of available records after the consumer offset in a
  Kafka partition across all operators" (Messages Behind).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SOURCES: tuple[tuple[str, str], ...] = (
    ("Confluent Cloud Metrics API reference", "https://api.telemetry.confluent.cloud/docs"),
    (
        "Confluent Cloud Metrics reference (descriptors)",
        "https://api.telemetry.confluent.cloud/docs/descriptors/datasets/cloud",
    ),
    (
        "Statement CFU Metrics in Confluent Cloud for Apache Flink",
        "https://docs.confluent.io/cloud/current/flink/concepts/statement-cfu-metrics.html",
    ),
    (
        "Run Example Queries for the Confluent Cloud Metrics API (Monitor Flink)",
        "https://docs.confluent.io/cloud/current/monitoring/metrics-api-examples.html",
    ),
)

Level = Literal["statement", "pool"]
Kind = Literal["gauge", "counter"]

_COUNT_UNITS = frozenset({"", "1", "{count}"})


@dataclass(frozen=True)
class MetricSpec:
    name: str  # the Metrics API name, io.confluent.flink/...
    key: str  # the short name used inside reconcile
    level: Level  # labelled by statement (and pool), or by pool only
    kind: Kind  # gauge: a value at the minute; counter: a count over the minute (a delta)
    units: frozenset[str]  # unit spellings that mean what reconcile expects (lower case)
    unit: str  # the unit reconcile expects, for messages
    description: str

    @property
    def export_name(self) -> str:
        """The name on the export endpoint (Prometheus text): io.confluent.flink/a/b ->
        confluent_flink_a_b."""
        return "confluent_" + self.name.removeprefix("io.confluent.").replace("/", "_").replace(
            ".", "_"
        )


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "io.confluent.flink/statement_utilization/current_cfus",
        "statement_cfus",
        "statement",
        "gauge",
        _COUNT_UNITS | {"cfu", "cfus"},
        "CFUs",
        "CFUs a statement uses at the minute",
    ),
    MetricSpec(
        "io.confluent.flink/num_records_in",
        "records_in",
        "statement",
        "counter",
        _COUNT_UNITS | {"records", "{records}", "record"},
        "records per minute",
        "records the statement read in the minute (summed over its tables)",
    ),
    MetricSpec(
        "io.confluent.flink/num_records_out",
        "records_out",
        "statement",
        "counter",
        _COUNT_UNITS | {"records", "{records}", "record"},
        "records per minute",
        "records the statement wrote in the minute",
    ),
    MetricSpec(
        "io.confluent.flink/pending_records",
        "pending_records",
        "statement",
        "gauge",
        _COUNT_UNITS | {"records", "{records}", "record"},
        "records",
        "records behind (Messages Behind), summed over the statement's tables",
    ),
    MetricSpec(
        "io.confluent.flink/compute_pool_utilization/current_cfus",
        "pool_cfus",
        "pool",
        "gauge",
        _COUNT_UNITS | {"cfu", "cfus"},
        "CFUs",
        "CFUs the compute pool uses at the minute",
    ),
    MetricSpec(
        "io.confluent.flink/compute_pool_utilization/cfu_minutes_consumed",
        "pool_cfu_minutes",
        "pool",
        "counter",
        _COUNT_UNITS | {"cfu-minutes", "cfu_minutes", "cfu minutes", "cfu-minute"},
        "CFU-minutes",
        "CFU-minutes the pool consumed in the minute (what is billed)",
    ),
    MetricSpec(
        "io.confluent.flink/compute_pool_utilization/cfu_limit",
        "pool_cfu_limit",
        "pool",
        "gauge",
        _COUNT_UNITS | {"cfu", "cfus"},
        "CFUs",
        "the pool's MAX_CFU",
    ),
)

BY_NAME: dict[str, MetricSpec] = {m.name: m for m in METRICS}
BY_EXPORT_NAME: dict[str, MetricSpec] = {m.export_name: m for m in METRICS}
BY_KEY: dict[str, MetricSpec] = {m.key: m for m in METRICS}

# Label names: the query endpoint's (prefixed) and the export endpoint's (prefix dropped).
STATEMENT_LABELS = ("resource.flink_statement.name", "flink_statement_name")
POOL_LABELS = ("resource.compute_pool.id", "compute_pool_id")
TABLE_LABELS = ("metric.table_name", "table_name")


def lookup(name: str) -> MetricSpec | None:
    """The metric by its Metrics API name, export name or short key (case-insensitive)."""
    text = name.strip()
    low = text.lower()
    for table in (BY_NAME, BY_EXPORT_NAME, BY_KEY):
        for k, spec in table.items():
            if k.lower() == low:
                return spec
    return None


def unit_matches(spec: MetricSpec, unit: str | None) -> bool:
    return unit is None or unit.strip().lower() in spec.units


def known_names() -> str:
    return ", ".join(m.name for m in METRICS)
