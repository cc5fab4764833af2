"""Demand: records/s one CFU sustains for a statement, and CFUs an input rate needs.

The cost of one input record is additive (DOMAIN.md, 'What follows for the model'), in
microseconds of one CFU (taken as one CPU: 1,000,000 us of work a second):

    fixed   = 1e6 / base_records_per_cfu_second - serde_us_per_kb x reference KB
    serde   = serde_us_per_kb x message KB                      (read + write Kafka)
    each operator of the classification (a join twice if it joins twice):
      stateless: op_us_<operator>
      stateful:  (op_us_<operator> + state_us_per_kb x message KB)
                 x (1 + key_cost_per_decade x log10(keys / reference_key_count), at least 1)
                 x unbounded_state_factor when the state grows without bound
    udfs    = udf_us_per_call x udf_count

records/s per CFU = min(1e6 / cost, max_mb_per_cfu_second x 1e6 / message bytes).
So a plain stateless ~1 KB statement gets base_records_per_cfu_second (10,000), and every
term only grows with more bytes, keys or operators: the model is monotone. A statement's
`records_per_cfu_second` (a measurement) replaces the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from estimator.sql import Classification

US_PER_SECOND = 1_000_000.0
BYTES_PER_KB = 1024.0

STATELESS_OPERATORS = frozenset({"filter", "project", "union", "unnest", "table_function"})
"""Operators without keyed state; lookup_join keeps only a cache and is treated as stateless."""
UNKEYED_OPERATORS = STATELESS_OPERATORS | {"global_aggregate", "lookup_join"}
"""Operators whose cost does not grow with the key count."""


@dataclass(frozen=True)
class Throughput:
    """Records/s one CFU sustains for a statement, and why."""

    records_per_cfu_second: float
    cost_us_per_record: float  # 0 when overridden
    bound: str  # "cpu", "bytes" or "override"
    parts: tuple[tuple[str, float], ...] = ()  # (what, us per record)
    source: str = ""

    def explain(self) -> str:
        if self.bound == "override":
            return f"{self.records_per_cfu_second:,.0f} records/s per CFU given by the scenario" + (
                f" ({self.source})" if self.source else ""
            )
        parts = ", ".join(f"{name} {us:.1f} us" for name, us in self.parts if us > 0)
        text = (
            f"{self.records_per_cfu_second:,.0f} records/s per CFU: "
            f"{self.cost_us_per_record:.1f} us per record ({parts})"
        )
        if self.bound == "bytes":
            text += "; bound by bytes per second, not CPU"
        return text


def _key_factor(key_count: float, params: Mapping[str, float]) -> float:
    ratio = max(1.0, key_count / params["reference_key_count"])
    return 1.0 + params["key_cost_per_decade"] * math.log10(ratio)


def throughput(
    classification: Classification,
    params: Mapping[str, float],
    *,
    message_bytes: float = 1024,
    key_count: float | None = None,
    udf_count: int = 0,
    override: float | None = None,
    override_source: str | None = None,
) -> Throughput:
    """Records/s per CFU for a statement (see the module docstring for the model)."""
    if override is not None:
        return Throughput(float(override), 0.0, "override", (), override_source or "")
    kb = message_bytes / BYTES_PER_KB
    ref_kb = params["reference_message_bytes"] / BYTES_PER_KB
    serde_per_kb = params["serde_us_per_kb"]
    fixed = max(0.0, US_PER_SECOND / params["base_records_per_cfu_second"] - serde_per_kb * ref_kb)
    parts: list[tuple[str, float]] = [
        ("Kafka read/write", fixed),
        ("(de)serialisation", serde_per_kb * kb),
    ]
    keys = float(key_count if key_count is not None else params["default_key_count"])
    key_factor = _key_factor(keys, params)
    unbounded = classification.state == "unbounded"
    for op in classification.operators:
        us = params[f"op_us_{op}"]
        if op not in STATELESS_OPERATORS:
            us += params["state_us_per_kb"] * kb
            if op not in UNKEYED_OPERATORS:
                us *= key_factor
            if unbounded:
                us *= params["unbounded_state_factor"]
        parts.append((op.replace("_", " "), us))
    if udf_count:
        parts.append((f"{udf_count} UDF call(s)", params["udf_us_per_call"] * udf_count))
    cost = sum(us for _, us in parts)
    cpu_rate = US_PER_SECOND / cost if cost > 0 else math.inf
    byte_rate = params["max_mb_per_cfu_second"] * 1e6 / max(1.0, float(message_bytes))
    bound = "cpu" if cpu_rate <= byte_rate else "bytes"
    return Throughput(min(cpu_rate, byte_rate), cost, bound, tuple(parts))


def records_per_cfu_second(classification: Classification, params: Mapping[str, float]) -> float:
    """Records/s one CFU sustains for a statement of ~1 KB messages and default keys."""
    return throughput(classification, params).records_per_cfu_second
