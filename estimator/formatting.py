"""How figures read in text, the same in the terminal table, the advice, the app and the
handout: money, plain numbers, horizons, durations and times of day. Pure functions."""

from __future__ import annotations

from decimal import Decimal

MINUTES_PER_DAY = 1440


def _dollars(v: float, sub_cent_below: float) -> str:
    sign = "-" if v < 0 else ""
    v = abs(v)
    if v < sub_cent_below and round(v, 2) != round(v, 4):
        # Confluent's own examples have fractions of a cent ($0.0175, $1.0815).
        text = f"{v:,.4f}".rstrip("0")
        return f"{sign}${text}"
    return f"{sign}${v:,.2f}"


def money(value: Decimal | float) -> str:
    """Dollars with cents ("$1,234.57", "$8.63"); under $10 to a hundredth of a cent when
    there is one, as in Confluent's own examples ("$0.0175", "$1.0815")."""
    v = float(value)
    return "$0" if v == 0 else _dollars(v, 10)


def money_delta(value: Decimal | float) -> str:
    """A change in money with its sign, in cents from a dollar up: "+$8.63", "-$0.0175"."""
    v = float(value)
    if v == 0:
        return "±$0"
    return ("+" if v > 0 else "") + _dollars(v, 1)


def number(value: Decimal | float, places: int = 2) -> str:
    """A plain number with thousands separators and no trailing zeros: 1,234.5."""
    v = float(value)
    return f"{v:,.{places}f}".rstrip("0").rstrip(".") if places else f"{v:,.0f}"


def horizon(minutes: int) -> str:
    """A horizon in its largest whole unit: "7 days", "1 hour", "90 min"."""
    if minutes % MINUTES_PER_DAY == 0:
        days = minutes // MINUTES_PER_DAY
        return f"{days} day" + ("s" if days != 1 else "")
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} min"


def duration(seconds: float) -> str:
    """A lag or a wait, in the two largest units that matter: "45 s", "12 min 5 s",
    "20 h 8 min", "3 d 4 h"."""
    s = max(0, round(float(seconds)))
    if s < 60:
        return f"{s} s"
    minutes, sec = divmod(s, 60)
    if minutes < 60:
        return f"{minutes} min" + (f" {sec} s" if sec else "")
    hours, minute = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h" + (f" {minute} min" if minute else "")
    days, hour = divmod(hours, 24)
    return f"{days:,} d" + (f" {hour} h" if hour else "")


def clock(minute: int, horizon_minutes: int) -> str:
    """A minute of the horizon as a time of day ("14:05"), with the day past the first."""
    day, rest = divmod(int(minute), MINUTES_PER_DAY)
    hhmm = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"day {day + 1} {hhmm}" if horizon_minutes > MINUTES_PER_DAY else hhmm
