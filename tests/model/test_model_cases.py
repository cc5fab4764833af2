"""The benchmark measures what the model prices: each case's query is classified as its class."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "model"))

from cases import reference_cases, sweep_cases

from estimator.parameters import known_keys
from estimator.sql import classify_statement

CASES = reference_cases() + sweep_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_is_classified_as_the_operator_it_measures(case) -> None:
    c = classify_statement(f"INSERT INTO sink {case.sql}")
    assert c.error is None
    assert set(case.expect_ops) <= set(c.operators), c.operators
    assert f"op_us_{case.op}" in known_keys()


def test_every_operator_the_classifier_reports_has_a_case_or_is_named_unmeasurable() -> None:
    measured = {c.op for c in reference_cases()}
    unmeasurable = {"union", "table_function"}  # a UDF table function needs a jar: not here
    ops = {k[len("op_us_") :] for k in known_keys() if k.startswith("op_us_")}
    assert ops - measured - {"filter"} == unmeasurable
