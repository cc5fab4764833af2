"""Errors a user can act on: each names the field and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

MAX_LINE_CHARS = 300
"""Longest line of an error message, whatever the input (a longer one is cut, marked)."""


def clip(line: str, limit: int = MAX_LINE_CHARS) -> str:
    """One line of at most `limit` characters: line breaks flattened, the rest cut."""
    flat = " ".join(str(line).split()) if ("\n" in line or "\r" in line) else str(line)
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class EstimatorError(Exception):
    """Base of every error the estimator reports to a user (never a traceback)."""


MAX_PROBLEMS = 50
"""Most problem lines reported at once (the rest are counted)."""


class ScenarioError(EstimatorError):
    """The scenario is invalid. `problems` holds one 'field: what is wrong' line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = [clip(p) for p in list(problems)[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            self.problems.append(f"(and {len(problems) - MAX_PROBLEMS:,} more problems)")
        super().__init__("\n".join(self.problems))


class PricingError(EstimatorError):
    """No price is known for the asked cloud and region."""


class OutputError(EstimatorError):
    """A file or folder the user named for output cannot be written: says which, and the fix.
    (Files that cannot be read raise estimator.files.FileRefused.)"""


class TrafficError(EstimatorError):
    """A profile cannot be turned into rates. `problems` holds one line each, naming the
    file, line and fix for CSV series."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class FieldProblems(ValueError):
    """Raised inside model validators to report several fields at once, each with its path."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{w}: {m}" for w, m in self.problems))


def field_path(loc: Sequence[int | str]) -> str:
    """('statements', 2, 'partitions') -> 'statements[2].partitions'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def brief(value: object, limit: int = 60) -> str:
    """A short repr of a user's value for a message: long text cut, containers by kind only."""
    if isinstance(value, dict | list | tuple | set):
        return f"a {type(value).__name__}"
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "..."
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 100:
        return "a very large integer"
    return clip(repr(value), limit + 10)


def _num(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field (check its spelling; `cfu-estimator schema` lists them)"
    if kind == "greater_than_equal":
        return f"must be at least {_num(ctx['ge'])}"
    if kind == "greater_than":
        return f"must be greater than {_num(ctx['gt'])}"
    if kind == "less_than_equal":
        return f"must be at most {_num(ctx['le'])}"
    if kind == "less_than":
        return f"must be less than {_num(ctx['lt'])}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, not {brief(err.get('input'))}"
    if kind in {"too_short", "string_too_short"}:
        if kind == "string_too_short":
            return "must not be empty"
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind in {"too_long", "string_too_long"}:
        return f"is too long (at most {ctx.get('max_length')})"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"must be a whole number, not {brief(err.get('input'))}"
    if kind in {"float_parsing", "float_type"}:
        return f"must be a number, not {brief(err.get('input'))}"
    msg: str = err["msg"]
    return msg.removeprefix("Value error, ")


def format_validation_error(exc: ValidationError) -> list[str]:
    """Turn pydantic's errors into 'statements[2].partitions: must be at least 1' lines."""
    lines: list[str] = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        where = field_path(loc)
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, FieldProblems):
            prefix = f"{where}." if where else ""
            lines.extend(f"{prefix}{w}: {m}" for w, m in original.problems)
            continue
        lines.append(f"{where or '(scenario)'}: {_message(err)}")
    return lines
