"""Fixtures of the export tests (helpers are in export_support.py)."""

from __future__ import annotations

import pytest
from export_support import hostile_scenario

from estimator.estimate import Estimate, estimate
from estimator.examples import FOLDER as EXAMPLES
from estimator.scenario import load_scenario


@pytest.fixture(scope="module")
def hostile_est() -> Estimate:
    return estimate(hostile_scenario())


@pytest.fixture(scope="module")
def retail_est() -> Estimate:
    return estimate(load_scenario(EXAMPLES / "retail_orders.yaml"))


@pytest.fixture(scope="module")
def five_est() -> Estimate:
    return estimate(load_scenario(EXAMPLES / "confluent_five_statements.yaml"))
