"""Advice as records: kinds, subjects, numbers, changes that apply them; the keep-up bill."""

from __future__ import annotations

import json
from decimal import Decimal

import yaml
from builders import HOT_POOL

from estimator import changes, report
from estimator.estimate import estimate
from estimator.formatting import duration
from estimator.scenario import loads_scenario, parse_scenario
from estimator.sizing import SET_MAX_CFU, SET_PARTITIONS, SPLIT_POOL

# Two statements that each want the most a statement may use (50 CFUs): with 20% headroom
# each alone would be 60, above the 50 a pool allows.
TWO_BIG = """
name: two big
horizon_minutes: 120
pools: [{name: default, max_cfu: 50}]
statements:
  - {name: a, sql: "INSERT INTO t SELECT x FROM s", rps: 300000, partitions: 64}
  - {name: b, sql: "INSERT INTO u SELECT x FROM s", rps: 300000, partitions: 64}
"""


def test_duration_reads_like_people_say_it():
    assert duration(45) == "45 s"
    assert duration(12 * 60) == "12 min"
    assert duration(20 * 3600 + 8 * 60) == "20 h 8 min"
    assert duration(72515.9) == "20 h 8 min"
    assert duration(3 * 86400 + 4 * 3600) == "3 d 4 h"


def test_split_pools_never_exceed_the_pool_limit():
    est = estimate(loads_scenario(TWO_BIG))
    pool = est.pools[0]
    split = [a for a in pool.advice if a.kind == "pool_split"]
    assert split, [a.text for a in pool.advice]
    change = split[0].change
    assert change is not None and change.action == SPLIT_POOL
    sizes = [p.max_cfu for p in change.value]  # type: ignore[union-attr]
    assert len(sizes) == 2 and max(sizes) <= 50, sizes
    # The exhausted advice does not tell the user to set max_cfu above the limit.
    for a in pool.advice:
        assert "set max_cfu to 6" not in a.text and "set max_cfu to 1" not in a.text
        if a.change and a.change.action == SET_MAX_CFU:
            assert int(a.change.value) <= 50  # type: ignore[arg-type]
    # Applying it gives a valid scenario whose pools no longer run out.
    data = changes.apply(yaml.safe_load(TWO_BIG), change)
    assert [p["name"] for p in data["pools"]] == ["default", "default_2"]
    after = estimate(parse_scenario(data))
    assert all(p.exhausted_minutes == 0 for p in after.pools)


def test_exhausted_pool_quotes_the_bill_that_keeps_up():
    capped = estimate(loads_scenario(HOT_POOL))
    k = capped.keep_up
    assert k is not None and k.pools == {"small": capped.pools[0].recommended_max_cfu}
    assert k.monthly_cost_usd > capped.totals.monthly_cost_usd
    # It is the bill of the scenario with the recommended MAX_CFU applied.
    advice = capped.pools[0].advice[0]
    assert advice.kind == "pool_exhausted" and advice.change is not None
    raised = estimate(parse_scenario(changes.apply(yaml.safe_load(HOT_POOL), advice.change)))
    assert raised.pools[0].exhausted_minutes == 0
    assert raised.totals.cfu_minutes == k.cfu_minutes
    # Same monthly and annual definition as every other figure of the estimate.
    assert k.monthly_cost_usd == raised.totals.monthly_cost_usd
    assert k.annual_cost_usd == raised.totals.annual_cost_usd
    # A 20x rate rise leaves the capped bill flat but not the keep-up bill.
    steep = estimate(loads_scenario(HOT_POOL.replace("60000", "1200000")))
    assert steep.keep_up is not None
    assert steep.keep_up.monthly_cost_usd > k.monthly_cost_usd * Decimal(2)
    assert steep.totals.monthly_cost_usd < steep.keep_up.monthly_cost_usd


def test_partition_advice_is_a_record_with_a_change():
    text = HOT_POOL.replace("max_cfu: 4", "max_cfu: 50").replace("partitions: 24", "partitions: 2")
    est = estimate(loads_scenario(text))
    rec = next(a for a in est.statements[0].advice if a.kind == "partitions")
    assert rec.subject == "spiky" and rec.scope == "statement"
    assert rec.numbers["partitions"] == 2
    assert rec.change is not None and rec.change.action == SET_PARTITIONS
    assert rec.change.value == rec.numbers["recommended_partitions"] >= 6
    after = estimate(parse_scenario(changes.apply(yaml.safe_load(text), rec.change)))
    assert after.statements[0].max_lag_seconds < est.statements[0].max_lag_seconds


def test_json_advice_items_have_kind_subject_change_and_text():
    est = estimate(loads_scenario(HOT_POOL))
    data = json.loads(json.dumps(report.to_dict(est)))
    item = data["pools"][0]["advice"][0]
    assert {"kind", "subject", "change", "text"} <= set(item)
    assert item["kind"] == "pool_exhausted" and item["subject"] == "small"
    assert item["change"]["action"] == "set_max_cfu"
    assert item["text"].startswith("Pool small ran out of CFUs")
    assert data["advice"][0] == item
    assert data["keep_up"]["max_cfu"] == {"small": item["change"]["value"]}
    assert data["keep_up"]["monthly_cost_usd"] > data["totals"]["monthly_cost_usd"]
    assert data["pools"][0]["demand_cfu_minutes"] == data["keep_up"]["cfu_minutes"]


def test_state_ttl_change_bounds_the_state():
    text = """
name: w
horizon_minutes: 60
statements:
  - {name: counts, sql: "INSERT INTO c SELECT u, COUNT(*) FROM k GROUP BY u", rps: 100}
"""
    est = estimate(loads_scenario(text))
    rec = next(a for a in est.statements[0].advice if a.kind == "unbounded_state")
    data = changes.apply(yaml.safe_load(text), rec.change)  # type: ignore[arg-type]
    assert data["statements"][0]["state_ttl"] is True
    after = estimate(parse_scenario(data))
    assert after.statements[0].classification.state != "unbounded"
    assert not [a for a in after.statements[0].advice if a.kind == "unbounded_state"]


def test_what_ifs_scale_traffic_and_sizes():
    data = yaml.safe_load(HOT_POOL)
    data["statements"].append({"name": "flat", "sql": "INSERT INTO v SELECT a FROM s", "rps": 10})
    v = changes.what_ifs(data)
    assert v["Traffic x2"]["statements"][1]["rps"] == 20
    assert v["Traffic x5"]["statements"][0]["profile"]["steps"][1]["rps"] == 300000
    assert v["Message size x2"]["statements"][1]["message_bytes"] == 2048
    assert v["Partitions x2"]["statements"][0]["partitions"] == 48
    assert data["statements"][1]["rps"] == 10  # the original is left alone
