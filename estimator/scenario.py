"""The scenario: what the user tells us about their workload.

Field names here are a public contract: saved scenarios and users' scripts depend on them.
Files are read with YAML's safe loader (JSON is YAML too) and size-limited.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from estimator.errors import FieldProblems, ScenarioError, format_validation_error
from estimator.parameters import known_keys

MAX_SCENARIO_BYTES = 5 * 1024 * 1024
"""Largest scenario file accepted: far above any real scenario, small enough to stay safe."""

MAX_HORIZON_MINUTES = 366 * 24 * 60
Cloud = Literal["aws", "gcp", "azure"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PricingSettings(_Model):
    cloud: Cloud = "aws"
    region: str = Field("us-east-1", min_length=1)
    usd_per_cfu_hour: float | None = Field(
        None, gt=0, le=100, description="Overrides the price table when set."
    )
    discount_pct: float = Field(0, ge=0, le=100, description="Applied to every cost.")


class Pool(_Model):
    name: str = Field(min_length=1, max_length=100)
    max_cfu: int = Field(50, ge=1, le=1000, description="MAX_CFU of the compute pool.")


class ScheduleStep(_Model):
    minutes: int = Field(ge=1)
    cfu: int = Field(ge=1, le=1000)


class Statement(_Model):
    name: str = Field(min_length=1, max_length=200)
    pool: str = "default"
    sql: str = Field("", max_length=1_000_000)
    rps: float | None = Field(None, gt=0, le=1e9, description="Mean input records per second.")
    message_bytes: int = Field(1024, ge=1, le=100 * 1024 * 1024)
    partitions: int | None = Field(None, ge=1, le=100_000)
    start_minute: int = Field(0, ge=0)
    cfu_schedule: list[ScheduleStep] | None = None

    @field_validator("cfu_schedule")
    @classmethod
    def _schedule_not_empty(cls, v: list[ScheduleStep] | None) -> list[ScheduleStep] | None:
        if v is not None and not v:
            raise ValueError("must list at least one step, or be left out")
        return v

    @property
    def schedule_minutes(self) -> int:
        return sum(s.minutes for s in self.cfu_schedule or [])


class Scenario(_Model):
    schema_version: Literal[1] = 1
    name: str = Field("Untitled scenario", min_length=1, max_length=200)
    pricing: PricingSettings = Field(default_factory=PricingSettings)
    horizon_minutes: int = Field(1440, ge=1, le=MAX_HORIZON_MINUTES)
    month_hours: float = Field(730, gt=0, le=744)
    autoscaler: Literal["autopilot"] = "autopilot"
    pools: list[Pool] = Field(default_factory=lambda: [Pool(name="default", max_cfu=50)])
    statements: list[Statement] = Field(min_length=1, max_length=2000)
    parameters: dict[str, float] = Field(
        default_factory=dict,
        description="Overrides of model parameters by key (see the assumptions table).",
    )

    _source_dir: Path | None = PrivateAttr(default=None)

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, v: dict[str, float]) -> dict[str, float]:
        known = known_keys()
        unknown = sorted(set(v) - set(known))
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        return v

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        problems: list[tuple[str, str]] = []
        pool_names = [p.name for p in self.pools]
        for i, name in enumerate(pool_names):
            if name in pool_names[:i]:
                problems.append((f"pools[{i}].name", f"duplicate pool name {name!r}"))
        seen: set[str] = set()
        for i, st in enumerate(self.statements):
            if st.name in seen:
                problems.append((f"statements[{i}].name", f"duplicate statement name {st.name!r}"))
            seen.add(st.name)
            if st.pool not in pool_names:
                problems.append(
                    (
                        f"statements[{i}].pool",
                        f"no pool named {st.pool!r}; add it under pools or use one of "
                        f"{', '.join(pool_names)}",
                    )
                )
            if st.start_minute >= self.horizon_minutes:
                problems.append(
                    (
                        f"statements[{i}].start_minute",
                        f"{st.start_minute} is not inside the horizon of "
                        f"{self.horizon_minutes} minutes",
                    )
                )
            end = st.start_minute + st.schedule_minutes
            if st.cfu_schedule and end > self.horizon_minutes:
                problems.append(
                    (
                        f"statements[{i}].cfu_schedule",
                        f"runs to minute {end}, past the horizon of {self.horizon_minutes} "
                        "minutes; shorten it or raise horizon_minutes",
                    )
                )
            if not st.sql.strip() and not st.cfu_schedule:
                problems.append(
                    (f"statements[{i}].sql", "is required unless a cfu_schedule is given")
                )
        if problems:
            raise FieldProblems(problems)
        return self

    def __eq__(self, other: object) -> bool:
        # Where a scenario was read from is not part of it: compare the fields only.
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    @property
    def source_dir(self) -> Path | None:
        """Folder of the file this scenario was read from (relative paths resolve there)."""
        return self._source_dir

    def pool(self, name: str) -> Pool:
        return next(p for p in self.pools if p.name == name)


def parse_scenario(data: Any, *, source_dir: Path | None = None) -> Scenario:
    """Validate already-decoded data into a Scenario, or raise ScenarioError."""
    if data is None:
        raise ScenarioError(["(file): is empty; write a scenario (see `cfu-estimator example`)"])
    if not isinstance(data, dict):
        raise ScenarioError([f"(file): must be a mapping of fields, not a {type(data).__name__}"])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc)) from None
    scenario._source_dir = source_dir
    return scenario


def loads_scenario(text: str | bytes, *, source_dir: Path | None = None) -> Scenario:
    """Read a scenario from YAML or JSON text."""
    if len(text) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            [
                f"(file): is {len(text) / 1e6:.1f} MB; scenarios are limited to "
                f"{MAX_SCENARIO_BYTES // (1024 * 1024)} MB"
            ]
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ScenarioError(["(file): is not UTF-8 text; save it as YAML or JSON"]) from None
    if not text.strip():
        raise ScenarioError(["(file): is empty; write a scenario (see `cfu-estimator example`)"])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or "unreadable"
        raise ScenarioError([f"(file): is not valid YAML or JSON{where}: {problem}"]) from None
    return parse_scenario(data, source_dir=source_dir)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (YAML or JSON)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ScenarioError([f"(file): cannot read {p}: {exc.strerror}"]) from None
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            [
                f"(file): {p.name} is {size / 1e6:.1f} MB; scenarios are limited to "
                f"{MAX_SCENARIO_BYTES // (1024 * 1024)} MB"
            ]
        )
    return loads_scenario(p.read_bytes(), source_dir=p.resolve().parent)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", exclude_none=True)


def dumps_scenario(scenario: Scenario, fmt: Literal["yaml", "json"] = "yaml") -> str:
    data = scenario_to_dict(scenario)
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    p = Path(path)
    fmt: Literal["yaml", "json"] = "json" if p.suffix.lower() == ".json" else "yaml"
    p.write_text(dumps_scenario(scenario, fmt), encoding="utf-8")
