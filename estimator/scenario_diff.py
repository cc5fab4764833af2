"""Every input that differs between two scenarios, named by its field path.

Statements and pools are matched by name (so a reordering is no difference), profiles by key;
defaults are filled in first, so leaving a field out and giving its default are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from estimator.scenario import Scenario, scenario_to_dict

IGNORED = frozenset({"name", "schema_version"})


@dataclass(frozen=True)
class Difference:
    path: str  # 'pricing.discount_pct', 'statements[orders].partitions'
    before: Any
    after: Any


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif (
        isinstance(value, list)
        and value
        and all(isinstance(v, dict) and "name" in v for v in value)
    ):
        for v in value:
            item = {k: x for k, x in v.items() if k != "name"}
            _flatten(item, f"{path}[{v['name']}]", out)
            out.setdefault(f"{path}[{v['name']}]", "present")
    else:
        out[path] = value


def flat(scenario: Scenario) -> dict[str, Any]:
    data = {k: v for k, v in scenario_to_dict(scenario).items() if k not in IGNORED}
    out: dict[str, Any] = {}
    _flatten(data, "", out)
    return out


def differences(before: Scenario, after: Scenario) -> list[Difference]:
    """Inputs whose values differ, in a stable order (None where a side lacks the field)."""
    a, b = flat(before), flat(after)
    keys = [k for k in a if k in b] + [k for k in a if k not in b] + [k for k in b if k not in a]
    seen: set[str] = set()
    out: list[Difference] = []
    for k in keys:
        if k in seen:
            continue
        seen.add(k)
        if a.get(k) != b.get(k):
            out.append(Difference(k, a.get(k), b.get(k)))
    # A whole statement added or removed: drop its inner fields, keep the one line.
    whole = {d.path for d in out if d.before is None or d.after is None}
    whole = {p for p in whole if p.endswith("]")}
    return [d for d in out if d.path in whole or not any(d.path.startswith(w) for w in whole)]
