"""Plotly figures of a Reconciliation: pure functions, no Streamlit.

The actuals package itself never imports plotly; only the app imports this module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import plotly.graph_objects as go

from estimator.actuals.reconcile import Reconciliation
from estimator.charts import MAX_POINTS, _empty, _style, bucket_mean, color

ACTUAL_COLOR = "#1B2430"


def _times(rec: Reconciliation, first: int, count: int, bucket: int) -> list[datetime]:
    origin = datetime.fromtimestamp(rec.grid.start, tz=UTC)
    return [origin + timedelta(minutes=first + k * bucket) for k in range(-(-count // bucket))]


def estimate_vs_actual(
    rec: Reconciliation, name: str, *, max_points: int = MAX_POINTS
) -> go.Figure:
    """CFUs per minute of one scenario statement: the metrics, the estimate and, when the
    metrics gave a rate, the estimate with the observed rate."""
    names = [s.name for s in rec.estimate.scenario.statements]
    if name not in names or name not in rec.actual_cfu:
        return _empty(f"No metrics for {name}.")
    i = names.index(name)
    a, b = rec.window
    count = b - a + 1
    bucket = max(1, -(-count // max_points))
    x = _times(rec, a, count, bucket)
    est_row = bucket_mean(rec.estimate.timeline.cfu[i, a : b + 1], bucket)
    act_row = bucket_mean(rec.actual_cfu[name][a : b + 1], bucket)
    shape = "hv" if bucket == 1 else "linear"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=act_row,
            name="actual (statement_utilization/current_cfus)",
            mode="lines",
            line={"color": ACTUAL_COLOR, "width": 2, "shape": shape},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=est_row,
            name="estimate",
            mode="lines",
            line={"color": color(0), "width": 2, "dash": "dash", "shape": shape},
        )
    )
    refit = rec.refit_cfu.get(name)
    if refit is not None:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=bucket_mean(np.asarray(refit[a : b + 1]), bucket),
                name="estimate with the observed rate",
                mode="lines",
                line={"color": color(2), "width": 2, "dash": "dot", "shape": shape},
            )
        )
    title = f"{name}: CFUs, actual and estimated" + (
        f" (each point: mean of {bucket} minutes)" if bucket > 1 else ""
    )
    _style(fig, height=300, title=title)
    fig.update_yaxes(title_text="CFUs")
    fig.update_xaxes(title_text="time (UTC)")
    return fig
