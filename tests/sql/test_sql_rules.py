"""The shapes of issue 17, each from public Flink SQL, with the reading Flink's docs give them.

Sources: Apache Flink docs (docs/content/docs/sql/reference/queries/*.md in apache/flink, read
December 2026) and the Ververica Flink SQL Cookbook (github.com/ververica/flink-sql-cookbook).
"""

from __future__ import annotations

from estimator.sql import Catalog, classify_script, classify_statement

# --- Interval joins: bounds in WHERE next to an ON clause; bounds over non-time expressions ---


def test_interval_bound_in_where_with_an_on_clause_is_an_interval_join() -> None:
    # Flink pushes WHERE predicates of an inner join into its condition: the time bound in
    # WHERE makes this an interval join (joins.md, "Interval Joins": BETWEEN on time attributes).
    sql = (
        "SELECT * FROM Orders o JOIN Shipments s ON o.id = s.order_id "
        "WHERE o.order_time BETWEEN s.ship_time - INTERVAL '4' HOUR AND s.ship_time"
    )
    c = classify_statement(sql)
    assert c.operators == ["interval_join"]
    assert c.state == "bounded"
    assert "4 hours" in c.explanation


def test_two_range_predicates_bound_both_sides() -> None:
    # joins.md: `ltime >= rtime AND ltime < rtime + INTERVAL '10' MINUTE` is a valid condition.
    sql = (
        "SELECT * FROM l JOIN r ON l.k = r.k "
        "WHERE l.ltime >= r.rtime AND l.ltime < r.rtime + INTERVAL '10' MINUTE"
    )
    assert classify_statement(sql).operators == ["interval_join"]


def test_a_single_bound_is_a_regular_join() -> None:
    # joins.md: an interval join needs "a join condition that bounds the time on both sides".
    sql = "SELECT * FROM l JOIN r ON l.k = r.k AND l.ltime > r.rtime - INTERVAL '1' HOUR"
    c = classify_statement(sql)
    assert c.operators == ["regular_join"]
    assert c.state == "unbounded"


def test_between_over_computed_timestamps_is_a_regular_join() -> None:
    # TO_TIMESTAMP(FROM_UNIXTIME(x)) is not a time attribute (cookbook 01_date_time converts an
    # INT column this way): Flink cannot run an interval join and keeps both sides forever.
    sql = (
        "SELECT s.id FROM subscriptions s JOIN payments p ON s.id = p.sub_id "
        "AND TO_TIMESTAMP(FROM_UNIXTIME(s.start_date)) "
        "BETWEEN p.paid_at - INTERVAL '1' DAY AND p.paid_at"
    )
    c = classify_statement(sql)
    assert c.operators == ["project", "regular_join"]
    assert c.state == "unbounded"
    assert "TO_TIMESTAMP" in c.explanation and "not a time attribute" in c.explanation


def test_ddl_says_the_bound_columns_are_not_time_attributes() -> None:
    script = """
    CREATE TABLE a (id INT, created TIMESTAMP(3));
    CREATE TABLE b (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
    SELECT * FROM a JOIN b ON a.id = b.id
      WHERE a.created BETWEEN b.ts - INTERVAL '1' HOUR AND b.ts;
    """
    c = classify_script(script)[-1]
    assert c.operators == ["regular_join"]
    assert c.confidence == "high"
    assert "a.created has no WATERMARK" in c.explanation


# --- Shapes with no rule before ----------------------------------------------------------


def test_order_by_limit_on_a_stream_is_a_top_n_at_parallelism_one() -> None:
    # queries/limit.md and orderby.md: ORDER BY ... LIMIT on a stream keeps the top rows.
    c = classify_statement("INSERT INTO top3 SELECT * FROM Orders ORDER BY amount DESC LIMIT 3")
    assert c.operators == ["top_n"]
    assert c.parallelism_cap == 1
    assert c.parallelism_reason == "ORDER BY ... LIMIT without a partition runs as one task"
    assert c.state == "unbounded"
    assert "top 3 rows" in c.explanation


def test_correlated_lateral_subquery_with_limit_is_a_join_plus_top_n() -> None:
    # Cookbook joins/06_lateral_join: the two largest cities of each state.
    sql = """
    SELECT state, city, population
    FROM (SELECT DISTINCT state FROM CurrentPopulation) States,
      LATERAL (
        SELECT city, population FROM CurrentPopulation
        WHERE state = States.state
        ORDER BY population DESC
        LIMIT 2)
    """
    c = classify_statement(sql)
    assert {"regular_join", "top_n", "distinct"} <= set(c.operators)
    assert c.kind == "join"
    assert "filter" not in c.operators  # `state = States.state` is the correlation


def test_correlated_scalar_subquery_with_aggregate_is_join_and_group_by() -> None:
    sql = (
        "INSERT INTO order_counts SELECT c.id, "
        "(SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.id) AS n FROM customers c"
    )
    c = classify_statement(sql)
    assert c.operators == ["project", "group_aggregate", "regular_join"]
    assert c.parallelism_cap is None  # grouped by the correlation key, not one global task


def test_uncorrelated_scalar_subquery_is_a_global_aggregate_joined_back() -> None:
    sql = "SELECT id FROM orders WHERE amount > (SELECT AVG(amount) FROM orders)"
    c = classify_statement(sql)
    assert {"global_aggregate", "regular_join", "filter"} <= set(c.operators)


def test_legacy_temporal_table_function_join() -> None:
    # joins.md, "Temporal Table Function Join": LATERAL Rates(o_proctime).
    sql = (
        "SELECT o_amount, r_rate FROM Orders, LATERAL TABLE (Rates(o_proctime)) "
        "WHERE r_currency = o_currency"
    )
    c = classify_statement(sql)
    assert c.operators == ["project", "temporal_join"]
    assert c.state == "bounded"
    assert c.confidence == "guess"  # o_proctime is a time attribute by its name only


def test_table_function_over_a_plain_column_stays_a_table_function() -> None:
    # joins.md, "Table Function": LATERAL table_func(order_id).
    sql = "SELECT order_id, res FROM Orders, LATERAL table_func(order_id) t(res)"
    assert classify_statement(sql).operators == ["project", "table_function"]


def test_lateral_snapshot_is_an_enrichment_join() -> None:
    # joins.md, "LATERAL SNAPSHOT Join".
    sql = (
        "SELECT o.order_id, r.rate FROM orders AS o JOIN LATERAL SNAPSHOT("
        "input => TABLE currency_rates, on_time => DESCRIPTOR(update_time)) AS r "
        "ON o.currency = r.currency"
    )
    c = classify_statement(sql)
    assert c.kind == "join"
    assert "temporal_join" in c.operators


# --- Flink 2.x and Confluent syntax --------------------------------------------------------


def test_ml_predict_with_table_model_and_descriptor() -> None:
    # queries/model-inference.md examples.
    for sql in (
        "SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(f1, f2))",
        "SELECT * FROM ML_PREDICT(TABLE input_table, MODEL my_model, DESCRIPTOR(f1, f2), "
        "MAP['async', 'true', 'timeout', '100s'])",
        "SELECT * FROM ML_PREDICT(INPUT => TABLE input_table, MODEL => MODEL my_model, "
        "ARGS => DESCRIPTOR(feature1, feature2), CONFIG => MAP['async', 'true'])",
    ):
        c = classify_statement(sql)
        assert c.error is None, sql
        assert c.operators == ["table_function"]
        assert c.sources == ["input_table"]  # the model is not a table
        assert c.confidence == "high"


def test_vector_search_is_a_lookup() -> None:
    # queries/vector-search.md: "very similar to a lookup join".
    sql = (
        "SELECT * FROM input_table, LATERAL VECTOR_SEARCH(TABLE vector_table, "
        "input_table.vector_column, DESCRIPTOR(index_column), 10)"
    )
    c = classify_statement(sql)
    assert c.operators == ["lookup_join"]
    assert c.sources == ["input_table", "vector_table"]


def test_confluent_ml_predict_in_lateral_table() -> None:
    # Confluent Cloud "AI Model Inference and Machine Learning Functions": ML_PREDICT(model, col).
    sql = "SELECT * FROM reviews, LATERAL TABLE(ML_PREDICT('sentiment_model', review_text))"
    c = classify_statement(sql)
    assert c.operators == ["table_function"]


def test_process_table_function_with_partition_by() -> None:
    # queries/changelog.md: TO_CHANGELOG(input => TABLE t PARTITION BY id, ...).
    sql = (
        "SELECT * FROM TO_CHANGELOG(input => TABLE my_aggregation PARTITION BY id, "
        "op => DESCRIPTOR(op_code), op_mapping => MAP['INSERT', 'I', 'UPDATE_AFTER', 'U'])"
    )
    c = classify_statement(sql)
    assert c.error is None
    assert c.operators == ["table_function"]
    assert c.sources == ["my_aggregation"]


def test_json_query_returning_array() -> None:
    sql = (
        "INSERT INTO tags SELECT id, JSON_QUERY(payload, '$.tags' RETURNING ARRAY<STRING> "
        "WITHOUT ARRAY WRAPPER) AS tags FROM events"
    )
    c = classify_statement(sql)
    assert c.error is None and c.confidence == "high"
    assert c.operators == ["project"]


def test_create_model_is_ddl_with_high_confidence() -> None:
    sql = (
        "CREATE MODEL sentiment INPUT (text STRING) OUTPUT (label STRING) "
        "WITH ('provider' = 'openai', 'task' = 'classification')"
    )
    c = classify_statement(sql)
    assert (c.kind, c.confidence) == ("ddl", "high")


# --- Parallelism caps ----------------------------------------------------------------------


def test_window_aggregate_grouped_by_window_only_runs_as_one_task() -> None:
    # Cookbook 01_group_by_window_tvf: COUNT(DISTINCT client_ip) per 1-minute window.
    sql = (
        "INSERT INTO ips SELECT window_start, window_end, COUNT(DISTINCT client_ip) AS n "
        "FROM TABLE(TUMBLE(TABLE server_logs, DESCRIPTOR(log_time), INTERVAL '1' MINUTE)) "
        "GROUP BY window_start, window_end"
    )
    c = classify_statement(sql)
    assert c.parallelism_cap == 1
    assert "Parallelism 1" in c.explanation
    keyed = sql.replace("GROUP BY window_start", "GROUP BY userid, window_start")
    assert classify_statement(keyed).parallelism_cap is None


def test_legacy_group_window_without_keys_runs_as_one_task() -> None:
    sql = (
        "INSERT INTO x SELECT COUNT(*) FROM server_logs "
        "GROUP BY TUMBLE(log_time, INTERVAL '1' MINUTE)"
    )
    assert classify_statement(sql).parallelism_cap == 1


def test_over_without_partition_by_runs_as_one_task() -> None:
    over = (
        "SUM(amount) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)"
    )
    c = classify_statement(f"INSERT INTO s SELECT id, {over} FROM orders")
    assert c.operators == ["project", "over_aggregate"]
    assert c.parallelism_cap == 1
    partitioned = over.replace("(ORDER BY", "(PARTITION BY id ORDER BY")
    assert (
        classify_statement(f"INSERT INTO s SELECT id, {partitioned} FROM orders").parallelism_cap
        is None
    )


def test_named_over_window_with_partition_by_is_not_capped() -> None:
    # Cookbook 04_over: WINDOW last_minute AS (PARTITION BY city ...).
    sql = (
        "INSERT INTO t SELECT city, AVG(temperature) OVER last_minute "
        "FROM temperature_measurements "
        "WINDOW last_minute AS (PARTITION BY city ORDER BY measurement_time "
        "RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW)"
    )
    assert classify_statement(sql).parallelism_cap is None


# --- Catalog facts decide ------------------------------------------------------------------


def test_watermarked_ts_ltz_makes_deduplication() -> None:
    # The example: a watermarked column named ts_ltz.
    ddl = (
        "CREATE TABLE clicks (user_id STRING, url STRING, ts_ltz TIMESTAMP_LTZ(3), "
        "WATERMARK FOR ts_ltz AS ts_ltz - INTERVAL '5' SECOND)"
    )
    query = (
        "INSERT INTO first_clicks SELECT user_id, url FROM (SELECT *, ROW_NUMBER() OVER "
        "(PARTITION BY user_id ORDER BY ts_ltz) AS rn FROM clicks) WHERE rn = 1"
    )
    c = classify_statement(query, catalog=Catalog.from_sql([ddl]))
    assert c.operators == ["project", "deduplicate"]
    assert c.confidence == "high"
    assert "clicks.ts_ltz has a WATERMARK" in c.explanation


def test_ordering_by_a_column_without_watermark_is_top_n_per_ddl() -> None:
    ddl = "CREATE TABLE scores (player STRING, game_time TIMESTAMP(3), points INT)"
    query = (
        "SELECT player FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY player "
        "ORDER BY game_time DESC) AS rn FROM scores) WHERE rn = 1"
    )
    assert classify_statement(query).operators == ["project", "deduplicate"]  # name guess
    with_ddl = classify_statement(query, catalog=Catalog.from_sql([ddl]))
    assert with_ddl.operators == ["project", "top_n"]
    assert with_ddl.confidence == "high"


def test_proctime_column_from_ddl_makes_a_lookup_join() -> None:
    # joins.md, "Lookup Join", with the Orders table's time attribute named `arrival`.
    script = """
    CREATE TEMPORARY TABLE Customers (id INT, name STRING, country STRING, zip STRING)
      WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://mysqlhost:3306/customerdb',
            'table-name' = 'customers');
    CREATE TABLE Orders (order_id INT, total INT, customer_id INT, arrival AS PROCTIME());
    SELECT o.order_id, o.total, c.country, c.zip FROM Orders AS o
      JOIN Customers FOR SYSTEM_TIME AS OF o.arrival AS c ON o.customer_id = c.id;
    """
    c = classify_script(script)[-1]
    assert c.operators == ["project", "lookup_join"]
    assert c.confidence == "high"
    assert "Orders.arrival is AS PROCTIME()" in c.explanation
    assert "jdbc connector" in c.explanation


def test_rowtime_column_from_ddl_makes_a_temporal_join() -> None:
    # joins.md, "Event Time Temporal Join", with the orders' time column named `placed`.
    script = """
    CREATE TABLE orders (order_id STRING, price DECIMAL(32,2), currency STRING,
      placed TIMESTAMP(3), WATERMARK FOR placed AS placed - INTERVAL '15' SECOND);
    CREATE TABLE currency_rates (currency STRING, conversion_rate DECIMAL(32, 2),
      update_time TIMESTAMP(3), WATERMARK FOR update_time AS update_time - INTERVAL '15' SECOND,
      PRIMARY KEY(currency) NOT ENFORCED)
      WITH ('connector' = 'kafka', 'value.format' = 'debezium-json');
    SELECT order_id, price, conversion_rate FROM orders
      LEFT JOIN currency_rates FOR SYSTEM_TIME AS OF orders.placed
      ON orders.currency = currency_rates.currency;
    """
    c = classify_script(script)[-1]
    assert c.operators == ["project", "temporal_join"]
    assert "orders.placed has a WATERMARK" in c.explanation


def test_view_passes_time_attributes_on() -> None:
    script = """
    CREATE TABLE people (id INT, city STRING, arrival_time TIMESTAMP(3),
      WATERMARK FOR arrival_time AS arrival_time - INTERVAL '1' MINUTE);
    CREATE VIEW arrivals AS SELECT id, city, arrival_time AS seen FROM people;
    SELECT id, city FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY seen DESC)
      AS rownum FROM arrivals) WHERE rownum = 1;
    """
    c = classify_script(script)[-1]
    assert c.operators == ["project", "deduplicate"]
    assert c.confidence == "high"


def test_catalog_from_sql_skips_what_it_cannot_read() -> None:
    catalog = Catalog.from_sql(
        [None, "", "SELECT 1", "CREATE TABLE ok (a INT, PRIMARY KEY (a) NOT ENFORCED)", "CREATE ("]
    )
    facts = catalog.get("ok")
    assert facts is not None and facts.primary_key == ("a",)
    assert len(catalog) == 1


def test_catalog_reads_connectors_keys_and_changelogs() -> None:
    catalog = Catalog.from_sql(
        [
            "CREATE TABLE users (user_id INT PRIMARY KEY, user_name VARCHAR(255) NOT NULL) "
            "WITH ('connector' = 'jdbc', 'table-name' = 'users');"
            "CREATE TABLE rates (c STRING, r DOUBLE, PRIMARY KEY (c) NOT ENFORCED) "
            "WITH ('connector' = 'upsert-kafka');"
            "CREATE TEMPORARY TABLE rates_faker WITH ('connector' = 'faker') "
            "LIKE rates (EXCLUDING OPTIONS)"
        ]
    )
    users, rates, faker = catalog.get("users"), catalog.get("rates"), catalog.get("rates_faker")
    assert users is not None and users.lookup and users.primary_key == ("user_id",)
    assert rates is not None and rates.changelog and not rates.lookup
    assert faker is not None and faker.columns == rates.columns
    assert faker.connector == "faker"


def test_estimate_uses_the_scenario_ddl() -> None:
    from estimator.estimate import _catalog_of, _catalog_scripts
    from estimator.scenario import Scenario

    scenario = Scenario.model_validate(
        {
            "statements": [
                {
                    "name": "dedup",
                    "sql": "INSERT INTO firsts SELECT user_id FROM (SELECT *, ROW_NUMBER() "
                    "OVER (PARTITION BY user_id ORDER BY ts_ltz) AS rn FROM clicks) WHERE rn = 1",
                    "rps": 100,
                }
            ],
            "calibration": {
                "ddl": "CREATE TABLE clicks (user_id STRING, ts_ltz TIMESTAMP_LTZ(3), "
                "WATERMARK FOR ts_ltz AS ts_ltz - INTERVAL '1' SECOND)"
            },
        }
    )
    catalog = _catalog_of(_catalog_scripts(scenario))
    assert catalog.get("clicks") is not None
    c = classify_statement(scenario.statements[0].sql, catalog=catalog)
    assert (c.operators, c.confidence) == (["project", "deduplicate"], "high")
