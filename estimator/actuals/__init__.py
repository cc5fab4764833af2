"""Estimate versus actuals: read Confluent Cloud metrics, compare, refit records/s per CFU.

- `read_file(path)` / `read_text(text)`: a Metrics API query response (JSON), the export
  endpoint's Prometheus/OpenMetrics text or a CSV -> Readout (samples and problems).
- `reconcile(scenario, readout, mapping=..., start=...)`: the estimate next to the metrics,
  per statement and pool, with observed and fitted records/s per CFU -> Reconciliation.
- `to_dict(rec)` / `render_table(rec)`: the JSON contract and the terminal table.
- `apply_rates(path, rec.fitted_rates())`: write the fitted rates into a scenario file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from estimator import lazy

if TYPE_CHECKING:
    from estimator.actuals.apply import apply_rates, with_rates
    from estimator.actuals.read import read_file, read_text
    from estimator.actuals.reconcile import Reconciliation, reconcile
    from estimator.actuals.report import render_table, to_dict
    from estimator.actuals.samples import MAX_ACTUALS_BYTES, ActualsError, Readout

# Loaded on first use, so `cfu-estimator --help` does not load the pipeline.
_LAZY = {
    "apply_rates": "estimator.actuals.apply",
    "with_rates": "estimator.actuals.apply",
    "read_file": "estimator.actuals.read",
    "read_text": "estimator.actuals.read",
    "Reconciliation": "estimator.actuals.reconcile",
    "reconcile": "estimator.actuals.reconcile",
    "render_table": "estimator.actuals.report",
    "to_dict": "estimator.actuals.report",
    "MAX_ACTUALS_BYTES": "estimator.actuals.samples",
    "ActualsError": "estimator.actuals.samples",
    "Readout": "estimator.actuals.samples",
}

__all__ = [
    "MAX_ACTUALS_BYTES",
    "ActualsError",
    "Readout",
    "Reconciliation",
    "apply_rates",
    "read_file",
    "read_text",
    "reconcile",
    "render_table",
    "to_dict",
    "with_rates",
]


__getattr__, __dir__ = lazy.attach(__name__, _LAZY, globals())
