"""The calibration table printed by `cfu-estimator calibrate`."""

from __future__ import annotations

from collections.abc import Sequence

from estimator.calibrate.calibration import CalibrationResult

HEADERS = (
    "statement",
    "kind",
    "records/s",
    "pass-through/s",
    "op us/rec",
    "model rec/s/CFU",
    "model op us",
    "diff us",
    "measured rec/s/CFU",
)


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _row(r: CalibrationResult) -> tuple[str, ...]:
    return (
        r.statement,
        r.kind,
        _num(r.statement_records_per_second, ",.0f"),
        _num(r.pass_through_records_per_second, ",.0f"),
        _num(r.operator_us_per_record, ".2f"),
        _num(r.model_records_per_cfu_second, ",.0f"),
        _num(r.model_operator_us_per_record, ".2f"),
        _num(r.difference_us, "+.2f"),
        _num(r.measured_records_per_cfu_second, ",.0f"),
    )


def render_table(results: Sequence[CalibrationResult]) -> str:
    """Aligned table of measured and assumed costs; failed statements listed after it."""
    rows = [HEADERS, *(_row(r) for r in results if r.ok)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if len(rows) == 1:
        lines.append("(no statement measured)")
    ok = [r for r in results if r.ok]
    if ok:
        r = ok[0]
        lines.append(
            f"\nLocal Apache Flink {r.flink_version}, {r.backend} state, parallelism 1, "
            f"{r.measured_on}. records/s: input records per CPU-second (one core) of the statement "
            "and of a pass-through of the same generated sources, from the marginal CPU time "
            "between two source sizes (JVM start and each job's fixed cost cancel out). "
            "op us/rec: the statement's own cost per input record. model: what the "
            "estimate assumes for the operators; measured rec/s/CFU: the model's Kafka base "
            "cost plus the measured operator cost (written by --apply)."
        )
    failed = [r for r in results if not r.ok]
    if failed:
        lines.append("\nNot measured:")
        lines += [f"  {r.statement} ({r.kind}): {r.error}" for r in failed]
    return "\n".join(lines) + "\n"
