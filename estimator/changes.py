"""Changes to a scenario, applied to its plain dict (the scenario file's fields).

- `apply(data, change)`: the scenario with a piece of advice applied (estimator.sizing.Change);
- `what_ifs(data)`: quick variants for a call (traffic x0.5 / x2 / x5, message size x2,
  partitions x2), each a changed copy;
- `scale_profile(profile, factor)`: a traffic profile with every rate multiplied by `factor`.
The input dict is never modified; a copy comes back.
"""

from __future__ import annotations

import copy
from typing import Any

from estimator.errors import EstimatorError
from estimator.sizing import (
    SET_MAX_CFU,
    SET_PARTITIONS,
    SET_STATE_TTL,
    SPLIT_POOL,
    Change,
    NewPool,
)

RATE_KEYS = ("rps", "trough_rps", "peak_rps", "base_rps")


class ChangeError(EstimatorError):
    """A change names a pool or statement the scenario does not have."""


def _statement(data: dict[str, Any], name: str) -> dict[str, Any]:
    for s in data.get("statements", []):
        if s.get("name") == name:
            return s
    raise ChangeError(f"statements: no statement named {name!r}; the advice is out of date")


def _pool(data: dict[str, Any], name: str) -> dict[str, Any]:
    for p in data.get("pools", []):
        if p.get("name") == name:
            return p
    raise ChangeError(f"pools: no pool named {name!r}; the advice is out of date")


def apply(data: dict[str, Any], change: Change) -> dict[str, Any]:
    """The scenario dict with `change` made (a copy)."""
    out = copy.deepcopy(data)
    if change.action == SET_MAX_CFU:
        _pool(out, change.target)["max_cfu"] = int(change.value)  # type: ignore[arg-type]
    elif change.action == SET_PARTITIONS:
        _statement(out, change.target)["partitions"] = int(change.value)  # type: ignore[arg-type]
    elif change.action == SET_STATE_TTL:
        _statement(out, change.target)["state_ttl"] = True
    elif change.action == SPLIT_POOL:
        new: tuple[NewPool, ...] = change.value  # type: ignore[assignment]
        _pool(out, change.target)
        pools = [p for p in out["pools"] if p.get("name") != change.target]
        at = next(i for i, p in enumerate(out["pools"]) if p.get("name") == change.target)
        pools[at:at] = [{"name": p.name, "max_cfu": p.max_cfu} for p in new]
        out["pools"] = pools
        home = {s: p.name for p in new for s in p.statements}
        for s in out.get("statements", []):
            if s.get("pool", "default") == change.target and s.get("name") in home:
                s["pool"] = home[s["name"]]
    else:
        raise ChangeError(f"change: unknown action {change.action!r}")
    return out


def scale_profile(profile: dict[str, Any], factor: float) -> dict[str, Any]:
    """A traffic profile (inline dict) with every rate it holds multiplied by `factor`."""
    out = copy.deepcopy(profile)
    for key in RATE_KEYS:
        if isinstance(out.get(key), int | float):
            out[key] = round(float(out[key]) * factor, 6)
    if isinstance(out.get("steps"), list):
        for step in out["steps"]:
            if isinstance(step, dict) and isinstance(step.get("rps"), int | float):
                step["rps"] = round(float(step["rps"]) * factor, 6)
    if isinstance(out.get("series"), list):
        scaled: list[Any] = []
        for point in out["series"]:
            if isinstance(point, list | tuple) and len(point) == 2:
                scaled.append([point[0], round(float(point[1]) * factor, 6)])
            elif isinstance(point, dict) and "rps" in point:
                scaled.append({**point, "rps": round(float(point["rps"]) * factor, 6)})
            else:
                scaled.append(point)
        out["series"] = scaled
    return out


def _scale_traffic(data: dict[str, Any], factor: float) -> dict[str, Any]:
    out = copy.deepcopy(data)
    profiles = out.get("profiles") or {}
    for name, profile in list(profiles.items()):
        if isinstance(profile, dict):
            profiles[name] = scale_profile(profile, factor)
    for s in out.get("statements", []):
        if isinstance(s.get("rps"), int | float):
            s["rps"] = float(s["rps"]) * factor
        if isinstance(s.get("profile"), dict):
            s["profile"] = scale_profile(s["profile"], factor)
    return out


def _scale_field(data: dict[str, Any], key: str, factor: float, default: int | None) -> dict:
    out = copy.deepcopy(data)
    for s in out.get("statements", []):
        value = s.get(key, default)
        if isinstance(value, int | float) and value:
            s[key] = max(1, round(value * factor))
    return out


def what_ifs(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Quick variants of a scenario for a live call, by label."""
    return {
        "Traffic x0.5": _scale_traffic(data, 0.5),
        "Traffic x2": _scale_traffic(data, 2.0),
        "Traffic x5": _scale_traffic(data, 5.0),
        "Message size x2": _scale_field(data, "message_bytes", 2.0, 1024),
        "Partitions x2": _scale_field(data, "partitions", 2.0, None),
    }


def profile_mean_rps(profile: dict[str, Any], minutes: int) -> float | None:
    """Mean records/s of an inline traffic profile over `minutes` (None when it cannot be read,
    e.g. a series in a CSV file)."""
    from pydantic import TypeAdapter, ValidationError

    from estimator.scenario import Profile
    from estimator.traffic import TrafficError, profile_rates

    try:
        model = TypeAdapter(Profile).validate_python(copy.deepcopy(profile))
        rates = profile_rates(model, max(1, int(minutes)))
    except (ValidationError, TrafficError, EstimatorError, ValueError, TypeError):
        return None
    return float(rates.mean()) if rates.size else None
