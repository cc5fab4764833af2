"""Fast tests of the calibration's pieces: no Flink needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from estimator.calibrate import CalibrationResult, CalibrationSettings, apply_results
from estimator.calibrate.apply import read_scenario_dict, write_scenario_dict
from estimator.calibrate.command import load_for_calibration
from estimator.calibrate.cost import (
    measured_records_per_cfu_second,
    model_cost,
    operator_us_per_record,
    per_record_seconds,
)
from estimator.calibrate.datagen import generated_source
from estimator.calibrate.errors import CalibrationError
from estimator.calibrate.queries import read_statement
from estimator.calibrate.report import render_table
from estimator.calibrate.runner import first_useful_line
from estimator.calibrate.tables import flink_type, read_table_defs
from estimator.parameters import Parameters
from estimator.sql import classify_statement, parse

HERE = Path(__file__).parent
SCENARIO = HERE / "scenario_calibrate.yaml"

ORDERS_DDL = """
CREATE TABLE orders (
  order_id STRING,
  customer_id BIGINT,
  amount DECIMAL(10, 2),
  note VARCHAR(8),
  `partition` INT METADATA VIRTUAL,
  gross AS amount * 2,
  order_time TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 6 BUCKETS
WITH ('connector' = 'confluent', 'value.format' = 'avro-registry')
"""


def _source(sql: str, **kw: object) -> str:
    tables = read_table_defs([ORDERS_DDL])
    read = read_statement(sql)
    settings = kw.pop("settings", CalibrationSettings())
    g = generated_source(
        tables["orders"],
        rows=1000,
        key_columns=read.key_columns,
        uses_rowtime=read.uses_rowtime,
        settings=settings,  # type: ignore[arg-type]
        message_bytes=100,
        **kw,  # type: ignore[arg-type]
    )
    return "\n".join(g.setup)


def test_confluent_clauses_are_dropped_and_types_kept() -> None:
    sql = _source("SELECT * FROM orders")
    assert "DISTRIBUTED" not in sql and "avro" not in sql and "METADATA" not in sql
    assert "'connector' = 'datagen'" in sql and "'number-of-rows' = '1000'" in sql
    assert "`partition`" not in sql
    assert "AS DECIMAL(10, 2)" not in sql  # a plain datagen column keeps its type directly
    assert "`amount` DECIMAL(10, 2)" in sql
    assert "CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3))" in sql  # event time advances
    assert "WATERMARK FOR `order_time` AS order_time - INTERVAL '5' SECOND" in sql
    assert "amount * 2 AS `gross`" in sql  # computed columns keep their expression
    # The view exposes the declared columns (metadata dropped), in their order.
    view = sql.split("CREATE TEMPORARY VIEW `orders` AS SELECT ", 1)[1]
    assert view.startswith("`order_id`, `customer_id`, `amount`, `note`, amount * 2 AS `gross`")


def test_key_columns_draw_from_key_counts() -> None:
    settings = CalibrationSettings(key_counts={"orders.customer_id": 500}, default_key_count=77)
    sql = _source(
        "SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id", settings=settings
    )
    assert "'fields.__k1.max' = '499'" in sql  # customer_id: the listed count
    assert "CAST(__k1 AS BIGINT) AS `customer_id`" in sql
    assert "'fields.__k0.max' = '76'" in sql  # order_id: primary key, default count
    assert "CAST(__k0 AS STRING) AS `order_id`" in sql


def test_statement_key_count_is_the_fallback() -> None:
    sql = _source("SELECT customer_id FROM orders GROUP BY customer_id", key_count=1234)
    assert "'fields.__k1.max' = '1233'" in sql


def test_text_payload_uses_repeat_and_respects_declared_length() -> None:
    sql = _source("SELECT * FROM orders")
    assert "REPEAT('x'" in sql
    assert "AS VARCHAR(8)) AS `note`" in sql


def test_rowtime_is_generated_when_read() -> None:
    tables = read_table_defs(["CREATE TABLE clicks (user_id BIGINT, url STRING)"])
    read = read_statement("SELECT user_id, `$rowtime` FROM clicks")
    g = generated_source(
        tables["clicks"],
        rows=10,
        key_columns=read.key_columns,
        uses_rowtime=True,
        settings=CalibrationSettings(),
    )
    sql = "\n".join(g.setup)
    assert "`$rowtime` AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3))" in sql
    assert "WATERMARK FOR `$rowtime`" in sql


@pytest.mark.parametrize(
    ("type_sql", "flink"),
    [
        ("STRING", "STRING"),
        ("VARCHAR(20)", "VARCHAR(20)"),
        ("TIMESTAMP_LTZ(3)", "TIMESTAMP_LTZ(3)"),
        ("TIMESTAMP(3)", "TIMESTAMP(3)"),
        ("DECIMAL(38, 4)", "DECIMAL(38, 4)"),
        ("INT", "INT"),
        ("DOUBLE", "DOUBLE"),
        ("ARRAY<STRING>", "ARRAY<STRING>"),
        ("MAP<STRING, INT>", "MAP<STRING, INT>"),
        ("ROW<x INT, y STRING>", "ROW<`x` INT, `y` STRING>"),
    ],
)
def test_flink_type_round_trip(type_sql: str, flink: str) -> None:
    tree = parse(f"CREATE TABLE t (c {type_sql})")[0]
    assert flink_type(tree.this.expressions[0].args["kind"]) == flink


def test_queries_are_cut_unchanged() -> None:
    insert = "INSERT INTO sink (a, b)\nSELECT a, UPPER(b) AS b -- keep\nFROM t WHERE a > 1;"
    assert read_statement(insert).queries == (
        "SELECT a, UPPER(b) AS b -- keep\nFROM t WHERE a > 1",
    )
    ctas = "CREATE TABLE x WITH ('k' = 'v') AS WITH c AS (SELECT * FROM t) SELECT * FROM c"
    read = read_statement(ctas)
    assert read.queries == ("WITH c AS (SELECT * FROM t) SELECT * FROM c",)
    assert read.sources == ("t",)
    sset = (
        "EXECUTE STATEMENT SET BEGIN INSERT INTO x SELECT CASE WHEN a THEN 1 END FROM t; "
        "INSERT INTO y SELECT b FROM u; END"
    )
    assert read_statement(sset).queries == (
        "SELECT CASE WHEN a THEN 1 END FROM t",
        "SELECT b FROM u",
    )


def test_key_columns_of_joins_groups_and_partitions() -> None:
    read = read_statement(
        "SELECT o.id, COUNT(*) FROM o JOIN s ON o.id = s.oid GROUP BY o.id, o.region"
    )
    assert read.key_columns == {"id", "oid", "region"}
    assert read.sources == ("o", "s")
    dedup = read_statement(
        "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) AS rn FROM t) "
        "WHERE rn = 1"
    )
    assert dedup.key_columns == {"k"}


def test_ddl_runs_no_query() -> None:
    with pytest.raises(CalibrationError, match="no query"):
        read_statement("CREATE TABLE t (a INT)")


def test_cost_conversion_is_additive() -> None:
    # 100 us of Kafka base + 4 us measured operator cost -> 1e6 / 104 records/s per CFU.
    assert measured_records_per_cfu_second(100.0, 4.0, 1e9) == pytest.approx(1e6 / 104)
    # A negative measurement (noise) counts as zero; the byte bound still caps.
    assert measured_records_per_cfu_second(100.0, -0.5, 1e9) == pytest.approx(10_000)
    assert measured_records_per_cfu_second(100.0, 4.0, 5_000) == 5_000
    assert operator_us_per_record(2.0, 1.5, 100_000) == pytest.approx(5.0)


def test_model_cost_splits_base_and_operators() -> None:
    params = Parameters({})
    c = classify_statement("INSERT INTO s SELECT k, COUNT(*) FROM t GROUP BY k")
    m = model_cost(c, params, message_bytes=1024)
    assert m.records_per_cfu_second == pytest.approx(1e6 / (m.base_us + m.operator_us))
    assert m.operator_us > 0
    bare = model_cost(c.model_copy(update={"operators": []}), params, message_bytes=1024)
    assert bare.operator_us == 0 and bare.base_us == pytest.approx(m.base_us)
    # Measuring exactly the model's operator cost gives back the model's figure.
    assert measured_records_per_cfu_second(m.base_us, m.operator_us, m.byte_bound) == (
        pytest.approx(m.records_per_cfu_second)
    )


def test_marginal_cost_cancels_fixed_costs() -> None:
    runs = [
        {"rows": 100, "phase": "pass", "cpu": 1.0 + 100e-6},
        {"rows": 1000, "phase": "pass", "cpu": 1.0 + 1000e-6},
        {"rows": 1000, "phase": "pass", "cpu": 3.0},  # a noisy repeat: the cheapest counts
        {"rows": 100, "phase": "statement", "cpu": 2.0 + 300e-6},
        {"rows": 1000, "phase": "statement", "cpu": 2.0 + 3000e-6},
    ]
    assert per_record_seconds(runs, "pass", 1) == pytest.approx(1e-6)
    assert per_record_seconds(runs, "statement", 1) == pytest.approx(3e-6)
    assert per_record_seconds(runs, "statement", 2) == pytest.approx(1.5e-6)


def test_first_useful_line_of_a_java_exception() -> None:
    text = (
        "org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, "
        "column 8 to line 1, column 20: No match found for function signature FOO(<NUMERIC>)\n"
        "\tat org.apache.flink.table.planner.calcite.FlinkPlannerImpl.validate(X.java:1)\n"
        "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: No match found for "
        "function signature FOO(<NUMERIC>)\n\tat x.y(Z.java:2)\n"
    )
    assert first_useful_line(RuntimeError(text)) == (
        "No match found for function signature FOO(<NUMERIC>)"
    )


def _result(**kw: object) -> CalibrationResult:
    base: dict[str, object] = {
        "statement": "clean_orders",
        "kind": "stateless",
        "backend": "hashmap",
        "ok": True,
        "input_records": 1000,
        "statement_records_per_second": 900_000.0,
        "pass_through_records_per_second": 1_000_000.0,
        "operator_us_per_record": 0.11,
        "model_records_per_cfu_second": 12_000.0,
        "model_operator_us_per_record": 1.0,
        "measured_records_per_cfu_second": 12_345.67,
        "measured_on": "2026-11-24",
    }
    return CalibrationResult(**{**base, **kw})  # type: ignore[arg-type]


def test_apply_writes_overrides_and_keeps_other_fields(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    raw = read_scenario_dict(path)
    failed = _result(statement="uses_confluent_function", ok=False, error="nope")
    updated = apply_results(raw, [_result(), failed])
    assert raw == read_scenario_dict(path)  # the input is not modified
    write_scenario_dict(path, updated)
    again = yaml.safe_load(path.read_text(encoding="utf-8"))
    by_name = {s["name"]: s for s in again["statements"]}
    assert by_name["clean_orders"]["records_per_cfu_second"] == 12345.7
    assert by_name["clean_orders"]["records_per_cfu_second_source"] == (
        "measured on local Apache Flink 2.3.0, 2026-11-24, hashmap"
    )
    assert "records_per_cfu_second" not in by_name["uses_confluent_function"]
    assert again["calibration"] == raw["calibration"]
    assert by_name["create_orders"]["sql"] == raw["statements"][0]["sql"]
    assert "|" in path.read_text(encoding="utf-8")  # SQL stays a readable block
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left nothing behind


def test_apply_unknown_statement_is_an_error() -> None:
    with pytest.raises(CalibrationError):
        apply_results({"statements": [{"name": "a"}]}, [_result(statement="b")])


def test_report_table_lists_measured_and_failed() -> None:
    text = render_table([_result(), _result(statement="bad", ok=False, error="Object 'x'")])
    assert "clean_orders" in text and "0.11" in text and "-0.89" in text
    assert "Not measured:" in text and "bad (stateless): Object 'x'" in text


def test_calibration_settings_from_the_scenario_file() -> None:
    scenario, settings, raw = load_for_calibration(SCENARIO)
    assert (
        settings.key_count("orders", "customer_id")
        == raw["calibration"]["key_counts"]["orders.customer_id"]
    )
    assert settings.key_count("orders", "other") == settings.default_key_count == 10_000
    assert scenario.statements[0].name == "create_orders"


def test_command_without_engine_says_how_to_get_it(tmp_path: Path) -> None:
    env = {**os.environ, "CFU_ESTIMATOR_FLINK_PYTHON": str(tmp_path / "none")}
    cwd = tmp_path  # no .flink-venv here either
    code = subprocess.run(
        [
            sys.executable,
            "-c",
            "import estimator.calibrate.engine as e; "
            "e._project_root = lambda: __import__('pathlib').Path('/nonexistent'); "
            "import sys; from estimator.calibrate.command import main; "
            f"sys.exit(main([{str(SCENARIO)!r}]))",
        ],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert code.returncode == 2
    assert "make flink" in code.stderr


def test_task_cpu_counts_a_thread_by_the_name_it_has_when_it_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new JVM thread carries the name of the thread that started it (a pool's,
    "flink-pekko...") until the JVM names it. Seen first under the pool's name, a task thread's
    whole CPU must still count as the task's: here a thread of this process plays it."""
    import ctypes
    import threading
    import time

    from estimator.calibrate import runner

    monkeypatch.setattr(runner, "_JVM_PID", [os.getpid()])
    prctl, set_name = ctypes.CDLL(None).prctl, 15  # PR_SET_NAME: this thread's comm
    started, sampled, worked, release = (threading.Event() for _ in range(4))

    def task_thread() -> None:
        prctl(set_name, b"flink-pekko.act")
        started.set()
        sampled.wait(10)
        prctl(set_name, b"GroupAggregate")
        begin = time.thread_time()
        while time.thread_time() - begin < 0.3:  # 0.3 s of this thread's CPU
            pass
        worked.set()
        release.wait(10)

    cpu = runner.TaskCpu()  # the job starts
    thread = threading.Thread(target=task_thread)
    thread.start()
    try:
        assert started.wait(10)
        cpu.sample()  # first sight: the pool's name, not a task thread's
        assert "flink-pekko.act" in cpu.names.values()
        sampled.set()
        assert worked.wait(10)
        cpu.sample()
    finally:
        release.set()
        thread.join(10)
    assert cpu.by_thread().get("GroupAggregate", 0) >= 0.25
    assert cpu.seconds() >= 0.25
