"""Plain-text rendering of classifications (for `cfu-estimator classify --format table`)."""

from __future__ import annotations

from estimator.sql.model import Classification

_HEADERS: tuple[str, ...] = (
    "#",
    "line",
    "type",
    "kind",
    "operators",
    "state",
    "confidence",
    "explanation",
)


def _row(item: Classification) -> tuple[str, ...]:
    explanation = item.explanation
    if item.error:
        explanation = f"{explanation} [error: {item.error}]" if explanation else item.error
    return (
        str(item.index),
        str(item.line),
        item.statement_type,
        item.kind,
        ", ".join(item.operators) or "-",
        item.state,
        item.confidence,
        " ".join(explanation.split()),
    )


def render_classifications_table(items: list[Classification]) -> str:
    """An aligned plain-text table: one row per statement, the explanation last and unpadded."""
    rows = [_HEADERS, *(_row(item) for item in items)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS) - 1)]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if n == 0:
            lines.append("  ".join(["-" * w for w in widths] + ["-" * len(_HEADERS[-1])]))
    if not items:
        lines.append("(no statements)")
    return "\n".join(lines) + "\n"
