"""A realistic Confluent Cloud script, labelled statement by statement; script-level context."""

from __future__ import annotations

import json
from pathlib import Path

from estimator.sql import (
    CLASSIFICATION_KEYS,
    Classification,
    classify_script,
    classify_statement,
    render_classifications_table,
)

SCRIPT = (Path(__file__).parent / "fixtures" / "confluent_script.sql").read_text(encoding="utf-8")

# (line, type, kind, operators, sources, sink, parallelism cap, state), written by hand.
EXPECTED: list[tuple[int, str, str, list[str], list[str], str | None, int | None, str]] = [
    (4, "ddl", "ddl", [], [], None, None, "none"),
    (5, "ddl", "ddl", [], [], None, None, "none"),
    (8, "ddl", "ddl", [], [], None, None, "none"),
    (25, "ddl", "ddl", [], [], None, None, "none"),
    (33, "ddl", "ddl", [], [], None, None, "none"),
    (41, "ddl", "ddl", [], [], None, None, "none"),
    (48, "ddl", "ddl", [], [], None, None, "none"),
    (51, "ddl", "ddl", [], [], None, None, "none"),
    (56, "ddl", "ddl", [], [], None, None, "none"),
    (59, "insert", "stateless", ["filter", "project"], ["orders"], "clean_orders", None, "none"),
    (
        65,
        "insert",
        "join",
        ["project", "interval_join"],
        ["orders", "shipments"],
        "shipped_orders",
        None,
        "bounded",
    ),
    (
        73,
        "insert",
        "join",
        ["project", "temporal_join"],
        ["currency_rates", "orders"],
        "orders_eur",
        None,
        "bounded",
    ),
    (
        80,
        "insert",
        "join",
        ["project", "lookup_join"],
        ["customers", "orders"],
        "orders_with_tier",
        None,
        "bounded",
    ),
    (
        87,
        "insert",
        "aggregate",
        ["project", "window_aggregate"],
        ["clicks"],
        "clicks_per_minute",
        None,
        "bounded",
    ),
    (
        93,
        "insert",
        "join",
        ["project", "regular_join"],
        ["customers", "orders"],
        "enriched_orders",
        None,
        "unbounded",
    ),
    (97, "ddl", "ddl", [], [], None, None, "none"),
    (
        100,
        "insert",
        "join",
        ["project", "regular_join"],
        ["customers", "orders"],
        "enriched_orders",
        None,
        "bounded",
    ),
    (
        105,
        "statement_set",
        "stateless",
        ["filter", "project", "unnest"],
        ["orders"],
        "big_orders, order_tags",
        None,
        "none",
    ),
    (
        112,
        "insert",
        "join",
        ["project", "window_join"],
        ["clicks", "orders"],
        "clicks_and_orders",
        None,
        "bounded",
    ),
    (120, "select", "stateless", ["filter"], ["orders"], None, 1, "none"),
    (122, "ddl", "ddl", [], [], None, None, "none"),
]


def test_confluent_script_statement_by_statement() -> None:
    results = classify_script(SCRIPT)
    assert len(results) == len(EXPECTED)
    for index, (result, want) in enumerate(zip(results, EXPECTED, strict=True)):
        got = (
            result.line,
            result.statement_type,
            result.kind,
            list(result.operators),
            result.sources,
            result.sink,
            result.parallelism_cap,
            result.state,
        )
        assert got == want, f"statement {index}"
        assert result.index == index
        assert result.confidence == "high"
        assert result.error is None


def test_explanations_name_the_tables() -> None:
    results = classify_script(SCRIPT)
    assert results[10].explanation.startswith("Joins orders with shipments")
    assert "4 hours of both sides in state" in results[10].explanation
    assert "1-minute tumbling windows" in results[13].explanation
    assert "clicks" in results[13].explanation
    assert results[9].explanation == "Filters and reshapes orders into clean_orders; no state."


def test_state_ttl_set_in_script_carries_forward_and_resets() -> None:
    join = "INSERT INTO s SELECT a.x FROM a JOIN b ON a.id = b.id"
    results = classify_script(
        f"{join};\nSET 'sql.state-ttl' = '2 h';\n{join};\n"
        f"SET 'sql.state-ttl' = '0 ms';\n{join};\nSET 'sql.state-ttl' = '1 d';\n"
        f"RESET 'sql.state-ttl';\n{join};"
    )
    states = [r.state for r in results if r.statement_type == "insert"]
    assert states == ["unbounded", "bounded", "unbounded", "unbounded"]


def test_classify_statement_state_ttl_flag() -> None:
    sql = "INSERT INTO s SELECT k, COUNT(*) FROM t GROUP BY k"
    assert classify_statement(sql).state == "unbounded"
    assert classify_statement(sql, state_ttl=True).state == "bounded"
    windowed = classify_statement(
        "INSERT INTO s SELECT window_start, window_end, COUNT(*) FROM "
        "TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
        "GROUP BY window_start, window_end"
    )
    assert windowed.state == "bounded"


def test_classify_statement_is_index_zero_line_one() -> None:
    result = classify_statement("\n\n  SELECT * FROM orders;")
    assert (result.index, result.line) == (0, 1)


def test_json_keys_are_the_contract() -> None:
    results = classify_script(SCRIPT)
    payload = json.loads(json.dumps([r.model_dump() for r in results]))
    assert all(tuple(item) == CLASSIFICATION_KEYS for item in payload)


def test_render_table() -> None:
    results = classify_script(SCRIPT)
    table = render_classifications_table(results)
    lines = table.splitlines()
    assert lines[0].split()[:7] == ["#", "line", "type", "kind", "operators", "state", "confidence"]
    assert len(lines) == 2 + len(results)
    assert "interval_join" in table
    assert lines[2 + 10].split()[:3] == ["10", "65", "insert"]
    assert render_classifications_table([]).strip().endswith("(no statements)")
    odd = Classification(statement_type="unknown", kind="unknown", error="line 1, column 1: x")
    assert "line 1, column 1: x" in render_classifications_table([odd])


def test_sql_client_statement_set_is_one_job() -> None:
    # The Flink SQL client's form, as in the Ververica cookbook (08_statement_sets).
    script = """
    BEGIN STATEMENT SET;
    INSERT INTO realtime_aggregations SELECT browser, COUNT(*) FROM browsers GROUP BY browser;
    INSERT INTO offline_datawarehouse SELECT browser, status_code FROM browsers;
    END;
    SELECT 1;
    """
    results = classify_script(script)
    assert [r.statement_type for r in results] == ["statement_set", "select"]
    assert results[0].sink == "offline_datawarehouse, realtime_aggregations"
    assert results[0].line == 2 and results[1].line == 6
