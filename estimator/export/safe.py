"""Keep user text from becoming a formula in a spreadsheet or CSV.

Two channels, two techniques:

* CSV has no types: a field that starts with a formula trigger gets a leading quote
  (`safe_text`), the OWASP recommendation; spreadsheet programs then show it as text.
* xlsx has types: user text is written as a string cell (never a formula cell) with Excel's
  own "quote prefix" style, exactly what Excel stores when someone types `'=1+1`. The text
  itself is kept as typed; `xlsx_text` only drops what XML cannot carry.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

EXCEL_MAX_CELL_CHARS = 32_767
"""Excel's limit on the characters of one cell."""

TRUNCATED_MARK = " [truncated]"

# Characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR; lone surrogates;
# the two non-characters U+FFFE and U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Leading characters a spreadsheet program may skip before it looks for a formula: C0 and C1
# controls (NUL included), whitespace, zero-width and byte-order marks.
_LEADING_JUNK = re.compile("^[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202f\u2060\ufeff\\s]+")


# Control characters a terminal would act on (escape sequences, carriage return, bell...):
# every C0 control but newline and tab, DEL, and the C1 controls.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(value: str) -> str:
    """Text a terminal prints as it reads: its control characters shown as U+FFFD, so a
    scenario's names cannot move the cursor, recolour or rewrite what the report says."""
    return _TERMINAL_CONTROLS.sub("\ufffd", value)


def strip_leading_junk(value: str) -> str:
    """The text without its leading control characters and whitespace."""
    return _LEADING_JUNK.sub("", value)


def is_formula_like(value: str) -> bool:
    """True when a spreadsheet program could read this text as a formula (also when control
    characters or blanks come first: `\\x00=1+1` or ` =1+1`)."""
    return value.startswith(FORMULA_TRIGGERS) or strip_leading_junk(value).startswith(
        FORMULA_TRIGGERS
    )


def safe_text(value: str) -> str:
    """Text that no spreadsheet will read as a formula: leading control characters and blanks
    dropped, then a leading quote where it would start like a formula."""
    text = strip_leading_junk(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_cell(value: Any) -> Any:
    """Numbers pass; strings are made safe."""
    return safe_text(value) if isinstance(value, str) else value


def xlsx_text(value: str, limit: int = EXCEL_MAX_CELL_CHARS) -> str:
    """Text a workbook can hold: XML-illegal characters dropped, at most `limit` characters.

    This does not defuse formulas (the xlsx writer types the cell as a string for that).
    """
    text = _XML_ILLEGAL.sub("", value)
    if len(text) > limit:
        text = text[: limit - len(TRUNCATED_MARK)] + TRUNCATED_MARK
    return text
