"""How the app writes figures the core computed: money, counts, changes in money."""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal | float) -> str:
    """Dollars: cents, or tenths of a cent under $10 (Confluent's examples cost $0.0175)."""
    v = float(value)
    if v == 0:
        return "$0"
    if abs(v) < 10:
        return f"${v:,.4f}"
    return f"${v:,.2f}"


def money_delta(d: Decimal | float) -> str | None:
    """A change in money as people write it: '+$8.63', '-$1,204.10', '+$0.0042' under a cent;
    None when there is no change."""
    v = float(d)
    if abs(v) < 1e-9:
        return None
    sign = "+" if v > 0 else "-"
    places = 2 if abs(v) >= 0.01 else 4
    return f"{sign}${abs(v):,.{places}f}"


def number(value: Decimal | float, places: int = 2) -> str:
    v = float(value)
    return f"{v:,.{places}f}".rstrip("0").rstrip(".") if places else f"{v:,.0f}"
