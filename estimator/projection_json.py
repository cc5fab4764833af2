"""The projection, honest monthly figures and label roll-ups as JSON (part of report.to_dict).

Keys (a public contract): `projection` [{"month": "2027-01", "hours": 744, "cfu_minutes",
"cfu_hours", "cost_usd", and with the range "cfu_hours_low", "cfu_hours_high",
"cost_usd_low", "cost_usd_high"}], `totals.one_off_cost_usd`, `by_label` {"team": [{"value",
"cfu_minutes", "cfu_hours", "cost_usd", "monthly_cost_usd", "annual_cost_usd",
"one_off_cost_usd", "statements"}]}, `cautions`, and per statement `labels`, `recurrence`,
`monthly_cost_usd`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from estimator.estimate import Estimate

MONEY_PLACES = Decimal("0.000001")


def money(value: Decimal) -> float:
    """Money in JSON: a number rounded to 6 decimals (as report.money)."""
    return float(value.quantize(MONEY_PLACES, rounding=ROUND_HALF_EVEN))


def hours(cfu_minutes: int) -> float:
    return money(Decimal(int(cfu_minutes)) / 60)


def projection_items(est: Estimate) -> list[dict[str, Any]]:
    if est.projection is None:
        return []
    items = [
        {
            "month": m.month,
            "hours": m.hours,
            "cfu_minutes": m.cfu_minutes,
            "cfu_hours": hours(m.cfu_minutes),
            "cost_usd": money(m.cost_usd),
        }
        for m in est.projection.months
    ]
    if est.range is not None:
        spread = est.range.projection
        for item, lo, hi in zip(items, spread.months_low, spread.months_high, strict=True):
            item["cfu_hours_low"] = hours(lo.cfu_minutes)
            item["cfu_hours_high"] = hours(hi.cfu_minutes)
            item["cost_usd_low"] = money(lo.cost_usd)
            item["cost_usd_high"] = money(hi.cost_usd)
    return items


def projection_settings(est: Estimate) -> dict[str, Any]:
    p = est.projection
    if p is None:
        return {}
    return {
        "start": p.start,
        "months": len(p.months),
        "cycle_minutes": p.cycle_minutes,
        "method": p.method,
    }


def by_label(est: Estimate) -> dict[str, list[dict[str, Any]]]:
    return {
        key: [
            {
                "value": g.value,
                "cfu_minutes": g.cfu_minutes,
                "cfu_hours": money(g.cfu_hours),
                "cost_usd": money(g.cost_usd),
                "monthly_cost_usd": money(g.monthly_cost_usd),
                "annual_cost_usd": money(g.annual_cost_usd),
                "one_off_cost_usd": money(g.one_off_cost_usd),
                "statements": [est.statements[i].name for i in g.statements],
            }
            for g in rows
        ]
        for key, rows in est.by_label.items()
    }


def statement_extras(est: Estimate, i: int) -> dict[str, Any]:
    p = est.projection
    return {
        "labels": dict(est.labels[i]) if est.labels else {},
        "recurrence": p.recurrence[i] if p else None,
        "monthly_cost_usd": money(p.monthly_cost(est.rate, [i])) if p else 0.0,
    }


def text_lines(est: Estimate) -> list[str]:
    """The projection, label roll-ups and cautions for the terminal table."""
    lines: list[str] = []
    p = est.projection
    if p is not None and p.months:
        lines += ["", f"Projection ({p.method}):"]
        cent = Decimal("0.01")
        lines += [
            f"  {m.month}  {m.hours:>3} h  {hours(m.cfu_minutes):>14,.2f} CFU-h  "
            f"${m.cost_usd.quantize(cent):>14,}"
            for m in p.months
        ]
        if est.range is not None:
            spread = est.range.projection
            lines = lines[: len(lines) - len(p.months)] + [
                f"{line}  (low ${lo.cost_usd.quantize(cent):,} - high "
                f"${hi.cost_usd.quantize(cent):,})"
                for line, lo, hi in zip(
                    lines[len(lines) - len(p.months) :],
                    spread.months_low,
                    spread.months_high,
                    strict=True,
                )
            ]
    for key, rows in est.by_label.items():
        lines += ["", f"By label {key}: (horizon cost, monthly, annual)"]
        lines += [
            f"  {g.label}: ${g.cost_usd.quantize(Decimal('0.0001')):,}, "
            f"${g.monthly_cost_usd.quantize(Decimal('0.01')):,}/month, "
            f"${g.annual_cost_usd.quantize(Decimal('0.01')):,}/year"
            for g in rows
        ]
    if est.cautions:
        lines += ["", "Cautions:"] + [f"! {c}" for c in est.cautions]
    return lines
