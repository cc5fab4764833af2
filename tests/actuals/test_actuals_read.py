"""The three readers: documented shapes, faults reported once each, limits."""

from __future__ import annotations

import json

import pytest
from actuals_fixtures import FORMATS

from estimator.actuals import MAX_ACTUALS_BYTES, ActualsError, read_file, read_text
from estimator.actuals.grid import build_grid
from estimator.actuals.read import detect

T0 = 1796032800  # 2026-11-30T10:00:00Z


def test_formats_are_told_apart_by_content() -> None:
    assert detect(FORMATS["json"].read_text()) == "json"
    assert detect(FORMATS["prometheus"].read_text()) == "prometheus"
    assert detect(FORMATS["csv"].read_text()) == "csv"


def test_each_fixture_fault_is_one_clear_line() -> None:
    js = read_file(FORMATS["json"]).problems
    assert any(
        "unknown metric 'io.confluent.flink/statement_utilization/current_cfu'" in p for p in js
    )
    assert any("num_records_out for fraud-join-v2: empty series" in p for p in js)
    assert any("does not name its metric" in p for p in js)
    prom = read_file(FORMATS["prometheus"]).problems
    assert any("cfu_limit: empty series" in p for p in prom)
    assert any("num_records_out: unit 'bytes' does not match" in p for p in prom)
    assert any("unknown metric 'confluent_flink_task_busy_time_ms_per_second'" in p for p in prom)
    csv_problems = read_file(FORMATS["csv"]).problems
    assert any("pending_records: unit 'bytes' does not match" in p for p in csv_problems)
    assert any("unknown metric 'io.confluent.flink/num_records_inn'" in p for p in csv_problems)
    for problems in (js, prom, csv_problems):
        assert len(problems) == len(set(problems))
        assert all("\n" not in p for p in problems)


def test_prometheus_text_and_openmetrics_timestamps() -> None:
    text = (
        "# HELP confluent_flink_statement_utilization_current_cfus CFUs\n"
        "# TYPE confluent_flink_statement_utilization_current_cfus gauge\n"
        'confluent_flink_statement_utilization_current_cfus{compute_pool_id="lfcp-1",'
        f'flink_statement_name="a \\"quoted\\" name",}} 2.0 {T0 * 1000}\n'
        'confluent_flink_statement_utilization_current_cfus{compute_pool_id="lfcp-1",'
        f'flink_statement_name="b"}} 3.0 {T0 + 60}.000\n'
        "# EOF\n"
    )
    readout = read_text(text)
    got = sorted((s.statement, s.time, s.value, s.pool) for s in readout.samples)
    assert got == [('a "quoted" name', T0, 2.0, "lfcp-1"), ("b", T0 + 60, 3.0, "lfcp-1")]


def test_prometheus_samples_without_timestamps_are_skipped_with_a_reason() -> None:
    text = (
        'confluent_flink_statement_utilization_current_cfus{flink_statement_name="a"} 2.0\n'
        f'confluent_flink_statement_utilization_current_cfus{{flink_statement_name="a"}} 2.0 {T0}\n'
    )
    readout = read_text(text, "prometheus")
    assert len(readout.samples) == 1
    assert any("without a timestamp" in p for p in readout.problems)


def test_export_access_errors_are_reported() -> None:
    text = (
        'confluent_scrape_resource_access_error{resource_id="lfcp-9",'
        'resource_type="resource.compute_pool.id"} 1.0\n'
        "confluent_flink_compute_pool_utilization_current_cfus"
        f'{{compute_pool_id="lfcp-1",}} 4 {T0}\n'
    )
    readout = read_text(text)
    assert any("could not read resource 'lfcp-9'" in p for p in readout.problems)


def test_query_response_forms() -> None:
    flat = {
        "metric": "io.confluent.flink/num_records_in",
        "data": [
            {
                "timestamp": "2026-11-30T10:01:00Z",
                "resource.flink_statement.name": "s",
                "value": 60,
            },
            {
                "timestamp": "2026-11-30T10:00:00Z",
                "resource.flink_statement.name": "s",
                "value": 120,
            },
        ],
    }
    keyed = {
        "io.confluent.flink/statement_utilization/current_cfus": {
            "data": [
                {
                    "resource.flink_statement.name": "s",
                    "points": [{"timestamp": "2026-11-30T10:00:00+00:00", "value": 2}],
                }
            ]
        }
    }
    readout = read_text(json.dumps([flat, keyed]))
    by_metric = sorted((s.metric.key, s.time, s.value) for s in readout.samples)
    assert by_metric == [
        ("records_in", T0, 120.0),
        ("records_in", T0 + 60, 60.0),
        ("statement_cfus", T0, 2.0),
    ]


def test_csv_header_aliases_and_pool_rows() -> None:
    text = (
        "Time,flink_statement_name,metric,value,compute_pool_id\n"
        f"{T0},s,statement_cfus,2,lfcp-1\n"
        f"{T0},,confluent_flink_compute_pool_utilization_cfu_limit,10,lfcp-1\n"
    )
    readout = read_text(text)
    got = sorted((s.metric.key, s.statement, s.pool, s.value) for s in readout.samples)
    assert got == [("pool_cfu_limit", None, "lfcp-1", 10.0), ("statement_cfus", "s", "lfcp-1", 2.0)]


def test_csv_without_required_columns_is_refused() -> None:
    with pytest.raises(ActualsError, match="lacks statement, metric"):
        read_text("timestamp,value\n2026-11-30T10:00Z,1\n")


def test_a_file_with_no_known_metric_is_refused() -> None:
    with pytest.raises(ActualsError, match="no point of a metric reconcile uses"):
        read_text("timestamp,statement,metric,value\n2026-11-30T10:00Z,s,cpu_seconds,1\n")


def test_size_limit_and_encoding() -> None:
    with pytest.raises(ActualsError, match="limited to 5 MB"):
        read_text(b"x" * (MAX_ACTUALS_BYTES + 1))
    with pytest.raises(ActualsError, match="not UTF-8"):
        read_text(b"\xff\xfe\x00bad")
    with pytest.raises(ActualsError, match="empty"):
        read_text("   \n")


def test_a_path_inside_the_file_is_never_opened(tmp_path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text(f"timestamp,statement,metric,value\n{T0},x,statement_cfus,9\n")
    text = json.dumps({"csv": str(secret), "file": str(secret), "data": str(secret)})
    with pytest.raises(ActualsError):
        read_text(text)


def test_grid_keeps_the_latest_point_of_a_minute_and_holds_short_gaps() -> None:
    rows = ["timestamp,statement,metric,value"]
    rows.append(f"{T0 + 10},s,statement_cfus,5")
    rows.append(f"{T0 + 50},s,statement_cfus,2")  # same minute, later: kept
    rows.append(f"{T0 + 5},s,statement_cfus,7")  # same minute, earlier, listed last: dropped
    rows.append(f"{T0 + 4 * 60},s,statement_cfus,3")  # minutes 1-3 missing: held at 2
    rows.append(f"{T0 + 11 * 60},s,statement_cfus,4")  # minutes 5-10 missing: 6 > 5, stopped
    grid = build_grid(read_text("\n".join(rows) + "\n"), 12)
    assert grid.statements["s"].cfu.tolist() == [2, 2, 2, 2, 3, 0, 0, 0, 0, 0, 0, 4]
    assert grid.statements["s"].filled_minutes == 3


def test_deeply_nested_json_is_a_clear_error() -> None:
    with pytest.raises(ActualsError, match="nested too deeply"):
        read_text("[" * 200_000 + "]" * 200_000)


def test_many_statement_names_over_a_long_horizon_are_refused() -> None:
    rows = ["timestamp,statement,metric,value"]
    rows += [f"{T0},s{i},statement_cfus,1" for i in range(200)]
    readout = read_text("\n".join(rows) + "\n")
    with pytest.raises(ActualsError, match="fewer statements or a shorter horizon"):
        build_grid(readout, 366 * 1440)


def test_a_device_is_refused_before_any_byte_is_read() -> None:
    with pytest.raises(ActualsError, match="not a regular file"):
        read_file("/dev/zero")
