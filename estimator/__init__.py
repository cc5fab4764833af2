"""Flink CFU Estimator: workload sizing and cost for Confluent Cloud for Apache Flink.

The public surface:

    from estimator import load_scenario, estimate, classify
    est = estimate(load_scenario("scenario.yaml"))
    est.totals.cost_usd

Names are loaded on first use, so `import estimator` (and light commands such as
`cfu-estimator prices` or `--help`) do not pay for pandas, numpy, sqlglot or the pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from estimator import lazy

if TYPE_CHECKING:
    from estimator.errors import EstimatorError, PricingError, ScenarioError
    from estimator.estimate import Estimate, estimate
    from estimator.scenario import Scenario, dumps_scenario, load_scenario, loads_scenario
    from estimator.sql import Classification

__version__ = "0.1.0"

# public name -> the module that defines it
_LAZY = {
    "Classification": "estimator.sql",
    "Estimate": "estimator.estimate",
    "EstimatorError": "estimator.errors",
    "PricingError": "estimator.errors",
    "Scenario": "estimator.scenario",
    "ScenarioError": "estimator.errors",
    "dumps_scenario": "estimator.scenario",
    "estimate": "estimator.estimate",
    "load_scenario": "estimator.scenario",
    "loads_scenario": "estimator.scenario",
}

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


__getattr__, __dir__ = lazy.attach(__name__, _LAZY, globals())


def classify(script: str) -> list[Classification]:
    """Classify every statement of a Flink SQL script, in order."""
    from estimator.sql import classify_script

    return classify_script(script)
