"""The throughput model: calibrated to DOMAIN.md's anchors, monotone, overridable."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.demand import throughput
from estimator.parameters import Parameters
from estimator.sql.model import OPERATORS, Classification

PARAMS = Parameters()


def _c(*ops: str, state: str = "none", kind: str = "stateless") -> Classification:
    return Classification(statement_type="insert", kind=kind, operators=list(ops), state=state)


def test_plain_stateless_one_kb_is_about_ten_thousand_per_cfu():
    rate = throughput(_c("filter", "project"), PARAMS, message_bytes=1024).records_per_cfu_second
    assert 9_000 <= rate <= 10_500


# Published figures for stateful work (estimator/data/published_throughput.csv):
# Confluent architects about 5,000 records/s per CPU for a substantial job; Alibaba 1,000-5,000
# per CU (older white paper) and 5,000-10,000 per CU (newer) for complex jobs.
STATEFUL_PUBLISHED = (1_000, 10_000)


def test_rocksdb_regular_join_lands_at_a_few_thousand_per_cfu():
    join = _c("project", "regular_join", state="unbounded", kind="join")
    rate = throughput(join, PARAMS, message_bytes=1024).records_per_cfu_second
    assert STATEFUL_PUBLISHED[0] <= rate <= STATEFUL_PUBLISHED[1]


def test_group_by_lands_in_the_published_range():
    agg = _c("project", "group_aggregate", state="unbounded", kind="aggregate")
    rate = throughput(agg, PARAMS, message_bytes=1024).records_per_cfu_second
    assert STATEFUL_PUBLISHED[0] <= rate <= STATEFUL_PUBLISHED[1]


def test_ten_kb_messages_need_more_cfus_than_hundred_bytes():
    small = throughput(_c("project"), PARAMS, message_bytes=100).records_per_cfu_second
    large = throughput(_c("project"), PARAMS, message_bytes=10_240).records_per_cfu_second
    assert small > 3 * large
    assert throughput(_c("project"), PARAMS, message_bytes=100 * 1024).bound == "bytes"


def test_override_replaces_the_model_and_keeps_its_source():
    tp = throughput(
        _c("regular_join"), PARAMS, override=3000, override_source="measured in staging"
    )
    assert tp.records_per_cfu_second == 3000 and tp.bound == "override"
    assert "measured in staging" in tp.explain()


def test_scenario_parameters_move_the_base():
    fast = Parameters({"base_records_per_cfu_second": 20_000})
    assert (
        throughput(_c("project"), fast).records_per_cfu_second
        > throughput(_c("project"), PARAMS).records_per_cfu_second
    )


def test_explanation_names_the_parts():
    text = throughput(_c("filter", "regular_join", state="unbounded"), PARAMS).explain()
    assert "regular join" in text and "us per record" in text


operators = st.lists(st.sampled_from(OPERATORS), max_size=5)


@settings(max_examples=60, deadline=None)
@given(
    ops=operators,
    extra=st.sampled_from(OPERATORS),
    size=st.integers(1, 200_000),
    bigger=st.integers(0, 200_000),
    keys=st.integers(1, 10**9),
    more_keys=st.integers(0, 10**9),
    udfs=st.integers(0, 5),
    state=st.sampled_from(["none", "bounded", "unbounded"]),
)
def test_monotone_more_bytes_keys_operators_udfs_never_raise_the_rate(
    ops, extra, size, bigger, keys, more_keys, udfs, state
):
    base = throughput(
        _c(*ops, state=state), PARAMS, message_bytes=size, key_count=keys, udf_count=udfs
    ).records_per_cfu_second
    variants = [
        throughput(_c(*ops, state=state), PARAMS, message_bytes=size + bigger, key_count=keys),
        throughput(_c(*ops, state=state), PARAMS, message_bytes=size, key_count=keys + more_keys),
        throughput(_c(*ops, extra, state=state), PARAMS, message_bytes=size, key_count=keys),
        throughput(_c(*ops, state="unbounded"), PARAMS, message_bytes=size, key_count=keys),
        throughput(
            _c(*ops, state=state), PARAMS, message_bytes=size, key_count=keys, udf_count=udfs + 1
        ),
    ]
    no_udf = throughput(_c(*ops, state=state), PARAMS, message_bytes=size, key_count=keys)
    assert base <= no_udf.records_per_cfu_second + 1e-9
    for v in variants[:4]:
        assert v.records_per_cfu_second <= no_udf.records_per_cfu_second + 1e-9
    assert variants[4].records_per_cfu_second <= base + 1e-9
