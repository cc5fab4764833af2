"""Scenarios the tests build again and again, in one place (import: `from builders import ...`).

Each builder returns a plain scenario dict (what a YAML file or a share link holds), so a test
can change it before parsing; the texts are YAML as a user would write them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from estimator.errors import ScenarioError
from estimator.scenario import loads_scenario


def fleet(
    statements: int,
    *,
    minutes: int = 120,
    rps: float | Callable[[int], float] = 1000,
    pools: int = 0,
    max_cfu: int = 1000,
    name: str = "fleet",
) -> dict[str, Any]:
    """`statements` statements s00, s01, ..., statement i reading topic i{i} into o{i} at a
    constant `rps` records/s (a number, or a function of i), over `minutes`. With `pools`,
    statement i runs in pool p{i % pools} and each pool has `max_cfu`; without, all run in the
    default pool."""
    data: dict[str, Any] = {
        "name": name,
        "horizon_minutes": minutes,
        "statements": [
            {
                "name": f"s{i:02d}",
                "sql": f"INSERT INTO o{i} SELECT * FROM i{i}",
                "rps": rps(i) if callable(rps) else rps,
                **({"pool": f"p{i % pools}"} if pools else {}),
            }
            for i in range(statements)
        ],
    }
    if pools:
        data["pools"] = [{"name": f"p{k}", "max_cfu": max_cfu} for k in range(pools)]
    return data


def scenario_problems(text: str) -> list[str]:
    """The field-named problems the scenario loader reports for `text` (it must refuse it)."""
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text)
    return err.value.problems


HOT_POOL = """
name: hot
horizon_minutes: 240
pools: [{name: small, max_cfu: 4}]
statements:
  - name: spiky
    pool: small
    sql: "INSERT INTO t SELECT a, b FROM s WHERE a > 0"
    profile: {shape: steps, steps: [{minute: 0, rps: 2000}, {minute: 60, rps: 60000}]}
    partitions: 24
"""
"""A pool of 4 CFUs that a step up to 60,000 records/s exhausts."""

MEASURED_FIXED = """
name: {name}
horizon_minutes: 60
autoscaler: fixed
statements:
  - name: measured
    sql: "INSERT INTO t SELECT a, b FROM s WHERE a > 0"
    rps: 5000
    partitions: 50
    records_per_cfu_second: 1000
"""
"""One statement at 5,000 records/s with a measured 1,000 records/s per CFU, sized by the
fixed preset: 5 CFUs every minute ({name}: the scenario's name)."""
