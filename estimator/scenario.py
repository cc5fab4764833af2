"""The scenario: what the user tells us about their workload.

Field names here are a public contract: saved scenarios and users' scripts depend on them.
Files are read with YAML's safe loader (JSON is YAML too) and size-limited.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from estimator import autoscaler as autoscaler_presets
from estimator import parameters as model_parameters
from estimator.errors import FieldProblems, ScenarioError, TrafficError, format_validation_error
from estimator.fields import StrictModel
from estimator.files import FileRefused, read_limited
from estimator.labels import Labels
from estimator.profiles import (
    AnyProfile,
    BurstsProfile,
    Profile,
    ProfileRef,
    SeriesProfile,
    StepsProfile,
    load_csv_series,
)
from estimator.safe_yaml import check_data, load_yaml

MAX_SCENARIO_BYTES = 5 * 1024 * 1024
"""Largest scenario file accepted: far above any real scenario, small enough to stay safe."""

MAX_HORIZON_MINUTES = 366 * 24 * 60
Cloud = Literal["aws", "gcp", "azure"]


class PricingSettings(StrictModel):
    cloud: Cloud = "aws"
    region: str = Field("us-east-1", min_length=1)
    usd_per_cfu_hour: float | None = Field(
        None, gt=0, le=100, description="Overrides the price table when set."
    )
    discount_pct: float = Field(0, ge=0, le=100, description="Applied to every cost.")


class Pool(StrictModel):
    name: str = Field(min_length=1, max_length=100)
    max_cfu: int = Field(50, ge=1, le=1000, description="MAX_CFU of the compute pool.")
    labels: Labels | None = Field(
        None,
        description="Cost allocation labels (team, cost_center, ...) for the pool's statements.",
    )


class ScheduleStep(StrictModel):
    minutes: int = Field(ge=1)
    cfu: int = Field(ge=1, le=1000)


_TAG_IN_PATH = re.compile(r"\.(?:shape|form)=[\w-]+")


# --- Autoscaler: a preset name, or a preset with parameter overrides.


def _known_preset(name: str) -> str:
    names = autoscaler_presets.preset_names()
    if name not in names:
        raise ValueError(f"must be one of {', '.join(names)}, not {name!r}")
    return name


class AutoscalerSettings(BaseModel):
    """`{preset: flink-operator, target_utilization: 0.6}`: any parameter of the preset."""

    model_config = ConfigDict(extra="allow", validate_assignment=True, allow_inf_nan=False)

    preset: str = Field(autoscaler_presets.DEFAULT_PRESET, description="Preset name.")

    @model_validator(mode="after")
    def _overrides(self) -> AutoscalerSettings:
        problems = autoscaler_presets.check_overrides(self.preset, self.overrides)
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def overrides(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


def _autoscaler_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "form=name"
    if isinstance(value, dict | AutoscalerSettings):
        return "form=settings"
    return None


AutoscalerChoice = Annotated[
    Annotated[Annotated[str, AfterValidator(_known_preset)], Tag("form=name")]
    | Annotated[AutoscalerSettings, Tag("form=settings")],
    Discriminator(
        _autoscaler_tag,
        custom_error_type="autoscaler_form",
        custom_error_message=(
            "must be a preset name (autopilot, flink-operator, fixed) or "
            "{preset: NAME, PARAMETER: VALUE, ...}"
        ),
    ),
]


class Statement(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    pool: str = "default"
    sql: str = Field("", max_length=1_000_000)
    rps: float | None = Field(None, gt=0, le=1e9, description="Mean input records per second.")
    message_bytes: int = Field(1024, ge=1, le=100 * 1024 * 1024)
    partitions: int | None = Field(None, ge=1, le=100_000)
    start_minute: int = Field(0, ge=0)
    cfu_schedule: list[ScheduleStep] | None = None
    profile: ProfileRef | None = Field(
        None, description="How the input rate moves: inline, or a name under profiles."
    )
    key_count: int | None = Field(
        None, ge=1, le=10**12, description="Distinct keys in state (joins, GROUP BY, dedup)."
    )
    udf_count: int = Field(0, ge=0, le=100, description="User-defined function calls a record.")
    records_per_cfu_second: float | None = Field(
        None, ge=0.001, le=1e9, description="Measured records/s per CFU: overrides the model."
    )
    records_per_cfu_second_source: str | None = Field(
        None, max_length=500, description="Where records_per_cfu_second comes from."
    )
    state_ttl: bool | None = Field(
        None, description="True when the statement runs with a state TTL (sql.state-ttl)."
    )
    labels: Labels | None = Field(
        None,
        description="Cost allocation labels (team, cost_center, ...); override the pool's.",
    )

    @field_validator("cfu_schedule")
    @classmethod
    def _schedule_not_empty(cls, v: list[ScheduleStep] | None) -> list[ScheduleStep] | None:
        if v is not None and not v:
            raise ValueError("must list at least one step, or be left out")
        return v

    @property
    def schedule_minutes(self) -> int:
        return sum(s.minutes for s in self.cfu_schedule or [])


def _past_horizon(minute: int, horizon: int) -> str:
    return (
        f"minute {minute} is past the horizon of {horizon} minutes; drop it or raise "
        "horizon_minutes"
    )


DEFAULT_KEY_COUNT = 10_000
"""Distinct values of a key column the scenario says nothing about."""


class CalibrationSettings(BaseModel):
    """How to generate data shaped like the user's for a local calibration run."""

    model_config = ConfigDict(extra="forbid")

    ddl: str | None = Field(
        None,
        max_length=1_000_000,
        description=(
            "A Flink SQL script of CREATE TABLE statements for tables the scenario's statements "
            "read but do not define (connector options are ignored: sources become datagen)."
        ),
    )
    key_counts: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "Distinct values per key column, keyed 'table.column' (one column) or 'table' "
            "(every key column of that table)."
        ),
    )
    default_key_count: int = Field(
        DEFAULT_KEY_COUNT,
        ge=1,
        le=1_000_000_000,
        description="Distinct values of a key column not listed in key_counts.",
    )
    string_length: int | None = Field(
        None,
        ge=1,
        le=65_536,
        description=(
            "Characters in each generated text column; by default the statement's message_bytes "
            "spread over the table's text columns."
        ),
    )

    def key_count(self, table: str, column: str, fallback: int | None = None) -> int:
        """Distinct values for `table.column`: key_counts for the column, else for the table,
        else `fallback` (the statement's own key_count), else default_key_count."""
        counts = {k.lower(): v for k, v in self.key_counts.items()}
        for key in (f"{table}.{column}".lower(), table.lower()):
            if key in counts:
                return counts[key]
        return fallback if fallback is not None else self.default_key_count

    def is_listed(self, table: str, column: str) -> bool:
        """True when key_counts names this exact column (it is then always a key column)."""
        return f"{table}.{column}".lower() in {k.lower() for k in self.key_counts}


class ProjectionSettings(StrictModel):
    """The month-by-month projection (estimator/projection.py)."""

    months: int = Field(12, ge=1, le=36, description="Calendar months projected (1-36).")
    start: str | None = Field(
        None,
        pattern=r"^(20[0-9][0-9]|2100)-(0[1-9]|1[0-2])$",
        description="First month projected, YYYY-MM; default: the month after today.",
    )


class Scenario(StrictModel):
    schema_version: Literal[1] = 1
    name: str = Field("Untitled scenario", min_length=1, max_length=200)
    pricing: PricingSettings = Field(default_factory=PricingSettings)
    horizon_minutes: int = Field(1440, ge=1, le=MAX_HORIZON_MINUTES)
    month_hours: float = Field(730, gt=0, le=744)
    autoscaler: AutoscalerChoice = Field(
        autoscaler_presets.DEFAULT_PRESET,
        description="Autoscaler preset name, or {preset: NAME, PARAMETER: VALUE, ...}.",
    )
    profiles: dict[str, Profile] = Field(
        default_factory=dict, description="Named traffic profiles statements refer to."
    )
    pools: list[Pool] = Field(default_factory=lambda: [Pool(name="default", max_cfu=50)])
    statements: list[Statement] = Field(min_length=1, max_length=2000)
    parameters: dict[str, float] = Field(
        default_factory=dict,
        description="Overrides of model parameters by key (see the assumptions table).",
    )
    calibration: CalibrationSettings | None = Field(
        None, description="How `cfu-estimator calibrate` shapes generated data like yours."
    )
    projection: ProjectionSettings | None = Field(
        None, description='Months projected ahead: {months: 12, start: "2027-01"}.'
    )

    _source_dir: Path | None = PrivateAttr(default=None)

    @field_validator("parameters")
    @classmethod
    def _known_parameters(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = model_parameters.unknown_keys_problem(v)
        if unknown:
            raise ValueError(unknown)
        problems = model_parameters.check_overrides(v)
        if problems:
            raise FieldProblems(problems)
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
            if st.cfu_schedule and st.pool in pool_names:
                cap = self.pools[pool_names.index(st.pool)].max_cfu
                for j, step in enumerate(st.cfu_schedule):
                    if step.cfu > cap:
                        problems.append(
                            (
                                f"statements[{i}].cfu_schedule[{j}].cfu",
                                f"{step.cfu} CFUs is more than pool {st.pool!r} allows "
                                f"(max_cfu {cap}); lower it or raise the pool's max_cfu",
                            )
                        )
            if not st.sql.strip() and not st.cfu_schedule:
                problems.append(
                    (f"statements[{i}].sql", "is required unless a cfu_schedule is given")
                )
            problems += self._profile_problems(i, st)
        for name, profile in self.profiles.items():
            problems += self._horizon_problems(f"profiles.{name}", profile)
        if problems:
            raise FieldProblems(problems)
        return self

    def _profile_problems(self, i: int, st: Statement) -> list[tuple[str, str]]:
        where = f"statements[{i}].profile"
        if st.profile is None:
            return []
        if st.rps is not None:
            return [
                (
                    where,
                    "give rps (a constant rate) or a profile, not both; drop rps or use "
                    "{shape: constant, rps: ...}",
                )
            ]
        if isinstance(st.profile, str):
            if st.profile not in self.profiles:
                known = ", ".join(self.profiles) or "none defined"
                return [
                    (
                        where,
                        f"no profile named {st.profile!r}; add it under profiles (known: {known})",
                    )
                ]
            return []
        return self._horizon_problems(where, st.profile)

    def _horizon_problems(self, where: str, profile: AnyProfile) -> list[tuple[str, str]]:
        h = self.horizon_minutes
        if isinstance(profile, StepsProfile):
            for j, step in enumerate(profile.steps):
                if step.minute >= h:
                    return [(f"{where}.steps[{j}].minute", _past_horizon(step.minute, h))]
        if isinstance(profile, SeriesProfile) and profile.series:
            for j, (minute, _) in enumerate(profile.series):
                if minute >= h:
                    return [(f"{where}.series[{j}]", _past_horizon(minute, h))]
        if isinstance(profile, BurstsProfile) and profile.at_minutes:
            for j, minute in enumerate(profile.at_minutes):
                if minute >= h:
                    return [(f"{where}.at_minutes[{j}]", _past_horizon(minute, h))]
        return []

    def profile_of(self, st: Statement) -> AnyProfile | None:
        """The statement's profile, a named one looked up under profiles."""
        if isinstance(st.profile, str):
            return self.profiles[st.profile]
        return st.profile

    def autoscaler_choice(self) -> tuple[str, dict[str, Any]]:
        """(preset name, parameter overrides) of the scenario's autoscaler."""
        if isinstance(self.autoscaler, AutoscalerSettings):
            return self.autoscaler.preset, self.autoscaler.overrides
        return self.autoscaler, {}

    def __eq__(self, other: object) -> bool:
        # Where a scenario was read from is not part of it: compare the fields only.
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    # Unhashable, as a mutable model with a value __eq__ must be; typeshed types __hash__
    # as a method, so mypy needs telling that None is meant.
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
    check_data(data)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        lines = [_TAG_IN_PATH.sub("", line) for line in format_validation_error(exc)]
        raise ScenarioError(lines) from None
    scenario._source_dir = source_dir
    problems = _csv_problems(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


NO_FILES_HERE = (
    "a scenario read here cannot name a file; give the points inline as "
    "series: [[minute, rps], ...] (the app's traffic editor turns an uploaded CSV into them)"
)


def _csv_problems(scenario: Scenario) -> list[str]:
    """Read and check every CSV series a scenario names (paths relative to its folder). A
    scenario with no folder (an upload, a share link, text) may name no file at all."""
    where: list[tuple[str, SeriesProfile]] = []
    for name, profile in scenario.profiles.items():
        if isinstance(profile, SeriesProfile) and profile.csv:
            where.append((f"profiles.{name}.csv", profile))
    for i, st in enumerate(scenario.statements):
        if isinstance(st.profile, SeriesProfile) and st.profile.csv:
            where.append((f"statements[{i}].profile.csv", st.profile))
    problems: list[str] = []
    if scenario.source_dir is None:
        return [f"{field}: {NO_FILES_HERE}" for field, _ in where]
    for field, profile in where:
        try:
            load_csv_series(
                profile.csv or "", scenario.source_dir, horizon_minutes=scenario.horizon_minutes
            )
        except TrafficError as exc:
            problems += [f"{field}: {p}" for p in exc.problems]
    return problems


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
    data = load_yaml(text)
    return parse_scenario(data, source_dir=source_dir)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (YAML or JSON)."""
    p = Path(path)
    try:
        data = read_limited(p, MAX_SCENARIO_BYTES, what=f"(file) {p.name}")
    except FileRefused as exc:
        raise ScenarioError([str(exc)]) from None
    return loads_scenario(data, source_dir=p.resolve().parent)


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
