"""The customer handout: a one- or two-page PDF of an estimate.

KPIs (with the bill that keeps up when a pool ran out), the CFU chart drawn with the PDF
library's own vector shapes (no browser, no image step), statements and pools, the sizing
advice, key assumptions with their public sources, the price's source and date, the scenario
name and a link back to it in the app.

Rendered with fpdf2 (pure Python, maintained, embeds a TrueType font for any Unicode name).
User text (names, sources) is only ever drawn as text: never markup, never a link target;
the only link is the one the caller passes, and only an http(s) address is accepted.

Public API: `pdf_bytes(est, link=None)` and `write_pdf(est, path, link=None)`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import tempfile
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from estimator.charts import PALETTE, bucket_mean, time_axis
from estimator.estimate import Estimate
from estimator.formatting import duration, horizon, money
from estimator.scenario import Scenario, scenario_to_dict
from estimator.timeline import MINUTES_PER_HOUR

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
MAX_STATEMENT_ROWS = 22
MAX_ADVICE = 6
KEY_ASSUMPTIONS = 9
CHART_POINTS = 240
MAX_TEXT = 160  # characters of any one user-given string drawn


def _font_files() -> tuple[Path, Path] | None:
    for d in FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class Handout(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(14, 12, 14)
        self.set_auto_page_break(auto=True, margin=14)
        self.title_text = title
        fonts = _font_files()
        if fonts is not None:
            self.add_font("body", "", str(fonts[0]))
            self.add_font("body", "B", str(fonts[1]))
            self.family = "body"
            self.unicode = True
        else:  # core font: Latin-1 only, other characters replaced
            self.family = "helvetica"
            self.unicode = False
        self.set_title(self.clean(title))
        self.set_creator("Flink CFU Estimator")

    def clean(self, text: object, limit: int = MAX_TEXT) -> str:
        """User text as plain drawable text: one line, bounded, in the font's characters."""
        s = " ".join(str(text).split())
        if len(s) > limit:
            s = s[: limit - 1] + "…"
        if not self.unicode:
            s = s.encode("latin-1", "replace").decode("latin-1")
        return s

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        """Left-aligned paragraphs (fpdf2 justifies by default: wide gaps in short lines)."""
        kwargs.setdefault("align", "L")
        return super().multi_cell(*args, **kwargs)

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def footer(self) -> None:
        self.set_y(-11)
        self.font(7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 4, self.clean(f"{self.title_text} · page {self.page_no()}/{{nb}}"), align="L")
        self.set_text_color(0, 0, 0)


def _heading(pdf: Handout, text: str) -> None:
    pdf.ln(2)
    pdf.font(11, bold=True)
    pdf.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(8)


def _kpis(pdf: Handout, est: Estimate) -> None:
    t = est.totals
    items: list[tuple[str, str]] = [
        ("Monthly", money(t.monthly_cost_usd)),
        ("Annual", money(t.annual_cost_usd)),
        (f"Cost over {horizon(est.scenario.horizon_minutes)}", money(t.cost_usd)),
        ("CFU-hours", f"{float(t.cfu_hours):,.2f}"),
        ("Peak CFUs", f"{t.peak_cfu:,}"),
        ("Pools in use", f"{t.pools_in_use}"),
    ]
    if est.keep_up is not None:
        items.insert(2, ("Monthly to keep up", money(est.keep_up.monthly_cost_usd)))
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(items)
    y = pdf.get_y()
    for i, (label, value) in enumerate(items):
        x = pdf.l_margin + i * width
        pdf.set_draw_color(200, 200, 200)
        pdf.rect(x + 0.5, y, width - 1, 15)
        pdf.set_xy(x + 1.5, y + 1.2)
        size = 7.0
        pdf.font(size)
        while size > 5 and pdf.get_string_width(label) > width - 3:  # the label fits its box
            size -= 0.25
            pdf.font(size)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(width - 3, 4, label)
        pdf.set_xy(x + 1.5, y + 6)
        pdf.font(11.5 if len(items) < 7 else 10, bold=True)
        pdf.set_text_color(0, 0, 0)
        pdf.cell(width - 3, 7, value)
    pdf.set_xy(pdf.l_margin, y + 17)
    pdf.font(8)
    if est.range is not None:
        r = est.range.totals
        pdf.multi_cell(
            0,
            4,
            f"Range (low - high, every model parameter at its cheap / expensive end): monthly "
            f"{money(r.monthly_cost_usd_low)} - {money(r.monthly_cost_usd_high)}, annual "
            f"{money(r.annual_cost_usd_low)} - {money(r.annual_cost_usd_high)}.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    if est.keep_up is not None:
        k = est.keep_up
        pools = ", ".join(f"{n} at MAX_CFU {v}" for n, v in k.pools.items())
        pdf.set_text_color(160, 60, 0)
        pdf.multi_cell(
            0,
            4,
            pdf.clean(
                f"{t.exhausted_pools} pool(s) ran out of CFUs: the monthly figure is capped and "
                f"statements fall behind. Keeping up with the input ({pools}) costs "
                f"{money(k.monthly_cost_usd)} a month: budget for that figure.",
                600,
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)


def _chart(pdf: Handout, est: Estimate, height: float = 58.0) -> None:
    """CFUs in use per minute, stacked by statement (the largest eight, the rest together)."""
    tl = est.timeline
    minutes = tl.minutes
    if minutes == 0 or tl.cfu.size == 0:
        return
    res = tl.resolution_minutes  # 60 when the timeline is hourly
    axis = time_axis(minutes, CHART_POINTS, res)
    # An hourly timeline's exact mean CFUs per hour (its `cfu` holds each hour's highest).
    per_column = tl.cfu if tl.per_minute else tl.hourly_cfu_minutes() / MINUTES_PER_HOUR
    cfu = bucket_mean(per_column, axis.bucket // res)
    used = tl.cfu_minutes()
    order = np.argsort(-used, kind="stable")
    top = [int(i) for i in order[:8] if used[i] > 0]
    rest = [int(i) for i in order[8:]]
    layers: list[tuple[str, np.ndarray]] = [(est.statements[i].name, cfu[i]) for i in top]
    if rest:
        layers.append((f"{len(rest)} others", cfu[rest].sum(axis=0)))
    total = np.sum([v for _, v in layers], axis=0) if layers else np.zeros(cfu.shape[1])
    ymax = max(1.0, float(total.max(initial=0.0)))
    x0, w = pdf.l_margin + 10, pdf.w - pdf.l_margin - pdf.r_margin - 10
    y0 = pdf.get_y() + 2
    n = cfu.shape[1]

    def px(j: float) -> float:
        return x0 + w * j / max(1, n - 1)

    def py(v: float) -> float:
        return y0 + height - height * v / ymax

    base = np.zeros(n)
    for k, (_, values) in enumerate(layers):
        upper = base + values
        points = [(px(j), py(float(upper[j]))) for j in range(n)]
        points += [(px(j), py(float(base[j]))) for j in range(n - 1, -1, -1)]
        pdf.set_fill_color(*_rgb(PALETTE[k % len(PALETTE)]))
        pdf.set_draw_color(*_rgb(PALETTE[k % len(PALETTE)]))
        pdf.polygon(points, style="F")
        base = upper
    # Axes, ticks and labels.
    pdf.set_draw_color(80, 80, 80)
    pdf.line(x0, y0, x0, y0 + height)
    pdf.line(x0, y0 + height, x0 + w, y0 + height)
    pdf.font(6.5)
    for frac in (0.0, 0.5, 1.0):
        v = ymax * frac
        pdf.set_xy(pdf.l_margin, py(v) - 1.5)
        pdf.cell(9, 3, f"{v:,.0f}", align="R")
    span = minutes / axis.divisor
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        pdf.set_xy(x0 + w * frac - 8, y0 + height + 0.5)
        pdf.cell(16, 3, f"{span * frac:,.0f}", align="C")
    pdf.set_xy(x0, y0 + height + 3.5)
    pdf.cell(w, 3, f"CFUs in use, by {axis.title}", align="C")
    # Legend.
    pdf.set_xy(x0, y0 + height + 7.5)
    for k, (name, _) in enumerate(layers):
        label = pdf.clean(name, 28)
        lw = pdf.get_string_width(label) + 7
        if pdf.get_x() + lw > x0 + w:
            pdf.ln(3.5)
            pdf.set_x(x0)
        pdf.set_fill_color(*_rgb(PALETTE[k % len(PALETTE)]))
        pdf.rect(pdf.get_x(), pdf.get_y() + 0.6, 2.4, 2.4, style="F")
        pdf.set_x(pdf.get_x() + 3.2)
        pdf.cell(lw - 3.2, 3.5, label)
    pdf.ln(5)


def _table(pdf: Handout, headers: list[str], widths: list[float], rows: list[list[str]]) -> None:
    right = {i for i, h in enumerate(headers) if i > 0 and h not in ("Pool", "Kind", "Status")}
    pdf.font(7.5, bold=True)
    pdf.set_fill_color(235, 238, 242)
    for i, (h, wd) in enumerate(zip(headers, widths, strict=True)):
        pdf.cell(wd, 5, h, border="B", fill=True, align="R" if i in right else "L")
    pdf.ln()
    pdf.font(7.5)
    for row in rows:
        if pdf.get_y() > pdf.h - 22:
            pdf.add_page()
        for i, (cell, wd) in enumerate(zip(row, widths, strict=True)):
            text = pdf.clean(cell, 60)
            while text and pdf.get_string_width(text) > wd - 1.5:
                text = text[:-2] + "…"
            pdf.cell(wd, 4.4, text, align="R" if i in right else "L")
        pdf.ln()


def _statements(pdf: Handout, est: Estimate) -> None:
    ranked = sorted(est.statements, key=lambda s: -float(s.cost_usd))
    shown = ranked[:MAX_STATEMENT_ROWS]
    rows = [
        [
            s.name,
            s.pool,
            s.kind,
            f"{s.avg_cfu:,.1f}",
            f"{s.peak_cfu:,}",
            f"{s.cfu_minutes:,}",
            money(s.cost_usd),
            "–" if s.max_lag_seconds <= 0 else duration(s.max_lag_seconds),
        ]
        for s in shown
    ]
    _table(
        pdf,
        ["Statement", "Pool", "Kind", "Avg CFU", "Peak", "CFU-min", "Cost", "Max lag"],
        [52, 24, 18, 15, 12, 20, 22, 19],
        rows,
    )
    if len(ranked) > len(shown):
        rest = ranked[len(shown) :]
        cost = sum((s.cost_usd for s in rest), Decimal(0))
        pdf.font(7)
        pdf.cell(0, 4, f"… and {len(rest)} more statements costing {money(cost)} together.")
        pdf.ln()


def _pools(pdf: Handout, est: Estimate) -> None:
    headers = ["Pool", "MAX_CFU", "Peak", "Recommended", "Exhausted min", "Cost"]
    widths = [40.0, 18, 14, 24, 26, 28]
    rows = [
        [
            p.name,
            f"{p.max_cfu}",
            f"{p.peak_cfu}",
            "" if p.recommended_max_cfu is None else f"{p.recommended_max_cfu}",
            f"{p.exhausted_minutes:,}",
            money(p.cost_usd),
        ]
        for p in est.pools
    ]
    if est.keep_up is not None:  # the keep-up column only when a pool ran out
        headers.append("Cost to keep up")
        widths.append(32)
        for row, p in zip(rows, est.pools, strict=True):
            row.append("" if p.demand_cost_usd is None else money(p.demand_cost_usd))
    _table(pdf, headers, widths, rows)


def _advice(pdf: Handout, est: Estimate) -> None:
    items = est.all_advice()[:MAX_ADVICE]
    if not items:
        return
    _heading(pdf, "Sizing advice")
    for r in items:
        pdf.multi_cell(0, 4, pdf.clean("• " + r.text, 400), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    more = len(est.all_advice()) - len(items)
    if more > 0:
        pdf.cell(0, 4, f"{more} more in the app and the workbook.")
        pdf.ln()


def _assumptions(pdf: Handout, est: Estimate) -> None:
    _heading(pdf, "Key assumptions and their sources")
    chosen = [a for a in est.assumptions if a.overridden]
    chosen += [a for a in est.assumptions if not a.overridden]
    for a in chosen[:KEY_ASSUMPTIONS]:
        pdf.font(7.5, bold=True)
        pdf.multi_cell(
            0,
            3.8,
            pdf.clean(f"{a.label}: {a.value} {a.unit}" + (" (overridden)" if a.overridden else "")),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.font(7)
        pdf.set_text_color(80, 80, 80)
        pdf.multi_cell(0, 3.5, pdf.clean(a.source, 300), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
    if len(est.assumptions) > KEY_ASSUMPTIONS:
        pdf.font(7)
        pdf.cell(0, 4, f"All {len(est.assumptions)} assumptions are listed in the app.")
        pdf.ln()


def scenario_link(app_url: str, scenario: Scenario) -> str:
    """The app's address that opens `scenario` (the `?s=` token the app's share links use:
    compact JSON, zlib, base64url without padding)."""
    raw = json.dumps(scenario_to_dict(scenario), separators=(",", ":")).encode("utf-8")
    token = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")
    return f"{app_url.rstrip('/')}/?s={token}"


def _safe_link(link: str | None) -> str | None:
    if not link:
        return None
    link = link.strip()
    if not link.lower().startswith(("https://", "http://")) or any(c in link for c in " \n\r"):
        return None
    return link


def pdf_bytes(est: Estimate, link: str | None = None, *, today: dt.date | None = None) -> bytes:
    """The handout as PDF bytes; `link` (an http(s) address) leads back to the scenario."""
    link = _safe_link(link)
    pdf = Handout(f"Flink CFU estimate: {est.scenario.name}")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.font(15, bold=True)
    pdf.multi_cell(0, 7, pdf.clean(pdf.title_text, 120), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font(8)
    pdf.set_text_color(90, 90, 90)
    price = est.price
    when = f", effective {price.effective_date.isoformat()}" if price.effective_date else ""
    disc = est.scenario.pricing.discount_pct
    lines = [
        f"Confluent Cloud for Apache Flink, {price.cloud.upper()} {price.region}. Prepared "
        f"{(today or dt.date.today()).isoformat()}.",
        f"Price: ${price.usd_per_cfu_hour} per CFU-hour"
        + (" (your own price)" if price.overridden else "")
        + (f", less {disc:g}% discount" if disc else "")
        + f". Source: {price.source}{when}.",
        f"Simulated minute by minute over {est.scenario.horizon_minutes:,} minutes; monthly = "
        f"the recurring statements over whole cycles of their traffic, scaled to "
        f"{est.scenario.month_hours:g} hours; annual = twelve projected calendar months; "
        "one-off statements are billed once. Estimates, not a quote.",
    ]
    for line in lines:
        pdf.multi_cell(0, 3.8, pdf.clean(line, 400), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1.5)
    _kpis(pdf, est)
    _heading(pdf, "CFUs over the horizon")
    _chart(pdf, est)
    _heading(pdf, "Statements (most expensive first)")
    _statements(pdf, est)
    _heading(pdf, "Compute pools")
    _pools(pdf, est)
    _advice(pdf, est)
    _assumptions(pdf, est)
    if link:
        pdf.ln(1)
        pdf.font(7.5)
        pdf.set_text_color(0, 80, 180)
        pdf.cell(0, 4, "Open this scenario in the estimator", link=link)
        pdf.set_text_color(0, 0, 0)
        pdf.ln()
    out: Any = pdf.output()
    return bytes(out)


def write_pdf(est: Estimate, path: str | Path, link: str | None = None) -> Path:
    """Write the handout atomically (a temporary file renamed into place)."""
    target = Path(path)
    data = pdf_bytes(est, link)
    fd, tmp = tempfile.mkstemp(prefix=".handout-", suffix=".pdf", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
