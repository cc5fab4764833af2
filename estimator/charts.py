"""Plotly figures from an Estimate: pure functions, no Streamlit, testable without a browser.

Every figure reads numbers the core computed (the per-minute timeline, the hourly bill); the
only arithmetic here is presentation: averaging minutes into buckets so a 31-day curve stays
light in a browser, turning minutes into hours on the time axis, and summing the smallest
statements of a fleet into one "other statements" series (a stacked chart of 200 statements
is unreadable, and slow to draw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from estimator.estimate import Estimate
from estimator.timeline import PENDING, POOL_EXHAUSTED

MAX_POINTS = 1500
"""Most points a curve is drawn with; longer horizons are averaged into buckets of minutes."""

PALETTE: tuple[str, ...] = (
    "#0074E4",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
    "#E15759",
    "#76B7B2",
    "#EDC948",
    "#9C755F",
    "#FF9DA7",
    "#4E79A7",
    "#BAB0AC",
    "#1B9E77",
)
CAP_COLOR = "#1B2430"
EXHAUSTED_COLOR = "rgba(225, 87, 89, 0.16)"
RANGE_COLOR = "rgba(27, 36, 48, 0.55)"
RANGE_FILL = "rgba(78, 121, 167, 0.13)"
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "font_size": 12}
FONT = "Inter, Source Sans Pro, Helvetica, Arial, sans-serif"


MAX_SERIES = 12
"""Most statements a stacked chart draws one by one; the others are summed into one series."""
OTHERS_COLOR = "#8A94A3"


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


@dataclass(frozen=True)
class Series:
    """One band of a stacked chart: a statement, or the sum of the smaller ones."""

    name: str
    rows: tuple[int, ...]
    color: str


def stacked_series(
    names: Sequence[str], weights: Sequence[float], rows: Sequence[int], limit: int = MAX_SERIES
) -> list[Series]:
    """Bands for `rows` (statement indices) with weight > 0, in statement order: each one
    alone when they are at most `limit`, else the `limit - 1` heaviest alone and the rest
    summed into one last band named after how many it holds."""
    used = [i for i in rows if weights[i] > 0]
    if len(used) <= limit:
        return [Series(names[i], (i,), color(i)) for i in used]
    top = set(sorted(used, key=lambda i: -weights[i])[: limit - 1])
    rest = tuple(i for i in used if i not in top)
    return [Series(names[i], (i,), color(i)) for i in used if i in top] + [
        Series(f"{len(rest)} other statements", rest, OTHERS_COLOR)
    ]


@dataclass(frozen=True)
class TimeAxis:
    """How minutes are shown: per minute for short horizons, in hours or days for long ones."""

    bucket: int  # minutes averaged into one point
    divisor: float  # minutes per axis unit
    title: str

    def x(self, minutes: int) -> np.ndarray:
        starts = np.arange(0, minutes, self.bucket, dtype=np.float64)
        return starts / self.divisor


def time_axis(minutes: int, max_points: int = MAX_POINTS, step: int = 1) -> TimeAxis:
    bucket = max(1, -(-minutes // max_points))
    bucket = -(-bucket // step) * step  # whole columns of an hourly timeline (step 60)
    if minutes <= 180:
        divisor, unit = 1.0, "minute"
    elif minutes <= 4 * 1440:
        divisor, unit = 60.0, "hour"
    else:
        divisor, unit = 1440.0, "day"
    title = f"{unit} since start"
    if bucket > 1:
        title += f" (each point: mean of {bucket} minutes)"
    return TimeAxis(bucket=bucket, divisor=divisor, title=title)


def bucket_mean(rows: np.ndarray, bucket: int) -> np.ndarray:
    """Average (n, minutes) into (n, ceil(minutes / bucket)); a short last bucket is averaged
    over its own minutes."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim == 1:
        return bucket_mean(rows[None, :], bucket)[0]
    if bucket <= 1:
        return rows
    n, m = rows.shape
    k = -(-m // bucket)
    padded = np.zeros((n, k * bucket), dtype=np.float64)
    padded[:, :m] = rows
    counts = np.full(k, float(bucket))
    counts[-1] = m - (k - 1) * bucket
    return padded.reshape(n, k, bucket).sum(axis=2) / counts


def bucket_any(mask: np.ndarray, bucket: int) -> np.ndarray:
    """True for each bucket in which any minute of a 1-D mask is True."""
    mask = np.asarray(mask, dtype=bool)
    if bucket <= 1:
        return mask
    m = mask.shape[0]
    k = -(-m // bucket)
    padded = np.zeros(k * bucket, dtype=bool)
    padded[:m] = mask
    return np.asarray(padded.reshape(k, bucket).any(axis=1), dtype=bool)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index ranges where a 1-D boolean mask is True."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _style(fig: go.Figure, *, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        font={"family": FONT, "size": 13, "color": "#1B2430"},
        margin={"l": 10, "r": 10, "t": 56 if title else 24, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font_size": 12},
        hovermode="x unified",
        hoverlabel={"namelength": -1},
        title={"text": title, "x": 0, "font_size": 15} if title else None,
    )
    fig.update_xaxes(showgrid=True, gridcolor="#EEF1F5", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#EEF1F5", zeroline=False, rangemode="tozero")
    return fig


def _empty(message: str, height: int = 260) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font_size=14
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, height=height)


def pool_exhausted_mask(est: Estimate, pool: str) -> np.ndarray:
    """Minutes in which a statement of the pool could not get the CFUs it wanted."""
    rows = [i for i, s in enumerate(est.statements) if s.pool == pool]
    state = est.timeline.state
    if not rows or state.size == 0:
        return np.zeros(est.timeline.cfu.shape[1], dtype=bool)
    sub = state[rows]
    return ((sub == POOL_EXHAUSTED) | (sub == PENDING)).any(axis=0)


def cfu_by_statement(est: Estimate, *, max_points: int = MAX_POINTS) -> go.Figure:
    """CFUs per statement per minute, stacked, one panel per compute pool, with the pool's
    MAX_CFU as a dashed line and the minutes the pool was exhausted shaded red."""
    tl = est.timeline
    minutes = tl.minutes
    pools = [p for p in est.pools if any(s.pool == p.name for s in est.statements)]
    if not pools or minutes == 0:
        return _empty("No statement uses CFUs in this scenario.")
    axis = time_axis(minutes, max_points, tl.resolution_minutes)
    x = axis.x(minutes)
    cols = axis.bucket // tl.resolution_minutes  # timeline columns per point
    fig = make_subplots(
        rows=len(pools),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12 / max(1, len(pools) - 1) if len(pools) > 1 else 0.0,
        subplot_titles=[f"Pool {p.name}: peak {p.peak_cfu} of MAX_CFU {p.max_cfu}" for p in pools],
    )
    names = [s.name for s in est.statements]
    weights = [float(s.cfu_minutes) for s in est.statements]
    for r, pool in enumerate(pools, start=1):
        rows = [i for i, s in enumerate(est.statements) if s.pool == pool.name]
        for band in stacked_series(names, weights, rows):
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=bucket_mean(tl.cfu[list(band.rows)].sum(axis=0, keepdims=True), cols)[0],
                    name=band.name,
                    legendgroup=band.name,
                    mode="lines",
                    line={"width": 0.6, "color": band.color, "shape": "hv"},
                    stackgroup=f"pool{r}",
                    hovertemplate="%{y:.2f} CFU",
                ),
                row=r,
                col=1,
            )
        _range_band(fig, est, pool.name, cols, x, r)
        fig.add_trace(
            go.Scatter(
                x=[x[0], x[-1] + axis.bucket / axis.divisor],
                y=[pool.max_cfu, pool.max_cfu],
                name=f"{pool.name} MAX_CFU",
                mode="lines",
                line={"color": CAP_COLOR, "dash": "dash", "width": 1.5},
                hovertemplate=f"MAX_CFU {pool.max_cfu}",
                showlegend=r == 1,
                legendgroup="cap",
            ),
            row=r,
            col=1,
        )
        exhausted = bucket_any(pool_exhausted_mask(est, pool.name), cols)
        for a, b in runs(exhausted):
            fig.add_vrect(
                x0=x[a],
                x1=x[b - 1] + axis.bucket / axis.divisor,
                fillcolor=EXHAUSTED_COLOR,
                line_width=0,
                layer="below",
                row=r,
                col=1,
            )
        if runs(exhausted):
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker={"size": 12, "symbol": "square", "color": "rgba(225,87,89,0.45)"},
                    name="pool exhausted",
                    legendgroup="exhausted",
                    showlegend=True,
                ),
                row=r,
                col=1,
            )
        fig.update_yaxes(title_text="CFUs", row=r, col=1)
    fig.update_xaxes(title_text=axis.title, row=len(pools), col=1)
    # Show the "pool exhausted" legend entry once.
    seen: set[str] = set()
    for trace in fig.data:
        group = trace.legendgroup
        if group in {"exhausted", "cap", "range"}:
            trace.showlegend = group not in seen
            seen.add(group)
    fig.update_annotations(font_size=13, xanchor="left", x=0)
    _style(fig, height=max(320, 250 * len(pools) + 80))
    fig.update_layout(
        legend={"orientation": "v", "yanchor": "top", "y": 1, "x": 1.01, "xanchor": "left"},
        margin={"r": 10, "t": 36},
    )
    return fig


def _range_band(fig: go.Figure, est: Estimate, pool: str, cols: int, x: Any, row: int) -> None:
    """The pool's CFUs in the low-cost and the high-cost runs (estimator.uncertainty), as a
    shaded band around the stacked expected CFUs. Their columns are the timeline's (minutes,
    or hours for a long fleet): `cols` of them make one point, as for the expected CFUs."""
    rng = est.range
    names = [p.name for p in rng.pools] if rng is not None else []
    if rng is None or pool not in names or rng.cfu_low.size == 0:
        return
    k = names.index(pool)
    low = bucket_mean(rng.cfu_low[k : k + 1], cols)[0]
    high = bucket_mean(rng.cfu_high[k : k + 1], cols)[0]
    for y, name, fill in ((high, "range high", None), (low, "range low", "tonexty")):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name="range (low - high)" if fill else name,
                mode="lines",
                line={"width": 0.8, "color": RANGE_COLOR, "dash": "dot", "shape": "hv"},
                fill=fill,
                fillcolor=RANGE_FILL,
                hovertemplate=f"{name}: %{{y:.2f}} CFU",
                legendgroup="range",
                showlegend=bool(fill),
            ),
            row=row,
            col=1,
        )


def _rows(est: Estimate, names: Sequence[str] | None) -> list[int]:
    wanted = None if names is None else set(names)
    return [i for i, s in enumerate(est.statements) if wanted is None or s.name in wanted]


def has_backlog(est: Estimate) -> bool:
    return bool(est.timeline.backlog.size and est.timeline.backlog.max() > 0)


def backlog_and_lag(
    est: Estimate, names: Sequence[str] | None = None, *, max_points: int = MAX_POINTS
) -> go.Figure:
    """Records behind (backlog) and how far behind in seconds (lag), per statement."""
    tl = est.timeline
    minutes = tl.minutes
    behind = [i for i in _rows(est, names) if tl.backlog.size and tl.backlog[i].max() > 0]
    if not behind:
        return _empty(
            "No backlog: every statement keeps up with its input over the whole horizon.",
            height=160,
        )
    axis = time_axis(minutes, max_points, tl.resolution_minutes)
    x = axis.x(minutes)
    cols = axis.bucket // tl.resolution_minutes  # timeline columns per point
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=["Backlog (records behind)", "Lag (seconds behind)"],
    )
    backlog = bucket_mean(tl.backlog[behind], cols)
    lag = bucket_mean(tl.lag_seconds[behind], cols)
    for j, i in enumerate(behind):
        name = est.statements[i].name
        common = {"name": name, "legendgroup": name, "mode": "lines"}
        fig.add_trace(
            go.Scatter(
                x=x,
                y=backlog[j],
                line={"color": color(i), "width": 1.6},
                hovertemplate="%{y:,.0f} records",
                **common,
            ),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=lag[j],
                line={"color": color(i), "width": 1.6},
                hovertemplate="%{y:,.0f} s",
                showlegend=False,
                **common,
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(title_text="records", row=1, col=1)
    fig.update_yaxes(title_text="seconds", row=2, col=1)
    fig.update_xaxes(title_text=axis.title, row=2, col=1)
    fig.update_annotations(font_size=13, xanchor="left", x=0)
    _style(fig, height=520)
    fig.update_layout(legend=LEGEND_BELOW)
    return fig


def hourly_bill(est: Estimate) -> go.Figure:
    """Cost of each hour of the horizon, stacked by statement."""
    by_hour = est.hourly_by_statement
    hours = len(est.hourly)
    if hours == 0 or by_hour.size == 0:
        return _empty("Nothing billed.")
    fig = go.Figure()
    x = np.arange(hours)
    rate = est.rate
    names = [s.name for s in est.statements]
    weights = by_hour.sum(axis=1).astype(float).tolist()
    for band in stacked_series(names, weights, range(len(names))):
        row = by_hour[list(band.rows)].sum(axis=0)
        cost = [float(rate.cost(int(v))) for v in row]
        fig.add_trace(
            go.Bar(
                x=x,
                y=cost,
                name=band.name,
                legendgroup=band.name,
                marker_color=band.color,
                customdata=row,
                hovertemplate="$%{y:,.4f} (%{customdata:,} CFU-min)",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_xaxes(title_text="hour of the horizon (hour 0 = its first 60 minutes)")
    fig.update_yaxes(title_text="USD", tickprefix="$")
    return _style(fig, height=340)


def traffic(
    est: Estimate, names: Sequence[str] | None = None, *, max_points: int = MAX_POINTS
) -> go.Figure:
    """Input rate against the capacity the CFUs in use provide, per statement."""
    tl = est.timeline
    rows = [i for i in _rows(est, names) if tl.rps.size and tl.rps[i].max() > 0]
    if not rows:
        return _empty("No statement has an input rate (schedules and DDL only).", height=160)
    axis = time_axis(tl.minutes, max_points, tl.resolution_minutes)
    x = axis.x(tl.minutes)
    rps = bucket_mean(tl.rps[rows], axis.bucket // tl.resolution_minutes)
    cap = bucket_mean(tl.capacity[rows], axis.bucket // tl.resolution_minutes)
    fig = go.Figure()
    for j, i in enumerate(rows):
        name = est.statements[i].name
        fig.add_trace(
            go.Scatter(
                x=x,
                y=rps[j],
                name=f"{name} input",
                legendgroup=name,
                mode="lines",
                line={"color": color(i), "width": 1.8},
                hovertemplate="%{y:,.0f} rec/s in",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=cap[j],
                name=f"{name} capacity",
                legendgroup=name,
                mode="lines",
                line={"color": color(i), "width": 1.2, "dash": "dot", "shape": "hv"},
                hovertemplate="%{y:,.0f} rec/s capacity",
            )
        )
    fig.update_yaxes(title_text="records/s")
    fig.update_xaxes(title_text=axis.title)
    _style(fig, height=520)
    fig.update_layout(legend=LEGEND_BELOW)
    return fig


def profile_preview(
    rps: np.ndarray, *, title: str | None = None, max_points: int = MAX_POINTS
) -> go.Figure:
    """A traffic profile's per-minute input rate."""
    rps = np.asarray(rps, dtype=np.float64)
    if rps.size == 0:
        return _empty("Empty profile.", height=220)
    axis = time_axis(rps.size, max_points)
    fig = go.Figure(
        go.Scatter(
            x=axis.x(rps.size),
            y=bucket_mean(rps, axis.bucket),
            mode="lines",
            line={"color": PALETTE[0], "width": 2, "shape": "hv"},
            fill="tozeroy",
            fillcolor="rgba(0,116,228,0.10)",
            name="records/s",
            hovertemplate="%{y:,.0f} rec/s",
        )
    )
    fig.update_yaxes(title_text="records/s")
    fig.update_xaxes(title_text=axis.title)
    fig.update_layout(showlegend=False)
    return _style(fig, height=260, title=title)


def compare_cfu(
    named: Sequence[tuple[str, Estimate]], *, max_points: int = MAX_POINTS
) -> go.Figure:
    """Total CFUs per minute of several estimates, overlaid."""
    if not named:
        return _empty("Pick scenarios to compare.")
    longest = max(e.timeline.minutes for _, e in named)
    step = max(e.timeline.resolution_minutes for _, e in named)
    axis = time_axis(longest, max_points, step)
    fig = go.Figure()
    for i, (name, est) in enumerate(named):
        res = est.timeline.resolution_minutes
        total = est.timeline.cfu.sum(axis=0) if est.timeline.cfu.size else np.zeros(1)
        fig.add_trace(
            go.Scatter(
                x=axis.x(total.size * res),
                y=bucket_mean(total, axis.bucket // res),
                name=name,
                mode="lines",
                line={"color": color(i), "width": 2, "shape": "hv"},
                hovertemplate="%{y:.1f} CFU",
            )
        )
    fig.update_yaxes(title_text="CFUs in use (all pools)")
    fig.update_xaxes(title_text=axis.title)
    return _style(fig, height=380)


def compare_costs(named: Sequence[tuple[str, Estimate]]) -> go.Figure:
    """Monthly cost of several estimates, side by side."""
    if not named:
        return _empty("Pick scenarios to compare.")
    names = [n for n, _ in named]
    monthly = [float(e.totals.monthly_cost_usd) for _, e in named]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=monthly,
            marker_color=[color(i) for i in range(len(named))],
            text=[f"${v:,.0f}" for v in monthly],
            textposition="outside",
            hovertemplate="%{x}: $%{y:,.2f} per month<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="USD per month", tickprefix="$")
    fig.update_layout(showlegend=False)
    return _style(fig, height=320)


def projection_by_month(est: Estimate, rows: Sequence[int] | None = None) -> go.Figure:
    """Recurring cost per calendar month, stacked by statement (of `rows`, or all)."""
    p = est.projection
    if p is None or not p.months or not p.by_statement.any():
        return _empty("Nothing recurs: no month to project (one-off statements only).")
    months = [m.month for m in p.months]
    fig = go.Figure()
    chosen = range(len(est.statements)) if rows is None else rows
    names = [s.name for s in est.statements]
    weights = p.by_statement.sum(axis=1).astype(float).tolist()
    for band in stacked_series(names, weights, chosen):
        minutes = p.by_statement[list(band.rows)].sum(axis=0)
        fig.add_trace(
            go.Bar(
                x=months,
                y=[float(est.rate.cost(int(v))) for v in minutes],
                name=band.name,
                marker_color=band.color,
                customdata=[int(v) / 60 for v in minutes],
                hovertemplate="$%{y:,.2f} (%{customdata:,.1f} CFU-hours)",
            )
        )
    if rows is None and est.range is not None:  # the range's months, as lines over the bars
        spread = est.range.projection
        for bound, values in (("low", spread.months_low), ("high", spread.months_high)):
            fig.add_trace(
                go.Scatter(
                    x=months,
                    y=[float(m.cost_usd) for m in values],
                    name=f"all statements, {bound}",
                    mode="lines+markers",
                    line={"dash": "dot", "color": "#555555"},
                    hovertemplate=f"{bound}: $%{{y:,.2f}}",
                )
            )
    fig.update_layout(barmode="stack", bargap=0.2)
    fig.update_xaxes(title_text="calendar month", type="category")
    fig.update_yaxes(title_text="USD", tickprefix="$")
    return _style(fig, height=340)
