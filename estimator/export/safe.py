"""Keep user text from becoming a formula in a spreadsheet or CSV."""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Text that no spreadsheet will read as a formula: a leading quote where needed."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_cell(value: Any) -> Any:
    """Numbers pass; strings are made safe."""
    return safe_text(value) if isinstance(value, str) else value
