from __future__ import annotations

import json

import pytest
import yaml
from builders import scenario_problems

from estimator.errors import ScenarioError
from estimator.examples import EXAMPLES, example_path
from estimator.scenario import (
    MAX_SCENARIO_BYTES,
    dumps_scenario,
    load_scenario,
    loads_scenario,
    save_scenario,
)

CONTRACT_EXAMPLE = """
schema_version: 1
name: Orders pipeline
pricing:
  cloud: aws
  region: us-east-1
  usd_per_cfu_hour: 0.21
  discount_pct: 0
horizon_minutes: 1440
month_hours: 730
autoscaler: autopilot
pools:
  - {name: default, max_cfu: 50}
statements:
  - name: enrich_orders
    pool: default
    sql: "INSERT INTO enriched SELECT * FROM orders"
    rps: 5000
    message_bytes: 512
    partitions: 6
    start_minute: 0
    cfu_schedule:
      - {minutes: 10, cfu: 1}
      - {minutes: 30, cfu: 3}
"""


def _base(**statement_overrides) -> dict:
    st = {"name": "a", "sql": "INSERT INTO t SELECT * FROM s", "rps": 100}
    st.update(statement_overrides)
    return {"name": "x", "statements": [st]}


def test_issue_contract_fields_are_read():
    sc = loads_scenario(CONTRACT_EXAMPLE)
    st = sc.statements[0]
    assert sc.pricing.cloud == "aws" and sc.pricing.usd_per_cfu_hour == 0.21
    assert sc.horizon_minutes == 1440 and sc.month_hours == 730
    assert sc.pools[0].max_cfu == 50
    assert (st.rps, st.message_bytes, st.partitions, st.start_minute) == (5000, 512, 6, 0)
    assert [(s.minutes, s.cfu) for s in st.cfu_schedule] == [(10, 1), (30, 3)]


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_round_trip_yaml_and_json(name, tmp_path):
    sc = load_scenario(example_path(name))
    for suffix in ("yaml", "json"):
        p = tmp_path / f"copy.{suffix}"
        save_scenario(sc, p)
        again = load_scenario(p)
        assert again == sc
    assert loads_scenario(dumps_scenario(sc, "json")) == sc


def test_json_file_is_read(write_scenario):
    p = write_scenario(json.dumps(_base()), "s.json")
    assert load_scenario(p).statements[0].rps == 100


def test_defaults_give_a_default_pool():
    sc = loads_scenario(yaml.safe_dump(_base()))
    assert [p.name for p in sc.pools] == ["default"]
    assert sc.statements[0].pool == "default"


def test_field_errors_name_the_field():
    assert scenario_problems(json.dumps(_base(partitions=0))) == [
        "statements[0].partitions: must be at least 1"
    ]


@pytest.mark.parametrize("rps", [0, -5])
def test_zero_or_negative_rate_is_rejected(rps):
    assert scenario_problems(json.dumps(_base(rps=rps))) == [
        "statements[0].rps: must be greater than 0"
    ]


def test_missing_field():
    problems = scenario_problems(json.dumps({"name": "x", "statements": [{"sql": "SELECT 1"}]}))
    assert problems == ["statements[0].name: is required"]


def test_missing_statements():
    assert scenario_problems("name: x\n") == ["statements: is required"]


def test_unknown_field_is_named():
    problems = scenario_problems(json.dumps(_base(partitons=3)))
    assert len(problems) == 1
    assert problems[0].startswith("statements[0].partitons: is not a known field")


def test_unknown_top_level_field():
    data = _base()
    data["horizon"] = 60
    assert scenario_problems(json.dumps(data))[0].startswith("horizon: is not a known field")


def test_statement_naming_missing_pool():
    problems = scenario_problems(json.dumps(_base(pool="fast")))
    assert problems == [
        "statements[0].pool: no pool named 'fast'; add it under pools or use one of default"
    ]


def test_duplicate_statement_names():
    data = _base()
    data["statements"].append(dict(data["statements"][0]))
    assert scenario_problems(json.dumps(data)) == [
        "statements[1].name: duplicate statement name 'a'"
    ]


def test_several_problems_reported_together():
    data = _base(pool="nope")
    data["statements"].append({"name": "a", "sql": "SELECT 1", "rps": 1})
    problems = scenario_problems(json.dumps(data))
    assert "statements[0].pool" in problems[0]
    assert problems[1] == "statements[1].name: duplicate statement name 'a'"


def test_schedule_longer_than_horizon():
    data = _base(cfu_schedule=[{"minutes": 50, "cfu": 1}, {"minutes": 20, "cfu": 2}])
    data["horizon_minutes"] = 60
    problems = scenario_problems(json.dumps(data))
    assert len(problems) == 1
    assert problems[0].startswith("statements[0].cfu_schedule: runs to minute 70, past the horizon")


def test_start_outside_horizon():
    data = _base(start_minute=60)
    data["horizon_minutes"] = 60
    assert scenario_problems(json.dumps(data))[0].startswith(
        "statements[0].start_minute: 60 is not inside"
    )


def test_sql_required_without_schedule():
    problems = scenario_problems(json.dumps(_base(sql="")))
    assert problems == ["statements[0].sql: is required unless a cfu_schedule is given"]


def test_bad_cloud_and_discount():
    data = _base()
    data["pricing"] = {"cloud": "oracle", "discount_pct": 120}
    problems = scenario_problems(json.dumps(data))
    assert problems[0].startswith("pricing.cloud: must be one of 'aws', 'gcp' or 'azure'")
    assert problems[1] == "pricing.discount_pct: must be at most 100"


def test_unknown_parameter_override():
    data = _base()
    data["parameters"] = {"base_records_per_cfu_secnd": 5000}
    assert scenario_problems(json.dumps(data))[0].startswith(
        "parameters: unknown parameter(s) base_records_per_cfu_secnd; known:"
    )


def test_not_yaml_or_json():
    problems = scenario_problems("name: [unclosed\nstatements: {")
    assert problems[0].startswith("(file): is not valid YAML or JSON at line")


def test_top_level_must_be_a_mapping():
    assert scenario_problems("- a\n- b\n") == ["(file): must be a mapping of fields, not a list"]


def test_empty_file(write_scenario):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(""))
    assert err.value.problems[0].startswith("(file): is empty")
    with pytest.raises(ScenarioError):
        loads_scenario("   \n# only a comment\n")


def test_binary_file(write_scenario, tmp_path):
    p = tmp_path / "junk.yaml"
    p.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(p)


def test_fifty_megabyte_file_is_refused_before_reading(tmp_path):
    p = tmp_path / "huge.yaml"
    with p.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(ScenarioError) as err:
        load_scenario(p)
    assert "limited to" in err.value.problems[0]
    assert p.stat().st_size > MAX_SCENARIO_BYTES


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml")


def test_yaml_python_tags_are_not_executed():
    text = "!!python/object/apply:os.system ['echo hacked']\n"
    with pytest.raises(ScenarioError, match="not valid YAML"):
        loads_scenario(text)


def test_schedule_step_above_pool_max_cfu():
    data = _base(cfu_schedule=[{"minutes": 5, "cfu": 2}, {"minutes": 5, "cfu": 12}])
    data["pools"] = [{"name": "default", "max_cfu": 10}]
    assert scenario_problems(json.dumps(data)) == [
        "statements[0].cfu_schedule[1].cfu: 12 CFUs is more than pool 'default' allows "
        "(max_cfu 10); lower it or raise the pool's max_cfu"
    ]
