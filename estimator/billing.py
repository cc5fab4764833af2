"""Billing: per-minute CFUs -> CFU-minutes -> hourly, monthly and annual costs.

Confluent counts CFUs per minute and prices CFU-hours. Money is Decimal throughout: costs are
computed from integer CFU-minutes, never by summing floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

MINUTES_PER_HOUR = 60
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Rate:
    """A price per CFU-hour and a discount, as applied to every cost."""

    usd_per_cfu_hour: Decimal
    discount_pct: Decimal = Decimal(0)

    def cost(self, cfu_minutes: int) -> Decimal:
        """Cost of a number of CFU-minutes: CFU-hours x price x (1 - discount)."""
        gross = Decimal(int(cfu_minutes)) * self.usd_per_cfu_hour / MINUTES_PER_HOUR
        return gross * (100 - self.discount_pct) / 100


def cfu_hours(cfu_minutes: int) -> Decimal:
    return Decimal(int(cfu_minutes)) / MINUTES_PER_HOUR


def hourly_cfu_minutes(cfu: np.ndarray) -> np.ndarray:
    """(statements, minutes) CFUs -> (statements, hours) CFU-minutes; hour 0 = minutes 0-59.

    A horizon that is not a whole number of hours ends with a partial hour.
    """
    n, m = cfu.shape
    hours = -(-m // MINUTES_PER_HOUR)
    padded = np.zeros((n, hours * MINUTES_PER_HOUR), dtype=np.int64)
    padded[:, :m] = cfu
    return padded.reshape(n, hours, MINUTES_PER_HOUR).sum(axis=2)


def monthly(cost: Decimal, horizon_minutes: int, month_hours: float) -> Decimal:
    """The horizon's cost scaled to a billing month of `month_hours` hours."""
    return cost * Decimal(str(month_hours)) * MINUTES_PER_HOUR / Decimal(horizon_minutes)


def annual(monthly_cost: Decimal) -> Decimal:
    return monthly_cost * MONTHS_PER_YEAR


def peak(cfu: np.ndarray) -> int:
    """Highest CFUs in use in any one minute, summed over the rows given."""
    if cfu.size == 0:
        return 0
    return int(cfu.sum(axis=0).max())
