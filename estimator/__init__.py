"""Flink CFU Estimator: workload sizing and cost for Confluent Cloud for Apache Flink.

The public surface:

    from estimator import load_scenario, estimate, classify
    est = estimate(load_scenario("scenario.yaml"))
    est.totals.cost_usd
"""

from __future__ import annotations

from estimator.errors import EstimatorError, PricingError, ScenarioError
from estimator.estimate import Estimate, estimate
from estimator.scenario import Scenario, dumps_scenario, load_scenario, loads_scenario
from estimator.sql import Classification

__all__ = [
    "Classification",
    "Estimate",
    "EstimatorError",
    "PricingError",
    "Scenario",
    "ScenarioError",
    "classify",
    "dumps_scenario",
    "estimate",
    "load_scenario",
    "loads_scenario",
]

__version__ = "0.1.0"


def classify(script: str) -> list[Classification]:
    """Classify every statement of a Flink SQL script, in order."""
    from estimator.sql import classify_script

    return classify_script(script)
