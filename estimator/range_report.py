"""The estimate's range in the JSON contract and the terminal table (estimator.uncertainty).

JSON keys (stable): totals.cfu_minutes_low/high, cost_usd_low/high, monthly_cost_usd_low/high,
annual_cost_usd_low/high; per statement records_per_cfu_second_low/high, cfu_minutes_low/high,
cost_usd_low/high; per pool cfu_minutes_low/high, cost_usd_low/high; top-level range_drivers
(list of {key, label, cost_usd_low, cost_usd_high}).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from estimator.estimate import Estimate

Money = Callable[[Decimal], float]


def totals_fields(est: Estimate, money: Money) -> dict[str, Any]:
    r = est.range
    if r is None:
        return {}
    t = r.totals
    return {
        "cfu_minutes_low": t.cfu_minutes_low,
        "cfu_minutes_high": t.cfu_minutes_high,
        "cost_usd_low": money(t.cost_usd_low),
        "cost_usd_high": money(t.cost_usd_high),
        "monthly_cost_usd_low": money(t.monthly_cost_usd_low),
        "monthly_cost_usd_high": money(t.monthly_cost_usd_high),
        "annual_cost_usd_low": money(t.annual_cost_usd_low),
        "annual_cost_usd_high": money(t.annual_cost_usd_high),
    }


def statement_fields(est: Estimate, i: int, money: Money) -> dict[str, Any]:
    if est.range is None:
        return {}
    s = est.range.statements[i]
    return {
        "records_per_cfu_second_low": s.records_per_cfu_second_low,
        "records_per_cfu_second_high": s.records_per_cfu_second_high,
        "cfu_minutes_low": s.cfu_minutes_low,
        "cfu_minutes_high": s.cfu_minutes_high,
        "cost_usd_low": money(s.cost_usd_low),
        "cost_usd_high": money(s.cost_usd_high),
    }


def pool_fields(est: Estimate, i: int, money: Money) -> dict[str, Any]:
    if est.range is None:
        return {}
    p = est.range.pools[i]
    return {
        "cfu_minutes_low": p.cfu_minutes_low,
        "cfu_minutes_high": p.cfu_minutes_high,
        "cost_usd_low": money(p.cost_usd_low),
        "cost_usd_high": money(p.cost_usd_high),
    }


def drivers(est: Estimate, money: Money) -> list[dict[str, Any]]:
    if est.range is None:
        return []
    return [
        {
            "key": d.key,
            "label": d.label,
            "cost_usd_low": money(d.cost_usd_low),
            "cost_usd_high": money(d.cost_usd_high),
        }
        for d in est.range.drivers
    ]


def table_lines(est: Estimate, fmt_money: Callable[[Decimal], str]) -> list[str]:
    """Lines for the terminal report: the range of the totals and what drives it."""
    r = est.range
    if r is None:
        return []
    t = r.totals
    lines = [
        f"Range (low - high): CFU-minutes {t.cfu_minutes_low:,} - {t.cfu_minutes_high:,}; "
        f"monthly {fmt_money(t.monthly_cost_usd_low)} - {fmt_money(t.monthly_cost_usd_high)}; "
        f"annual {fmt_money(t.annual_cost_usd_low)} - {fmt_money(t.annual_cost_usd_high)}",
    ]
    if r.drivers:
        lines.append("What drives the range (cost over the horizon, one assumption at a time):")
        lines += [
            f"- {d.label} ({d.key}): {fmt_money(d.cost_usd_low)} - {fmt_money(d.cost_usd_high)}"
            for d in r.drivers
        ]
    return lines


def cost_cell(est: Estimate, i: int, fmt_money: Callable[[Decimal], str]) -> str:
    """A statement's cost range for the terminal table."""
    if est.range is None:
        return ""
    s = est.range.statements[i]
    return f"{fmt_money(s.cost_usd_low)}-{fmt_money(s.cost_usd_high)}"
