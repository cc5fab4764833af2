"""Traffic profile models of a scenario file, and reading a measured series from CSV.

Below `scenario.py` (which holds profiles by name and on statements) and `traffic.py` (which
turns a profile into per-minute rates); it imports neither. Minutes are minutes of the horizon
(0 = its start).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, model_validator

from estimator.errors import FieldProblems, TrafficError
from estimator.fields import StrictModel, strictly_increasing
from estimator.files import FileRefused, read_limited, resolve_inside

MAX_CSV_BYTES = 20 * 1024 * 1024

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class _Profile(StrictModel):
    growth_pct_per_month: float = Field(
        0,
        ge=-99,
        le=1000,
        description="Compound growth of the rate per 30-day month (for long horizons).",
    )


class ConstantProfile(_Profile):
    """The same rate every minute."""

    shape: Literal["constant"]
    rps: float = Field(ge=0, le=1e9, description="Input records per second.")


class DailyProfile(_Profile):
    """A daily cycle: a cosine from `trough_rps` up to `peak_rps` at `peak_hour` and back."""

    shape: Literal["daily"]
    trough_rps: float = Field(ge=0, le=1e9, description="Rate 12 hours away from the peak.")
    peak_rps: float = Field(gt=0, le=1e9, description="Rate at peak_hour.")
    peak_hour: int = Field(14, ge=0, le=23, description="Hour of the day of the peak (0-23).")
    weekend_factor: float = Field(
        1.0, ge=0, le=10, description="Multiplies the rate on Saturdays and Sundays."
    )
    first_day: Weekday = Field("monday", description="Weekday of the horizon's first day.")

    @model_validator(mode="after")
    def _trough_below_peak(self) -> DailyProfile:
        if self.trough_rps > self.peak_rps:
            raise FieldProblems(
                [
                    (
                        "trough_rps",
                        f"{self.trough_rps:g} is above peak_rps {self.peak_rps:g}; "
                        "the trough is the lowest rate of the day",
                    )
                ]
            )
        return self


class RatePoint(StrictModel):
    minute: int = Field(ge=0, description="Minute of the horizon.")
    rps: float = Field(ge=0, le=1e9, description="Input records per second from this minute.")


class StepsProfile(_Profile):
    """A rate that holds from each step's minute until the next step (the first step's rate
    also holds before it)."""

    shape: Literal["steps"]
    steps: list[RatePoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self) -> StepsProfile:
        problems = strictly_increasing([s.minute for s in self.steps], "steps")
        if problems:
            raise FieldProblems(problems)
        return self


class BurstsProfile(_Profile):
    """A base rate multiplied by `multiplier` for `minutes` minutes, every `every_minutes`
    (from `first_minute`) or at the minutes listed in `at_minutes`."""

    shape: Literal["bursts"]
    base_rps: float = Field(ge=0, le=1e9, description="Rate outside bursts.")
    multiplier: float = Field(ge=1, le=1000, description="Rate during a burst = base x this.")
    minutes: int = Field(ge=1, le=1440 * 7, description="Length of each burst.")
    every_minutes: int | None = Field(None, ge=1, description="Period of repeating bursts.")
    first_minute: int = Field(0, ge=0, description="Start of the first repeating burst.")
    at_minutes: list[int] | None = Field(None, description="Start minutes of one-off bursts.")

    @model_validator(mode="after")
    def _when(self) -> BurstsProfile:
        if (self.every_minutes is None) == (self.at_minutes is None):
            raise FieldProblems(
                [("every_minutes", "give every_minutes (repeating bursts) or at_minutes, one")]
            )
        if self.every_minutes is not None and self.minutes > self.every_minutes:
            raise FieldProblems(
                [
                    (
                        "minutes",
                        f"a burst of {self.minutes} minutes does not fit in every_minutes "
                        f"{self.every_minutes}; shorten it or space the bursts further",
                    )
                ]
            )
        if self.at_minutes is not None and any(m < 0 for m in self.at_minutes):
            raise FieldProblems([("at_minutes", "minutes must be 0 or more")])
        return self


def _series_points(value: Any) -> Any:
    """Accept [[minute, rps], ...] or [{minute: .., rps: ..}, ...]."""
    if isinstance(value, list):
        return [
            (v.get("minute"), v.get("rps"))
            if isinstance(v, dict) and set(v) <= {"minute", "rps"}
            else v
            for v in value
        ]
    return value


class SeriesProfile(_Profile):
    """A measured per-minute series: from a CSV file (`minute,rps`, path relative to the
    scenario file) or inline. Each rate holds until the next point; the first point's rate
    also holds before it."""

    shape: Literal["series"]
    csv: str | None = Field(
        None, min_length=1, max_length=1000, description="CSV file with columns minute,rps."
    )
    series: Annotated[list[tuple[int, float]] | None, BeforeValidator(_series_points)] = Field(
        None, description="Inline points [[minute, rps], ...]."
    )

    @model_validator(mode="after")
    def _one_source(self) -> SeriesProfile:
        if (self.csv is None) == (self.series is None):
            raise FieldProblems([("csv", "give csv (a file) or series (inline points), one")])
        if self.series is not None:
            if not self.series:
                raise FieldProblems([("series", "must list at least one [minute, rps] point")])
            for i, (minute, rps) in enumerate(self.series):
                if minute < 0 or rps < 0:
                    raise FieldProblems([(f"series[{i}]", "minute and rps must be 0 or more")])
            problems = strictly_increasing([m for m, _ in self.series], "series")
            if problems:
                raise FieldProblems(problems)
        return self


_SHAPES = ("constant", "daily", "steps", "bursts", "series")


def _profile_tag(value: Any) -> str | None:
    if isinstance(value, str):
        return "shape=name"
    shape = value.get("shape") if isinstance(value, dict) else getattr(value, "shape", None)
    return f"shape={shape}" if shape in _SHAPES else None


Profile = Annotated[
    Annotated[ConstantProfile, Tag("shape=constant")]
    | Annotated[DailyProfile, Tag("shape=daily")]
    | Annotated[StepsProfile, Tag("shape=steps")]
    | Annotated[BurstsProfile, Tag("shape=bursts")]
    | Annotated[SeriesProfile, Tag("shape=series")],
    Discriminator(
        _profile_tag,
        custom_error_type="profile_shape",
        custom_error_message=f"must have a shape: one of {', '.join(_SHAPES)}",
    ),
]
"""A traffic profile, told apart by its `shape`."""

ProfileRef = Annotated[
    Annotated[ConstantProfile, Tag("shape=constant")]
    | Annotated[DailyProfile, Tag("shape=daily")]
    | Annotated[StepsProfile, Tag("shape=steps")]
    | Annotated[BurstsProfile, Tag("shape=bursts")]
    | Annotated[SeriesProfile, Tag("shape=series")]
    | Annotated[str, Tag("shape=name")],
    Discriminator(
        _profile_tag,
        custom_error_type="profile_shape",
        custom_error_message=(
            f"must be a profile with a shape (one of {', '.join(_SHAPES)}) or the name of "
            "a profile under profiles"
        ),
    ),
]
"""A statement's profile: inline, or the name of one under the scenario's `profiles`."""

AnyProfile = ConstantProfile | DailyProfile | StepsProfile | BurstsProfile | SeriesProfile


def parse_csv_series(
    text: str, name: str, *, horizon_minutes: int | None = None
) -> list[tuple[int, float]]:
    """Read `minute,rps` rows (a header row is optional). Raises TrafficError naming the file,
    the line and the fix. Minutes must be whole, increasing and inside the horizon; rates
    must be numbers of 0 or more."""
    try:
        rows = list(csv.reader(io.StringIO(text.replace("\x00", ""))))
    except csv.Error:
        raise TrafficError([f"{name}: is not a CSV of minute,rps rows"]) from None
    points: list[tuple[int, float]] = []
    problems: list[str] = []
    for lineno, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not points and lineno == _first_line(rows) and _is_header(cells):
            continue
        if len(cells) < 2:
            problems.append(f"{name} line {lineno}: expected two columns minute,rps")
            continue
        try:
            minute_f = float(cells[0])
        except ValueError:
            problems.append(f"{name} line {lineno}: minute is not a number")
            continue
        try:
            rps = float(cells[1])
        except ValueError:
            problems.append(f"{name} line {lineno}: rps is not a number")
            continue
        if not math.isfinite(minute_f) or not minute_f.is_integer() or minute_f < 0:
            problems.append(
                f"{name} line {lineno}: minute {minute_f:g} must be a whole number, 0 or more"
            )
            continue
        minute = int(minute_f)
        if not math.isfinite(rps) or rps > 1e9:
            problems.append(f"{name} line {lineno}: rps must be a finite number up to 1e9")
            continue
        if rps < 0:
            problems.append(f"{name} line {lineno}: rps {rps:g} is negative; rates are >= 0")
            continue
        if points and minute <= points[-1][0]:
            problems.append(
                f"{name} line {lineno}: minute {minute} does not come after minute "
                f"{points[-1][0]}; sort the rows by minute, each minute once"
            )
            continue
        if horizon_minutes is not None and minute >= horizon_minutes:
            problems.append(
                f"{name} line {lineno}: minute {minute} is past the horizon of "
                f"{horizon_minutes} minutes; drop the row or raise horizon_minutes"
            )
            continue
        points.append((minute, rps))
        if len(problems) >= 10:
            break
    if not points and not problems:
        problems.append(f"{name}: has no rows; write one `minute,rps` row per minute")
    if problems:
        raise TrafficError(problems[:10])
    return points


def _first_line(rows: list[list[str]]) -> int:
    for lineno, row in enumerate(rows, start=1):
        if any(c.strip() for c in row) and not row[0].strip().startswith("#"):
            return lineno
    return 0


def _is_header(cells: list[str]) -> bool:
    try:
        float(cells[0])
    except ValueError:
        return True
    return False


def load_csv_series(
    path: str, source_dir: Path | None, *, horizon_minutes: int | None = None
) -> list[tuple[int, float]]:
    """Read a `minute,rps` CSV file inside the scenario's folder (estimator.files rules: no
    absolute path, no `..`, no symlink out, a regular file of at most 20 MB). A scenario with no
    folder (uploaded, shared) cannot name a file."""
    if source_dir is None:
        raise TrafficError([f"{path}: a scenario that is not a file cannot name a file"])
    try:
        p = resolve_inside(path, source_dir, what=path)
    except FileRefused as exc:
        if "no such file" in str(exc):
            raise TrafficError(
                [f"{path}: cannot read it (no such file); put the file next to the scenario file"]
            ) from None
        raise TrafficError([str(exc)]) from None
    try:
        text = read_limited(p, MAX_CSV_BYTES, what=path).decode("utf-8-sig")
    except FileRefused as exc:
        raise TrafficError([str(exc)]) from None
    except UnicodeDecodeError:
        raise TrafficError([f"{path}: is not UTF-8 text; save it as CSV"]) from None
    return parse_csv_series(text, p.name, horizon_minutes=horizon_minutes)
