"""An Estimate as the JSON object of the command line (a public contract), a table, a CSV."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from estimator import projection_json, range_report
from estimator.estimate import Estimate
from estimator.export.safe import terminal_text
from estimator.export.tables import per_minute_limit_note, per_minute_records, statement_rows
from estimator.formatting import duration
from estimator.sizing import AdviceRecord

MONEY_PLACES = Decimal("0.000001")


def money(value: Decimal) -> float:
    """Money in JSON: a number rounded to 6 decimals."""
    return float(value.quantize(MONEY_PLACES, rounding=ROUND_HALF_EVEN))


def to_dict(est: Estimate, *, per_minute: bool = False) -> dict[str, Any]:
    t = est.totals
    out: dict[str, Any] = {
        "scenario": est.scenario.name,
        "currency": "USD",
        "usd_per_cfu_hour": float(est.price.usd_per_cfu_hour),
        "price_source": est.price.source,
        "discount_pct": est.scenario.pricing.discount_pct,
        "horizon_minutes": est.scenario.horizon_minutes,
        "month_hours": est.scenario.month_hours,
        "totals": {
            "cfu_minutes": t.cfu_minutes,
            "cfu_hours": money(t.cfu_hours),
            "cost_usd": money(t.cost_usd),
            "peak_cfu": t.peak_cfu,
            "monthly_cost_usd": money(t.monthly_cost_usd),
            "annual_cost_usd": money(t.annual_cost_usd),
            "one_off_cost_usd": money(t.one_off_cost_usd),
            **range_report.totals_fields(est, money),
        },
        "statements": [
            {
                "name": s.name,
                "pool": s.pool,
                "kind": s.kind,
                "statement_type": s.classification.statement_type,
                "cfu_minutes": s.cfu_minutes,
                "cost_usd": money(s.cost_usd),
                "peak_cfu": s.peak_cfu,
                "records_per_cfu_second": s.records_per_cfu_second,
                "explanation": s.classification.explanation,
                "error": s.error,
                "avg_cfu": round(s.avg_cfu, 6),
                "max_backlog_records": round(s.max_backlog_records, 3),
                "max_lag_seconds": round(s.max_lag_seconds, 3),
                "exhausted_minutes": s.exhausted_minutes,
                "pending_minutes": s.pending_minutes,
                "advice": advice_items(s.advice),
                **projection_json.statement_extras(est, i),
                **range_report.statement_fields(est, i, money),
            }
            for i, s in enumerate(est.statements)
        ],
        "pools": [
            {
                "name": p.name,
                "max_cfu": p.max_cfu,
                "peak_cfu": p.peak_cfu,
                "cfu_minutes": p.cfu_minutes,
                "cost_usd": money(p.cost_usd),
                "recommended_max_cfu": p.recommended_max_cfu,
                "exhausted_minutes": p.exhausted_minutes,
                "advice": advice_items(p.advice),
                "demand_cfu_minutes": p.demand_cfu_minutes,
                "demand_cost_usd": money(p.demand_cost_usd)
                if p.demand_cost_usd is not None
                else None,
                **range_report.pool_fields(est, i, money),
            }
            for i, p in enumerate(est.pools)
        ],
        "hourly": [
            {"hour": h.hour, "cfu_minutes": h.cfu_minutes, "cost_usd": money(h.cost_usd)}
            for h in est.hourly
        ],
        "projection": projection_json.projection_items(est),
        "projection_settings": projection_json.projection_settings(est),
        "by_label": projection_json.by_label(est),
        "cautions": list(est.cautions),
        "autoscaler": est.autoscaler,
        "advice": advice_items(est.advice),
        "range_drivers": range_report.drivers(est, money),
        "keep_up": _keep_up(est),
        "assumptions": [
            {
                "key": a.key,
                "label": a.label,
                "value": a.value,
                "unit": a.unit,
                "source": a.source,
                "overridden": a.overridden,
                "low": a.low,
                "high": a.high,
            }
            for a in est.assumptions
        ],
    }
    if per_minute:
        out["per_minute"] = per_minute_records(est)
        note = per_minute_limit_note(est)
        if note:
            out["per_minute_note"] = note
    return out


def advice_items(records: tuple[AdviceRecord, ...]) -> list[dict[str, Any]]:
    """Advice in JSON: kind, scope, subject, text (the sentence), numbers, change."""
    return [r.to_dict() for r in records]


def _keep_up(est: Estimate) -> dict[str, Any] | None:
    k = est.keep_up
    if k is None:
        return None
    return {
        "cfu_minutes": k.cfu_minutes,
        "cost_usd": money(k.cost_usd),
        "monthly_cost_usd": money(k.monthly_cost_usd),
        "annual_cost_usd": money(k.annual_cost_usd),
        "peak_cfu": k.peak_cfu,
        "max_cfu": dict(k.pools),
    }


def _fmt_money(v: Decimal) -> str:
    return f"${v.quantize(Decimal('0.0001')):,}"


def render_table(est: Estimate) -> str:
    """A plain-text report for a terminal."""
    t = est.totals
    lines = [
        f"Scenario: {est.scenario.name}",
        f"Price: ${est.price.usd_per_cfu_hour} per CFU-hour ({est.price.source})"
        + (f", discount {est.scenario.pricing.discount_pct:g}%" if est.rate.discount_pct else ""),
        f"Horizon: {est.scenario.horizon_minutes} minutes",
        "",
    ]
    header: tuple[str, ...] = ("statement", "pool", "kind", "CFU-min", "avg CFU", "peak CFU")
    header += ("max lag", "cost", "cost range")
    names = statement_rows(est, ("name", "pool", "kind"))
    rows = [
        (
            *(str(v) for v in name_pool_kind),
            f"{s.cfu_minutes:,}",
            f"{s.avg_cfu:.1f}",
            str(s.peak_cfu),
            duration(s.max_lag_seconds),
            _fmt_money(s.cost_usd),
            range_report.cost_cell(est, i, _fmt_money),
        )
        for i, (s, name_pool_kind) in enumerate(zip(est.statements, names, strict=True))
    ]
    total_range = ""
    if est.range is not None:
        tr = est.range.totals
        total_range = f"{_fmt_money(tr.cost_usd_low)}-{_fmt_money(tr.cost_usd_high)}"
    total = ("TOTAL", "", "", f"{t.cfu_minutes:,}", "", str(t.peak_cfu), "")
    rows.append((*total, _fmt_money(t.cost_usd), total_range))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    numeric = {3, 4, 5, 6, 7, 8}

    def fmt(r: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(widths[i]) if i in numeric else c.ljust(widths[i]) for i, c in enumerate(r)
        ).rstrip()

    lines.append(fmt(header))
    lines.append("  ".join("-" * w for w in widths))
    lines += [fmt(r) for r in rows[:-1]]
    lines.append("  ".join("-" * w for w in widths))
    lines.append(fmt(rows[-1]))
    lines += [
        "",
        f"CFU-hours: {t.cfu_hours.quantize(Decimal('0.000001')).normalize():f}",
        f"Cost over the horizon: {_fmt_money(t.cost_usd)}",
        f"Monthly ({est.scenario.month_hours:g} h, recurring): {_fmt_money(t.monthly_cost_usd)}",
        f"Annual (projection's first 12 months): {_fmt_money(t.annual_cost_usd)}",
        f"One-off (billed once): {_fmt_money(t.one_off_cost_usd)}",
        *range_report.table_lines(est, _fmt_money),
    ]
    lines += projection_json.text_lines(est)
    for p in est.pools:
        extra = ""
        if p.exhausted_minutes:
            extra = f"; ran out for {p.exhausted_minutes:,} minutes"
        if p.recommended_max_cfu is not None:
            extra += f"; recommended max_cfu {p.recommended_max_cfu}"
        lines.append(
            f"Pool {p.name}: peak {p.peak_cfu} of max {p.max_cfu} CFU, "
            f"{p.cfu_minutes:,} CFU-minutes, {_fmt_money(p.cost_usd)}{extra}"
        )
    if est.autoscaler:
        params = ", ".join(f"{k} {v}" for k, v in est.autoscaler.get("parameters", {}).items())
        lines.append(f"Autoscaler: {est.autoscaler.get('preset')} ({params})")
    if est.keep_up is not None:
        k = est.keep_up
        lines.append(
            f"To keep up with its input: {_fmt_money(k.monthly_cost_usd)} a month with "
            + ", ".join(f"pool {n} at max_cfu {v}" for n, v in k.pools.items())
            + f" (the {_fmt_money(t.monthly_cost_usd)} above is capped: backlog grows)."
        )
    advice = est.all_advice()
    if advice:
        lines.append("")
        lines.append("Advice:")
        lines += [f"- {r.text}" for r in advice]
    errors = [s for s in est.statements if s.error]
    if errors:
        lines.append("")
        lines += [f"! {s.name}: {s.error}" for s in errors]
    return terminal_text("\n".join(lines) + "\n")


STATEMENT_CSV_COLUMNS = (
    "name",
    "pool",
    "kind",
    "cfu_minutes",
    "cfu_hours",
    "cost_usd",
    "peak_cfu",
    "error",
    "avg_cfu",
    "max_backlog_records",
    "max_lag_seconds",
    "exhausted_minutes",
    "pending_minutes",
)


def to_csv(est: Estimate) -> str:
    """Per-statement CSV (rows from estimator.export.tables: user text neutralised)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(STATEMENT_CSV_COLUMNS)
    w.writerows(statement_rows(est, STATEMENT_CSV_COLUMNS))
    return buf.getvalue()
