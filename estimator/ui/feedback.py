"""Problems shown next to the fields they are about, and a guard so no traceback reaches a page.

A ScenarioError's problems are 'field.path: message' lines. Each input area registers a slot
(a container) under the field path it edits; after validation every problem is written into
the slot with the longest matching path, and what no slot claims goes to the top of the page.
"""

from __future__ import annotations

import functools
import logging
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

LOG = logging.getLogger("estimator.ui")

FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "pool": "Pool",
    "sql": "SQL",
    "rps": "Rate (records/s)",
    "message_bytes": "Message size (bytes)",
    "partitions": "Partitions",
    "start_minute": "Start minute",
    "cfu_schedule": "CFU schedule",
    "profile": "Traffic profile",
    "max_cfu": "MAX_CFU",
    "usd_per_cfu_hour": "Price (USD per CFU-hour)",
    "discount_pct": "Discount (%)",
    "region": "Region",
    "cloud": "Cloud",
    "horizon_minutes": "Horizon",
    "month_hours": "Hours in a month",
    "autoscaler": "Autoscaler",
    "profiles": "Traffic profiles",
    "records_per_cfu_second": "Records/s per CFU",
}

_INDEX = re.compile(r"^(\w+)\[(\d+)\](?:\.(.*))?$")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    @classmethod
    def parse(cls, line: str) -> Problem:
        path, sep, message = line.partition(": ")
        if not sep or " " in path:
            return cls("", line)
        return cls(path, message)

    def item(self) -> tuple[str, int, str] | None:
        """('statements', 2, 'rps') for 'statements[2].rps'."""
        m = _INDEX.match(self.path)
        if not m:
            return None
        return m.group(1), int(m.group(2)), m.group(3) or ""

    def field_label(self) -> str:
        last = re.sub(r"\[\d+\]", "", self.path.rsplit(".", 1)[-1]) if self.path else ""
        return FIELD_LABELS.get(last, last)


def matches(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


class Slots:
    """Containers next to input fields, by the field path they edit."""

    def __init__(self) -> None:
        self._slots: dict[str, DeltaGenerator] = {}
        self.names: dict[str, list[str]] = {}  # item names for messages: statements -> names

    def add(self, path: str, container: DeltaGenerator | None = None) -> DeltaGenerator:
        self._slots[path] = container if container is not None else st.container()
        return self._slots[path]

    def route(self, lines: list[str]) -> list[Problem]:
        """Write each problem next to its field; return those no slot claimed."""
        unclaimed: list[Problem] = []
        by_slot: dict[str, list[str]] = {}
        for problem in (Problem.parse(line) for line in lines):
            item = problem.item()
            placed = False
            # An item's problem shows in the table that lists it and next to the item itself.
            if item is not None:
                collection, index, _ = item
                own = f"{collection}[{index}]"
                if own in self._slots:
                    by_slot.setdefault(own, []).append(self._short(problem))
                    placed = True
                if collection in self._slots:
                    by_slot.setdefault(collection, []).append(self._in_table(problem))
                    placed = True
            if not placed:
                best = max(
                    (p for p in self._slots if problem.path and matches(problem.path, p)),
                    key=len,
                    default=None,
                )
                if best is not None:
                    by_slot.setdefault(best, []).append(self._short(problem))
                    placed = True
            if not placed:
                unclaimed.append(problem)
        for path, messages in by_slot.items():
            self._slots[path].error("\n".join(f"- {m}" for m in messages), icon=":material/error:")
        return unclaimed

    def _short(self, problem: Problem) -> str:
        label = problem.field_label()
        return f"**{label}**: {problem.message}" if label else problem.message

    def _in_table(self, problem: Problem) -> str:
        item = problem.item()
        assert item is not None
        collection, index, _ = item
        names = self.names.get(collection, [])
        who = f"row {index + 1}"
        if index < len(names) and names[index]:
            who += f" ({names[index]})"
        return f"{who}, {self._short(problem)}"


CRASHES = "page_crashes"
"""Session key: every crash the guard caught, as 'page: Type: message' lines with the traceback,
so the app's tests see a crash the user only sees as a short apology."""


def guarded(page: Callable[[], None]) -> Callable[[], None]:
    """Run a page; an unexpected error becomes a short message, never a traceback. The crash
    is logged and recorded under `CRASHES` in the session (tests fail on it)."""

    @functools.wraps(page)
    def run() -> None:
        try:
            page()
        except Exception as exc:
            LOG.exception("page %s failed", page.__name__)
            crashes = st.session_state.setdefault(CRASHES, [])
            crashes.append(
                f"{page.__name__}: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"
            )
            del crashes[:-10]
            st.error(
                "Something went wrong while drawing this page. Your inputs are kept: undo the "
                "last change, or download your scenario from *Share & export* and reload it.",
                icon=":material/sentiment_dissatisfied:",
            )

    return run


def show_problems(problems: list[Problem], where: Any | None = None) -> None:
    target = where if where is not None else st
    if problems:
        target.error(
            "\n".join(
                f"- `{p.path}`: {p.message}" if p.path else f"- {p.message}" for p in problems
            ),
            icon=":material/error:",
        )
