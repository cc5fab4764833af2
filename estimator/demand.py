"""Demand: what one CFU sustains for a statement, and how many CFUs its input rate needs.

The simplest honest model until the throughput model lands: every non-DDL statement is
treated as simple stateless work at `base_records_per_cfu_second`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from estimator.sql import Classification


def records_per_cfu_second(classification: Classification, params: Mapping[str, float]) -> float:
    """Records/s one CFU sustains for this statement."""
    return float(params["base_records_per_cfu_second"])


def cfus_for_rate(rps: float, per_cfu: float) -> int:
    """CFUs that carry `rps` records/s at `per_cfu` records/s each: at least 1."""
    return max(1, math.ceil(rps / per_cfu - 1e-9))
