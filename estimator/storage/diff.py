"""What differs between two saved versions: their inputs (scenario fields) and their figures.

Lists of named items (statements, pools) are matched by name, so a reordered list is not a
change; other lists are values of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


def _named(items: list[Any]) -> bool:
    names = [i.get("name") for i in items if isinstance(i, dict)]
    return (
        bool(items)
        and len(names) == len(items)
        and all(isinstance(n, str) for n in names)
        and len(set(names)) == len(names)
    )


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{'a': {'b': 1}, 'statements': [{'name': 'x', 'rps': 2}]} ->
    {'a.b': 1, 'statements[x].rps': 2}."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and value:
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and _named(value):
        for item in value:
            item = dict(item)
            out.update(flatten(item, f"{prefix}[{item['name']}]"))
            out.pop(f"{prefix}[{item['name']}].name", None)
    else:
        out[prefix] = value
    return out


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    a, b = flatten(before), flatten(after)
    out = []
    for path in [*a, *(p for p in b if p not in a)]:
        if a.get(path) != b.get(path) or (path in a) != (path in b):
            out.append(Change(path, a.get(path), b.get(path)))
    return out


@dataclass(frozen=True)
class VersionDiff:
    before_id: str
    after_id: str
    inputs: list[Change]
    figures: list[Change]

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": self.before_id,
            "after": self.after_id,
            "inputs": [c.as_dict() for c in self.inputs],
            "figures": [c.as_dict() for c in self.figures],
        }


def show(value: Any, limit: int = 80) -> str:
    """A value in one line of at most `limit` characters."""
    text = "(none)" if value is None else json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        text = value.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(d: VersionDiff) -> str:
    lines = [f"{d.before_id} -> {d.after_id}"]
    for title, items in (("inputs", d.inputs), ("figures", d.figures)):
        lines.append(f"{title}: {'no differences' if not items else ''}".rstrip())
        for c in items:
            lines.append(f"  {c.path}: {show(c.before)} -> {show(c.after)}")
    return "\n".join(lines) + "\n"
