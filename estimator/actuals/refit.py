"""Observed records/s per CFU, and the records/s per CFU the model needs to reproduce them.

Only minutes where the statement keeps up count ("steady" minutes): it has CFUs, the same CFUs
as the minute before (not rescaling), records came in, and the records behind
(pending_records, Messages Behind) stayed flat: changed by at most FLAT_FRACTION of the
minute's input (or FLAT_FLOOR_RECORDS). A backlog being built up or drained is left out, so
catching up after a burst does not look like a faster statement.

- observed = records in over the steady minutes / CFU-seconds used in them: what one CFU
  actually carried, headroom included.
- fitted = the capacity per CFU at which the model's autoscaler rule would have chosen the same
  CFUs in those minutes. The model asks ceil(rate x headroom / capacity) CFUs, where headroom =
  1 / target_utilization + restart_minutes / catch_up_minutes (estimator/simulate.py, FLIP-271
  form); fitted is found by bisection so that the sum of those ceilings over the steady minutes
  equals the CFU-minutes observed in them. This is what `--apply` writes as
  `records_per_cfu_second`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from estimator.autoscaler import resolve
from estimator.scenario import Scenario
from estimator.simulate import Policy

FLAT_FRACTION = 0.05
"""Records behind may move by this share of the minute's input and still count as flat."""
FLAT_FLOOR_RECORDS = 100.0
"""... or by this many records, for statements with little input."""
MIN_STEADY_MINUTES = 5
"""Fewer steady minutes than this give no rate (too little to go on)."""


@dataclass(frozen=True)
class Fit:
    steady_minutes: int
    observed: float | None  # records/s per CFU used, steady minutes
    fitted: float | None  # records/s per CFU the model needs (what --apply writes)
    headroom: float
    first_minute: int | None = None
    last_minute: int | None = None
    uses_lag: bool = True  # pending_records was there to tell steady minutes apart
    note: str | None = None
    records: float = 0.0  # records in over the steady minutes
    cfu_seconds: float = 0.0  # CFU-seconds used in them


def headroom(scenario: Scenario) -> float:
    """CFUs the model's autoscaler asks per CFU of steady input: 1/u + restart/catch-up."""
    preset, overrides = scenario.autoscaler_choice()
    policy = Policy.from_config(resolve(preset, overrides))
    return 1.0 / policy.target_utilization + policy.restart / policy.catch_up_minutes


def steady_minutes(cfu: np.ndarray, records_in: np.ndarray, pending: np.ndarray) -> np.ndarray:
    """Minutes where the statement keeps up (see the module docstring)."""
    m = cfu.shape[0]
    prev_cfu = np.concatenate(([np.nan], cfu[:-1]))
    ok = (cfu > 0) & (cfu == prev_cfu) & np.isfinite(records_in) & (records_in > 0)
    if np.isfinite(pending).any():
        prev_pending = np.concatenate(([np.nan], pending[:-1]))
        change = np.abs(pending - prev_pending)
        allowed = np.maximum(FLAT_FRACTION * np.nan_to_num(records_in), FLAT_FLOOR_RECORDS)
        ok &= np.isfinite(change) & (change <= allowed)
    return ok[:m]


def _asked(rates: np.ndarray, per_cfu: float, head: float) -> float:
    return float(np.maximum(np.ceil(rates * head / per_cfu - 1e-9), 1.0).sum())


def fit_capacity(rates: np.ndarray, cfu: np.ndarray, head: float) -> float | None:
    """Capacity per CFU (records/s) at which sum(ceil(rate x head / c)) = sum(cfu)."""
    target = float(cfu.sum())
    if target <= 0 or rates.size == 0 or float(rates.max()) <= 0:
        return None

    def smallest(pred: float) -> float:
        # smallest c (log bisection) with asked(c) <= pred; asked() falls as c grows
        lo, hi = 1e-6, 1e10
        for _ in range(200):
            mid = math.sqrt(lo * hi)
            if _asked(rates, mid, head) <= pred:
                hi = mid
            else:
                lo = mid
            if hi / lo < 1 + 1e-9:
                break
        return hi

    c_at = smallest(target)  # the first capacity asking no more than observed
    c_below = smallest(target - 0.5)  # the first asking fewer (the end of the plateau)
    if c_below > c_at * (1 + 1e-6):
        return math.sqrt(c_at * c_below)  # inside the plateau that asks exactly the target
    # No capacity asks exactly the target: the asked CFU-minutes jump over it at c_at. Take
    # the side of the jump that is closer, a little inside it (never on the edge, where
    # rounding would decide).
    below, above = c_at / (1 + 1e-3), c_at * (1 + 1e-3)
    if abs(_asked(rates, below, head) - target) < abs(_asked(rates, above, head) - target):
        return below
    return above


def fit_statement(cfu: np.ndarray, records_in: np.ndarray, pending: np.ndarray, head: float) -> Fit:
    steady = steady_minutes(cfu, records_in, pending)
    n = int(steady.sum())
    uses_lag = bool(np.isfinite(pending).any())
    if n < MIN_STEADY_MINUTES:
        return Fit(
            n,
            None,
            None,
            head,
            uses_lag=uses_lag,
            note=f"only {n} steady minute(s) (at least {MIN_STEADY_MINUTES} needed): no rate",
        )
    rates = records_in[steady] / 60.0
    used = cfu[steady]
    records, cfu_seconds = float(records_in[steady].sum()), float(used.sum() * 60.0)
    where = np.flatnonzero(steady)
    return Fit(
        n,
        records / cfu_seconds,
        fit_capacity(rates, used, head),
        head,
        int(where[0]),
        int(where[-1]),
        uses_lag,
        None if uses_lag else "no pending_records: every minute with CFUs and input counted",
        records,
        cfu_seconds,
    )
