"""Paths and hand-summed truths of the metrics fixtures (see fixtures/story.py)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCENARIO = FIXTURES / "scenario.yaml"
FORMATS = {
    "json": FIXTURES / "metrics_query.json",
    "prometheus": FIXTURES / "metrics_export.txt",
    "csv": FIXTURES / "metrics.csv",
}
# Ground truth of the fixtures, summed by hand from the story (fixtures/story.py docstring):
# enrich_orders 1x3 + 3x60 + 8x3 + 6x66 + 3x48 = 747; orders_per_customer 1x3 + 2x177 = 357;
# fraud-join-v2 1x3 + 4x177 = 711; the ad-hoc SELECT 1x10 = 10; the pool 1,825.
ACTUAL_CFU_MINUTES = {"enrich_orders": 747, "orders_per_customer": 357, "fraud_join": 711}
ADHOC = "workspace-2026-11-30-adhoc"
POOL_CFU_MINUTES = 1825
MAP = {"fraud-join-v2": "fraud_join"}
