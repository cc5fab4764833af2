"""From a local measurement to the model's records/s per CFU.

The model's cost of a record is additive (estimator.demand): a base for reading and writing
Kafka (fixed + (de)serialisation by message size, plus UDF calls), then each operator's own
cost. A local run has no Kafka, so it measures only the operator part: the statement's time per
record minus a pass-through of the same generated sources. The measured override is

    records_per_cfu_second = min(1e6 / (base_us + max(0, operator_us)), byte bound)

with base_us and the byte bound (max_mb_per_cfu_second) taken from the model for the
statement's message size, so a calibrated statement keeps the model's Kafka cost and swaps
only the operators' assumed cost for the measured one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from estimator.demand import US_PER_SECOND, throughput
from estimator.sql import Classification


@dataclass(frozen=True)
class ModelCost:
    """What the model assumes for one statement."""

    records_per_cfu_second: float
    base_us: float  # Kafka read/write, (de)serialisation and UDF calls, per record
    operator_us: float  # the rest: the operators' own cost, per record
    byte_bound: float  # records/s per CFU the bytes allow


def model_cost(
    classification: Classification,
    params: Mapping[str, float],
    *,
    message_bytes: float,
    key_count: float | None = None,
    udf_count: int = 0,
) -> ModelCost:
    """The model's records/s per CFU for a statement, split into base and operator cost."""
    full = throughput(
        classification,
        params,
        message_bytes=message_bytes,
        key_count=key_count,
        udf_count=udf_count,
    )
    bare = throughput(
        classification.model_copy(update={"operators": []}),
        params,
        message_bytes=message_bytes,
        udf_count=udf_count,
    )
    byte_bound = params["max_mb_per_cfu_second"] * 1e6 / max(1.0, float(message_bytes))
    return ModelCost(
        records_per_cfu_second=full.records_per_cfu_second,
        base_us=bare.cost_us_per_record,
        operator_us=max(0.0, full.cost_us_per_record - bare.cost_us_per_record),
        byte_bound=byte_bound,
    )


def measured_records_per_cfu_second(base_us: float, operator_us: float, byte_bound: float) -> float:
    """The override for a measured operator cost (negative measurements count as zero)."""
    cost = base_us + max(0.0, operator_us)
    cpu_rate = US_PER_SECOND / cost if cost > 0 else byte_bound
    return min(cpu_rate, byte_bound)


def operator_us_per_record(statement_s: float, pass_s: float, input_records: int) -> float:
    """The statement's own cost per input record: its time above the pass-through's."""
    return (statement_s - pass_s) / input_records * US_PER_SECOND


def per_record_seconds(runs: Sequence[Mapping[str, Any]], phase: str, sources: int) -> float:
    """Marginal CPU seconds per input record of one phase ("pass" or "statement").

    Each phase runs at two source sizes; the cheapest run of each size counts, and the slope
    between them is the cost of one more record: every fixed cost of a job (the mini-cluster,
    code generation and compilation of the query, JIT) is the same at both sizes and cancels.
    Noise can make it zero or negative on a tiny run: callers decide what that means.
    """
    best: dict[int, float] = {}
    for run in runs:
        if run["phase"] == phase:
            rows = int(run["rows"])
            best[rows] = min(best.get(rows, float("inf")), float(run["cpu"]))
    if len(best) < 2:
        raise ValueError(f"{phase}: need runs at two source sizes, got {sorted(best)}")
    small, large = min(best), max(best)
    return (best[large] - best[small]) / ((large - small) * max(1, sources))
