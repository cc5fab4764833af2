"""Cost allocation labels: `labels:` on statements and pools, and roll-ups by any label key.

Labels are free `key: value` text a user attaches (team, cost_center, env, ...). A pool's
labels apply to its statements unless a statement sets the same key itself. Keys are short
identifiers (they become JSON keys and column headers); values are any short text without
control characters. Values are user text: exports neutralise them like every name.

A roll-up groups statements by the value of one key; statements without the key fall in a
group whose value is None ("(none)" on screen and in files).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

MAX_LABELS = 20
MAX_KEY_CHARS = 63
MAX_VALUE_CHARS = 100
NONE_LABEL = "(none)"
"""How the group of statements without the key is shown on screen and in files."""

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _check(labels: dict[str, str]) -> dict[str, str]:
    if len(labels) > MAX_LABELS:
        raise ValueError(f"has {len(labels)} labels; at most {MAX_LABELS} are allowed")
    for key, value in labels.items():
        if not key or len(key) > MAX_KEY_CHARS or not _KEY.fullmatch(key):
            raise ValueError(
                f"key {key[:80]!r} must start with a letter and hold only letters, digits, "
                f"_ - . / (at most {MAX_KEY_CHARS} characters), e.g. team or cost_center"
            )
        if not value.strip() or len(value) > MAX_VALUE_CHARS:
            raise ValueError(
                f"{key}: the value must be 1 to {MAX_VALUE_CHARS} characters, not blank"
            )
        if _CONTROL.search(value):
            raise ValueError(f"{key}: the value holds a control character (tab, new line, ...)")
    return labels


Labels = Annotated[dict[str, str], AfterValidator(_check)]
"""The scenario field type of `labels:` (validated: see the module docstring)."""


def effective(
    statement: Mapping[str, str] | None, pool: Mapping[str, str] | None
) -> dict[str, str]:
    """A statement's labels: its pool's, overridden key by key by its own."""
    return {**(pool or {}), **(statement or {})}


def keys_of(labelled: Sequence[Mapping[str, str]]) -> list[str]:
    """Every key used, in order of first use."""
    seen: dict[str, None] = {}
    for labels in labelled:
        for key in labels:
            seen.setdefault(key)
    return list(seen)


@dataclass(frozen=True)
class LabelGroup:
    """Statements sharing one value of a label key, and what they cost."""

    key: str
    value: str | None  # None: statements without the key
    statements: tuple[int, ...]  # indexes into the estimate's statements
    cfu_minutes: int  # over the horizon
    cost_usd: Decimal  # over the horizon
    monthly_cost_usd: Decimal  # recurring, from whole cycles
    annual_cost_usd: Decimal  # the projection's first twelve months
    one_off_cost_usd: Decimal

    @property
    def cfu_hours(self) -> Decimal:
        return Decimal(self.cfu_minutes) / 60

    @property
    def label(self) -> str:
        return NONE_LABEL if self.value is None else self.value


def groups(labelled: Sequence[Mapping[str, str]], key: str) -> list[tuple[str | None, list[int]]]:
    """(value, statement indexes) for one key: values in order of first use, None last."""
    by_value: dict[str | None, list[int]] = {}
    for i, labels in enumerate(labelled):
        by_value.setdefault(labels.get(key), []).append(i)
    none = by_value.pop(None, None)
    out: list[tuple[str | None, list[int]]] = list(by_value.items())
    if none:
        out.append((None, none))
    return out


@dataclass(frozen=True)
class Figures:
    """What a group of statements costs, by statement indexes (given by the estimate)."""

    cfu_minutes: Callable[[Sequence[int]], int]
    cost: Callable[[Sequence[int]], Decimal]
    monthly: Callable[[Sequence[int]], Decimal]
    annual: Callable[[Sequence[int]], Decimal]
    one_off: Callable[[Sequence[int]], Decimal]


def roll_up(labelled: Sequence[Mapping[str, str]], figures: Figures) -> dict[str, list[LabelGroup]]:
    """Every label key used -> its groups, each with its costs."""
    out: dict[str, list[LabelGroup]] = {}
    for key in keys_of(labelled):
        out[key] = [
            LabelGroup(
                key=key,
                value=value,
                statements=tuple(rows),
                cfu_minutes=figures.cfu_minutes(rows),
                cost_usd=figures.cost(rows),
                monthly_cost_usd=figures.monthly(rows),
                annual_cost_usd=figures.annual(rows),
                one_off_cost_usd=figures.one_off(rows),
            )
            for value, rows in groups(labelled, key)
        ]
    return out
