"""What the library accepts: labels of bounded length without control characters, short ids
of the one fixed shape, and scenarios that pass the same validation as an upload, with no
file a stored scenario could make the app read."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from estimator.errors import EstimatorError, ScenarioError, TrafficError
from estimator.profiles import SeriesProfile
from estimator.scenario import Scenario, loads_scenario, scenario_to_dict
from estimator.storage.errors import LibraryError
from estimator.storage.schema import NAME_CHARS, NOTE_CHARS, SHORT_ID_CHARS, TAG_CHARS, WHO_CHARS

MAX_TAGS = 20
SHORT_ID = re.compile(rf"[A-Za-z0-9_-]{{{SHORT_ID_CHARS}}}")
TAG = re.compile(r"[\w][\w .:/+-]*")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in {"Cc", "Cf"} and c not in "\n\t" for c in text)


def label(field: str, value: str | None, limit: int, *, required: bool = False) -> str:
    """A one-line label (name, customer, who): trimmed, at most `limit` characters."""
    text = " ".join((value or "").split())
    if required and not text:
        raise LibraryError(f"{field}: must not be empty")
    if len(text) > limit:
        raise LibraryError(f"{field}: is too long ({len(text)} characters, at most {limit})")
    if _has_control(text):
        raise LibraryError(f"{field}: must not contain control characters")
    return text


def note(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > NOTE_CHARS:
        raise LibraryError(f"note: is too long ({len(text)} characters, at most {NOTE_CHARS})")
    if _has_control(text):
        raise LibraryError("note: must not contain control characters")
    return text


def name(value: str | None) -> str:
    return label("name", value, NAME_CHARS, required=True)


def customer(value: str | None) -> str:
    return label("customer", value, NAME_CHARS)


def who(value: str | None) -> str:
    return label("by", value, WHO_CHARS) or "anonymous"


def tags(values: Iterable[str] | None) -> list[str]:
    """Tags, lower-cased, each once, in the order given."""
    out: list[str] = []
    for raw in values or []:
        tag = label("tag", raw, TAG_CHARS).lower()
        if not tag:
            continue
        if not TAG.fullmatch(tag):
            raise LibraryError(
                f"tag: {tag!r} may hold letters, digits, spaces and . : / + - _ only"
            )
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise LibraryError(f"tag: at most {MAX_TAGS} tags, not {len(out)}")
    return out


def short_id(value: str) -> str:
    text = (value or "").strip()
    if not SHORT_ID.fullmatch(text):
        raise LibraryError(
            f"ID: {text[:40]!r} is not a library id ({SHORT_ID_CHARS} letters, digits, - or _; "
            "`cfu-estimator library list` shows them)"
        )
    return text


@dataclass(frozen=True)
class Prepared:
    """A scenario checked for storing: its canonical JSON and the figures the list shows."""

    scenario: Scenario
    canonical_json: str
    sha256: str
    monthly_cost_usd: Decimal
    peak_cfu: int
    figures: dict[str, Any]


def canonical_json(data: dict[str, Any]) -> str:
    """One text per scenario content: sorted keys, no spaces (what is stored and hashed)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _file_references(scenario: Scenario) -> list[str]:
    where: list[str] = []
    for pname, profile in scenario.profiles.items():
        if isinstance(profile, SeriesProfile) and profile.csv is not None:
            where.append(f"profiles.{pname}.csv")
    for i, st in enumerate(scenario.statements):
        if isinstance(st.profile, SeriesProfile) and st.profile.csv is not None:
            where.append(f"statements[{i}].profile.csv")
    return where


def scenario(value: Scenario | dict[str, Any]) -> Scenario:
    """The scenario as an upload would read it (size limit, safe loader, every field rule),
    refusing file references: nothing stored may make the app read a file."""
    data = scenario_to_dict(value) if isinstance(value, Scenario) else value
    if not isinstance(data, dict):
        raise ScenarioError(["(scenario): must be a mapping of fields"])
    try:
        text = canonical_json(data)
    except (TypeError, ValueError):
        raise ScenarioError(["(scenario): holds values that are not JSON data"]) from None
    parsed = loads_scenario(text.encode("utf-8"))
    files = _file_references(parsed)
    if files:
        raise ScenarioError(
            [
                f"{w}: a saved scenario cannot name a file; put the points inline as "
                "series: [[minute, rps], ...] (`cfu-estimator library save` does it for you)"
                for w in files
            ]
        )
    return parsed


def figures(est: Any) -> dict[str, Any]:
    """The figures kept with a version (from the JSON report, so they match the CLI's)."""
    from estimator import report

    d = report.to_dict(est)
    keep = ("cfu_minutes", "cost_usd", "peak_cfu")
    return {
        "totals": d["totals"],
        "statements": [{"name": s["name"], **{k: s[k] for k in keep}} for s in d["statements"]],
        "pools": [{"name": p["name"], **{k: p[k] for k in keep if k in p}} for p in d["pools"]],
    }


def prepare(value: Scenario | dict[str, Any]) -> Prepared:
    """Validate and estimate a scenario for storing (ScenarioError/EstimatorError when not)."""
    from estimator.estimate import estimate

    parsed = scenario(value)
    try:
        est = estimate(parsed)
    except TrafficError as exc:
        raise ScenarioError(exc.problems) from None
    except EstimatorError:
        raise
    text = canonical_json(scenario_to_dict(parsed))
    figs = figures(est)
    return Prepared(
        scenario=parsed,
        canonical_json=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        monthly_cost_usd=Decimal(str(figs["totals"]["monthly_cost_usd"])),
        peak_cfu=int(figs["totals"]["peak_cfu"]),
        figures=figs,
    )
