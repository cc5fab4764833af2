"""Property-based fuzzing of everything that reads a stranger's bytes: only the documented
errors ever come out, and their lines stay short."""

from __future__ import annotations

import base64
import json
import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimator.errors import MAX_LINE_CHARS, ScenarioError, TrafficError
from estimator.profiles import parse_csv_series
from estimator.scenario import loads_scenario, parse_scenario
from estimator.sql import classify_script
from estimator.ui import share

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
_field_names = st.sampled_from(
    [
        "name",
        "horizon_minutes",
        "statements",
        "pools",
        "profiles",
        "parameters",
        "autoscaler",
        "pricing",
        "month_hours",
        "calibration",
    ]
)
_statement = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=10), "sql": st.just("INSERT INTO t SELECT * FROM s")},
    optional={
        "rps": _values,
        "profile": _values
        | st.fixed_dictionaries(
            {"shape": st.sampled_from(["constant", "daily", "steps", "bursts", "series"])},
            optional={"rps": _values, "series": _values, "csv": _values, "steps": _values},
        ),
        "records_per_cfu_second": _values,
        "partitions": _values,
        "cfu_schedule": _values,
        "start_minute": _values,
    },
)
_scenarios = st.fixed_dictionaries(
    {"statements": st.lists(_statement, min_size=1, max_size=3)},
    optional={
        "name": _values,
        "horizon_minutes": st.integers(min_value=-5, max_value=10**6) | _values,
        "parameters": st.dictionaries(
            st.sampled_from(["reference_key_count", "op_us_filter", "nope", "ddl_cfu_minutes"]),
            _values,
        ),
        "autoscaler": _values
        | st.fixed_dictionaries(
            {"preset": st.sampled_from(["autopilot", "flink-operator", "fixed", "x"])},
            optional={"target_utilization": _values, "catch_up_minutes": _values},
        ),
    },
)


def _packed(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")


def _short(err: ScenarioError) -> None:
    assert err.problems
    assert all(len(p) <= MAX_LINE_CHARS and "\n" not in p for p in err.problems)


@FUZZ
@given(_scenarios)
def test_scenario_dicts_validate_or_fail_with_short_named_lines(data):
    try:
        parse_scenario(data)
    except ScenarioError as err:
        _short(err)


@FUZZ
@given(st.dictionaries(_field_names, _values))
def test_arbitrary_top_level_fields(data):
    try:
        parse_scenario(data)
    except ScenarioError as err:
        _short(err)


@FUZZ
@given(st.text(max_size=400) | st.binary(max_size=400))
def test_scenario_text_loader_never_raises_anything_undocumented(text):
    try:
        loads_scenario(text)
    except ScenarioError as err:
        _short(err)


@FUZZ
@given(_scenarios)
def test_scenario_text_round_trip_through_json_and_yaml_loader(data):
    try:
        loads_scenario(json.dumps(data, allow_nan=True))
    except ScenarioError as err:
        _short(err)


@FUZZ
@given(st.text(max_size=300) | _scenarios.map(share.encode) | st.binary().map(_packed))
def test_share_link_decoder(token):
    try:
        data = share.decode(token)
    except ScenarioError as err:
        _short(err)
        return
    assert isinstance(data, dict)


@FUZZ
@given(
    st.text(alphabet=st.sampled_from("0123456789,.-e\n#rpsminute nafiNA\x00\r\"'"), max_size=200)
)
def test_series_parser(text):
    try:
        points = parse_csv_series(text, "t.csv", horizon_minutes=1440)
    except TrafficError as err:
        assert err.problems and all(len(p) <= MAX_LINE_CHARS for p in err.problems)
        return
    minutes = [m for m, _ in points]
    assert minutes == sorted(set(minutes)) and all(0 <= m < 1440 for m in minutes)
    assert all(0 <= r <= 1e9 for _, r in points)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                ";",
                "SELECT 1",
                "INSERT INTO t SELECT * FROM s",
                "'",
                '"',
                "`",
                "/*",
                "*/",
                "--",
                "\n",
                "\x00",
                "EXECUTE STATEMENT SET BEGIN",
                "END",
                "CASE",
                " ",
                "x",
            ]
        ),
        max_size=40,
    ).map("".join)
    | st.text(max_size=300)
)
def test_classifier_never_raises_and_never_returns_an_empty_statement(text):
    items = classify_script(text)
    for item in items:
        assert item.kind
        assert item.line >= 1
    if not text.replace(";", "").strip():
        assert items == []
