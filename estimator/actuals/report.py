"""A Reconciliation as the JSON object of `cfu-estimator reconcile` (a public contract) and as
a terminal table.

Stable keys: `statements[].actual_cfu_minutes`, `estimated_cfu_minutes`, `error_pct`,
`observed_records_per_cfu_second`, and `totals` with the same keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from estimator.actuals.metrics import SOURCES
from estimator.actuals.reconcile import COMPARED, Reconciliation, describe_window
from estimator.actuals.refit import FLAT_FLOOR_RECORDS, FLAT_FRACTION, MIN_STEADY_MINUTES
from estimator.report import money


def _r(value: float | None, places: int = 3) -> float | None:
    return None if value is None else round(float(value), places)


def _m(value: Decimal | None) -> float | None:
    return None if value is None else money(value)


def to_dict(rec: Reconciliation) -> dict[str, Any]:
    est = rec.estimate
    a, b = rec.window
    statements = []
    for s in rec.statements:
        fit = s.fit
        statements.append(
            {
                "name": s.name,
                "actual_name": s.actual_name,
                "pool": s.pool,
                "status": s.status,
                "actual_cfu_minutes": _r(s.actual_cfu_minutes),
                "estimated_cfu_minutes": s.estimated_cfu_minutes,
                "error_pct": _r(s.error_pct, 2),
                "actual_cost_usd": _m(s.actual_cost_usd),
                "estimated_cost_usd": _m(s.estimated_cost_usd),
                "actual_peak_cfu": _r(s.actual_peak_cfu),
                "estimated_peak_cfu": s.estimated_peak_cfu,
                "actual_records_in": _r(s.actual_records_in, 0),
                "estimated_records_in": _r(s.estimated_records_in, 0),
                "records_in_error_pct": _r(s.records_in_error_pct, 2),
                "actual_max_pending_records": _r(s.actual_max_pending_records, 0),
                "estimated_max_backlog_records": _r(s.estimated_max_backlog_records, 0),
                "observed_records_per_cfu_second": _r(fit.observed if fit else None, 1),
                "steady_minutes": fit.steady_minutes if fit else 0,
                "model_records_per_cfu_second": _r(s.model_records_per_cfu_second, 1),
                "fitted_records_per_cfu_second": _r(fit.fitted if fit else None, 1),
                "refit_cfu_minutes": s.refit_cfu_minutes,
                "refit_error_pct": _r(s.refit_error_pct, 2),
            }
        )
    pools = [
        {
            "name": p.name,
            "actual_ids": list(p.actual_ids),
            "status": p.status,
            "actual_cfu_minutes": _r(p.actual_cfu_minutes),
            "estimated_cfu_minutes": p.estimated_cfu_minutes,
            "error_pct": _r(p.error_pct, 2),
            "actual_cost_usd": _m(p.actual_cost_usd),
            "estimated_cost_usd": _m(p.estimated_cost_usd),
            "actual_peak_cfu": _r(p.actual_peak_cfu),
            "estimated_peak_cfu": p.estimated_peak_cfu,
            "cfu_limit": _r(p.cfu_limit),
            "max_cfu": p.max_cfu,
            "basis": p.basis,
        }
        for p in rec.pools
    ]
    actual_cost = rec.cost(rec.actual_cfu_minutes)
    estimated_cost = rec.cost(rec.estimated_cfu_minutes)
    return {
        "scenario": est.scenario.name,
        "actuals_format": rec.source_format,
        "start": rec.start_time,
        "end": rec.end_time,
        "window": {"first_minute": a, "last_minute": b, "minutes": b - a + 1},
        "currency": "USD",
        "usd_per_cfu_hour": float(est.price.usd_per_cfu_hour),
        "discount_pct": est.scenario.pricing.discount_pct,
        "totals": {
            "actual_cfu_minutes": _r(rec.actual_cfu_minutes),
            "estimated_cfu_minutes": rec.estimated_cfu_minutes,
            "error_pct": _r(rec.error_pct, 2),
            "observed_records_per_cfu_second": _r(rec.observed_records_per_cfu_second, 1),
            "actual_cfu_hours": _r(rec.actual_cfu_minutes / 60.0, 6),
            "estimated_cfu_hours": _r(rec.estimated_cfu_minutes / 60.0, 6),
            "actual_cost_usd": money(actual_cost),
            "estimated_cost_usd": money(estimated_cost),
            "refit_cfu_minutes": rec.refit_cfu_minutes,
            "refit_error_pct": _r(rec.refit_error_pct, 2),
        },
        "statements": statements,
        "pools": pools,
        "hourly": [
            {
                "hour": h.hour,
                "actual_cfu_minutes": _r(h.actual_cfu_minutes),
                "estimated_cfu_minutes": h.estimated_cfu_minutes,
                "actual_cost_usd": money(rec.cost(h.actual_cfu_minutes)),
                "estimated_cost_usd": money(rec.cost(h.estimated_cfu_minutes)),
            }
            for h in rec.hourly
        ],
        "problems": list(rec.problems),
        "notes": list(rec.notes),
        "method": {
            "error_pct": "(estimated - actual) / actual x 100: positive when the estimate is high",
            "steady_minute": (
                "CFUs unchanged from the minute before, records in, and pending_records moved "
                f"by at most {FLAT_FRACTION:.0%} of the minute's input or "
                f"{FLAT_FLOOR_RECORDS:g} records"
            ),
            "min_steady_minutes": MIN_STEADY_MINUTES,
            "fitted_records_per_cfu_second": (
                "capacity per CFU at which the model's autoscaler (ceil(rate x headroom / "
                "capacity)) asks the CFU-minutes observed in the steady minutes"
            ),
            "sources": [{"title": t, "url": u} for t, u in SOURCES],
        },
    }


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}%"


def _num(value: float | None, places: int = 0) -> str:
    return "" if value is None else f"{value:,.{places}f}"


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"${value.quantize(Decimal('0.0001')):,}"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], left: int = 1) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(r: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(widths[i]) if i < left else c.rjust(widths[i]) for i, c in enumerate(r)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [fmt(header), rule, *[fmt(r) for r in rows]]


def render_table(rec: Reconciliation) -> str:
    est = rec.estimate
    lines = [
        f"Scenario: {est.scenario.name}",
        f"Actuals: {rec.source_format}, {describe_window(rec)}",
        f"Price: ${est.price.usd_per_cfu_hour} per CFU-hour"
        + (f", discount {est.scenario.pricing.discount_pct:g}%" if est.rate.discount_pct else ""),
        "",
    ]
    header = (
        "statement",
        "actual CFU-min",
        "estimated",
        "error",
        "actual $",
        "estimated $",
        "peak a/e",
        "records in a/e",
        "max pending a/e",
    )
    rows = []
    for s in rec.statements:
        label = s.name if s.actual_name in (None, s.name) else f"{s.name} ({s.actual_name})"
        if s.status != COMPARED:
            label += f" [{s.status}]"
        rows.append(
            (
                label,
                _num(s.actual_cfu_minutes, 1),
                f"{s.estimated_cfu_minutes:,}",
                _pct(s.error_pct),
                _money(s.actual_cost_usd),
                _money(s.estimated_cost_usd),
                f"{_num(s.actual_peak_cfu)}/{s.estimated_peak_cfu}",
                f"{_short(s.actual_records_in)}/{_short(s.estimated_records_in)}",
                f"{_short(s.actual_max_pending_records)}/{_short(s.estimated_max_backlog_records)}",
            )
        )
    rows.append(
        (
            "TOTAL (billed)",
            _num(rec.actual_cfu_minutes, 1),
            f"{rec.estimated_cfu_minutes:,}",
            _pct(rec.error_pct),
            _money(rec.cost(rec.actual_cfu_minutes)),
            _money(rec.cost(rec.estimated_cfu_minutes)),
            "",
            "",
            "",
        )
    )
    lines += _table(header, rows)
    lines.append("")
    prow = [
        (
            p.name
            + (f" ({', '.join(p.actual_ids)})" if p.actual_ids else "")
            + ("" if p.status == COMPARED else f" [{p.status}]"),
            _num(p.actual_cfu_minutes, 1),
            f"{p.estimated_cfu_minutes:,}",
            _pct(p.error_pct),
            _money(p.actual_cost_usd),
            _money(p.estimated_cost_usd),
            f"{_num(p.actual_peak_cfu)}/{p.estimated_peak_cfu}",
            f"{_num(p.cfu_limit)}/{p.max_cfu if p.max_cfu is not None else ''}",
            p.basis,
        )
        for p in rec.pools
    ]
    lines += _table(
        (
            "pool",
            "actual CFU-min",
            "estimated",
            "error",
            "actual $",
            "estimated $",
            "peak a/e",
            "limit a/e",
            "from",
        ),
        prow,
    )
    lines.append("")
    fits = [s for s in rec.statements if s.fit is not None]
    if fits:
        frows = [
            (
                s.name,
                str(s.fit.steady_minutes) if s.fit else "",
                _num(s.fit.observed if s.fit else None),
                _num(s.model_records_per_cfu_second),
                _num(s.fit.fitted if s.fit else None),
                _pct(s.error_pct),
                _pct(s.refit_error_pct),
            )
            for s in fits
        ]
        frows.append(
            (
                "TOTAL",
                "",
                _num(rec.observed_records_per_cfu_second),
                "",
                "",
                _pct(rec.error_pct),
                _pct(rec.refit_error_pct),
            )
        )
        lines += _table(
            (
                "refit (records/s per CFU)",
                "steady min",
                "observed",
                "model",
                "fitted",
                "error now",
                "after --apply",
            ),
            frows,
        )
        lines.append("")
    lines.append(
        f"Bill over the window: actual {_num(rec.actual_cfu_minutes, 1)} CFU-minutes = "
        f"{_money(rec.cost(rec.actual_cfu_minutes))}; estimate "
        f"{rec.estimated_cfu_minutes:,} CFU-minutes = {_money(rec.cost(rec.estimated_cfu_minutes))}"
        f" ({_pct(rec.error_pct) or 'n/a'})."
    )
    if rec.hourly and len(rec.hourly) <= 48:
        hrows = [
            (
                str(h.hour),
                _num(h.actual_cfu_minutes, 1),
                f"{h.estimated_cfu_minutes:,}",
                _money(rec.cost(h.actual_cfu_minutes)),
                _money(rec.cost(h.estimated_cfu_minutes)),
            )
            for h in rec.hourly
        ]
        lines.append("")
        lines += _table(("hour", "actual CFU-min", "estimated", "actual $", "estimated $"), hrows)
    lines.append("")
    lines.append("error = (estimated - actual) / actual; + means the estimate is high.")
    return "\n".join(lines) + "\n"


def _short(value: float | None) -> str:
    if value is None:
        return "-"
    v = abs(value)
    if v >= 1e9:
        return f"{value / 1e9:.1f}G"
    if v >= 1e6:
        return f"{value / 1e6:.1f}M"
    if v >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"
