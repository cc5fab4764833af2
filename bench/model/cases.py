"""The operator benchmark's cases: one Flink SQL query per operator class and variant.

Every case reads generated sources (datagen behind a view, built like the calibration's):

    k   BIGINT     the key: uniform in [0, keys - 1]
    v   BIGINT     uniform in [0, 999,999]
    g   BIGINT     v mod 100 (a small second key)
    x   DOUBLE
    s   STRING     a payload of about `message_bytes` characters (digits, then 'x's)
    js  STRING     the payload as a JSON object {"a": v, "b": "xxx..."}
    ts  TIMESTAMP_LTZ(3), event time that advances with the row count: row n of a source is
        at 2026-01-01 + n / EVENT_ROWS_PER_SECOND s (a topic of 10,000 records/s), watermarked
        1 s behind; both sources of a join cover the same event time
    proc_time  PROCTIME(), on the stream of a lookup join only (its `dim`: lookup_table_sql)

and runs into a blackhole sink at parallelism 1. Its pass-through reads the same columns of
the same sources, so the difference is the operator's own cost. `op` names the classifier's
operator (estimator.sql) whose cost the case measures; `expect_ops` what the classifier must
report for the query (checked by the tests, so the bench measures what the model prices).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

DEFAULT_KEYS = 10_000
DEFAULT_BYTES = 100
# Rows per source of the larger run of a case. On RocksDB the cost of a record rises while the
# state and the memtable fill, then settles (the "run-length" set, 10^4 keys, one JVM,
# 2026-12-02: GROUP BY 4.6 us a record between 20,000 and 100,000 rows, 6.6 between 100,000
# and 300,000, then 8.1 / 5.5 / 5.3 between 300,000-1M, 1M-2M and 2M-4M rows; deduplication
# 4.1, 6.4, then 6.8 / 5.5 / 4.9). So the slope of a stateful case starts after STEADY_RECORDS
# input records (its smaller run fills the state) and ends at 300,000 rows (30 s of event
# time); the fit scales it to the level of the longest runs (fit.py). The dearest classes
# (per-key lists and timers: SESSION, OVER, interval and temporal joins, MATCH_RECOGNIZE;
# 30-150 us a record) end at 150,000 (EXPENSIVE_ROWS) to fit the plan. Stateless cases (~0.5
# us a record) run 400,000 (the smaller run a fifth), to lift the difference above the CPU
# clock's tick.
DEFAULT_ROWS = 300_000
STEADY_RECORDS = 100_000
EXPENSIVE_ROWS = 150_000
STATELESS_ROWS = 400_000
# A lookup join keeps no state and costs a few us a record: 10^6 rows (the smaller run a
# fifth) lift its slope well above the noise of the dimension table's build in open().
LOOKUP_ROWS = 1_000_000
JOIN_ROWS = DEFAULT_ROWS // 2  # per side: a two-input job handles as many records
EXPENSIVE_JOIN_ROWS = EXPENSIVE_ROWS // 2
EVENT_ROWS_PER_SECOND = 10_000  # rows per second of event time (ts advances 0.1 ms a row)
EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
_DIGITS = 7  # CAST(v AS STRING) has up to 6 digits


@dataclass(frozen=True)
class Case:
    name: str  # unique per (variant) row
    op: str  # the model's operator key: op_us_<op>
    sql: str  # the query, reading `a` (and `b` for two-input cases)
    columns: tuple[str, ...]  # columns of each source it reads (for the pass-through)
    sources: int = 1
    keys: int = DEFAULT_KEYS
    message_bytes: int = DEFAULT_BYTES
    stateful: bool = True
    variant: str = "reference"
    aggregates: int = 1
    emits_per_input: float = 1.0
    skew: bool = False
    right_rows: int | None = None  # a bounded, smaller second source (a dimension table)
    # A lookup join's dimension table `dim` (k, v, s; key k): this many rows in memory, served
    # by the 'bench-lookup' connector (bench/model/lookup/); the stream gets `proc_time`.
    lookup_rows: int | None = None
    lookup_async: bool = False  # the table answers through Flink's async lookup operator
    rows: int = DEFAULT_ROWS  # rows per source of the larger run (two-input cases: per side)
    small_rows: int | None = None  # rows of the smaller run; None: a fifth of `rows`
    expect_ops: tuple[str, ...] = field(default=())

    def with_(self, **kw: object) -> Case:
        return replace(self, **kw)  # type: ignore[arg-type]


def source_sql(
    name: str,
    rows: int,
    keys: int,
    message_bytes: int,
    *,
    skew: bool = False,
    primary_key: bool = False,
    proctime: bool = False,
) -> tuple[list[str], list[str]]:
    """CREATE statements (datagen table + view `name`) and the DROPs that undo them.
    `proctime`: the view also has `proc_time`, a processing-time attribute (PROCTIME())."""
    gen = f"__gen_{name}"
    pad = max(0, message_bytes - _DIGITS)
    json_pad = max(0, message_bytes - 20)
    key = (
        "k0"
        if not skew
        else f"CAST(FLOOR(POWER(CAST(k0 AS DOUBLE) / {keys}, 4) * {keys}) AS BIGINT)"
    )
    step = 1000 / EVENT_ROWS_PER_SECOND  # ms of event time per row

    proc = ", proc_time AS PROCTIME()" if proctime else ""

    def table(table_name: str, key_col: str, pk: str) -> str:
        return (
            f"CREATE TEMPORARY TABLE `{table_name}` (n BIGINT, {key_col} BIGINT, v BIGINT, "
            f"x DOUBLE, ts AS TO_TIMESTAMP_LTZ({EPOCH_MS} + CAST(n * {step:g} AS BIGINT), 3)"
            f"{proc}, "
            f"WATERMARK FOR ts AS ts - INTERVAL '1' SECOND{pk}) WITH ("
            "'connector' = 'datagen', 'rows-per-second' = '1000000000', "
            f"'number-of-rows' = '{rows}', 'fields.n.kind' = 'sequence', "
            f"'fields.n.start' = '0', 'fields.n.end' = '{rows - 1}', "
            f"'fields.{key_col}.kind' = 'random', 'fields.{key_col}.min' = '0', "
            f"'fields.{key_col}.max' = '{max(keys - 1, 1)}', "
            "'fields.v.min' = '0', 'fields.v.max' = '999999')"
        )

    if primary_key:  # a versioned table for temporal joins: its own table, key declared
        create = table(name, "k", ", PRIMARY KEY (k) NOT ENFORCED")
        return [create], [f"DROP TEMPORARY TABLE IF EXISTS `{name}`"]
    create = table(gen, "k0", "")
    view = (
        f"CREATE TEMPORARY VIEW `{name}` AS SELECT {key} AS k, v, MOD(v, 100) AS g, x, "
        f"CONCAT(CAST(v AS STRING), REPEAT('x', {pad})) AS s, "
        f"CONCAT('{{\"a\": ', CAST(v AS STRING), ', \"b\": \"', REPEAT('x', {json_pad}), '\"}}') "
        f"AS js, ts{', proc_time' if proctime else ''} FROM `{gen}`"
    )
    return [create, view], [
        f"DROP TEMPORARY VIEW IF EXISTS `{name}`",
        f"DROP TEMPORARY TABLE IF EXISTS `{gen}`",
    ]


LOOKUP_CONNECTOR = "bench-lookup"  # bench/model/lookup/BenchLookupTableFactory.java


def lookup_table_sql(
    rows: int, message_bytes: int, *, async_: bool = False
) -> tuple[list[str], list[str]]:
    """The dimension table `dim` of a lookup join: `rows` rows (k = 0 .. rows - 1, v, a payload
    s of about `message_bytes` characters) held in memory by the bench-lookup connector, which
    answers each lookup synchronously (no cache in front, no network); `async_`: through an
    async lookup function whose every answer is ready at once (Flink's async operator)."""
    create = (
        "CREATE TEMPORARY TABLE `dim` (k BIGINT, v BIGINT, s STRING, PRIMARY KEY (k) NOT "
        f"ENFORCED) WITH ('connector' = '{LOOKUP_CONNECTOR}', 'rows' = '{rows}', "
        f"'payload-bytes' = '{message_bytes}', 'async' = '{str(async_).lower()}')"
    )
    return [create], ["DROP TEMPORARY TABLE IF EXISTS `dim`"]


# Windows of 10 s: at 10,000 rows/s and 10^4 keys, about 10 rows per key and window.
TUMBLE = "TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '10' SECOND))"


def _steady(case: Case) -> Case:
    """A stateful case's smaller run: STEADY_RECORDS input records (the state filled)."""
    if not case.stateful or case.small_rows:
        return case
    both = case.sources == 2 and case.right_rows is None
    return case.with_(small_rows=STEADY_RECORDS // (2 if both else 1))


def reference_cases() -> list[Case]:
    """One case per operator class at the reference point (10^4 keys, ~100 B)."""
    return [_steady(c) for c in _reference_cases()]


def _reference_cases() -> list[Case]:
    kv = ("k", "v")
    return [
        Case(
            "filter_project_cheap",
            "project",
            "SELECT k, v * 2 AS v2, x + 1 AS x1 FROM a WHERE v > 10",
            ("k", "v", "x"),
            stateful=False,
            rows=STATELESS_ROWS,
            expect_ops=("filter", "project"),
        ),
        Case(
            "project_regexp",
            "project",
            "SELECT k, REGEXP_EXTRACT(s, '([0-9]+)(x+)', 1) AS d, "
            "REGEXP_REPLACE(s, 'x+', 'y') AS r FROM a",
            ("k", "s"),
            stateful=False,
            rows=STATELESS_ROWS,
            variant="REGEXP_EXTRACT + REGEXP_REPLACE",
            expect_ops=("project",),
        ),
        Case(
            "project_json",
            "project",
            "SELECT k, JSON_VALUE(js, '$.a') AS ja, JSON_VALUE(js, '$.b') AS jb FROM a",
            ("k", "js"),
            stateful=False,
            rows=STATELESS_ROWS,
            variant="2 x JSON_VALUE",
            expect_ops=("project",),
        ),
        Case(
            "unnest",
            "unnest",
            "SELECT k, e FROM a CROSS JOIN UNNEST(ARRAY[v, v + 1, v + 2]) AS t (e)",
            kv,
            stateful=False,
            rows=STATELESS_ROWS,
            emits_per_input=3,
            variant="3 rows per input",
            expect_ops=("unnest",),
        ),
        Case(
            "group_by",
            "group_aggregate",
            "SELECT k, COUNT(*) AS c, SUM(v) AS sv FROM a GROUP BY k",
            kv,
            aggregates=2,
            expect_ops=("group_aggregate",),
        ),
        Case(
            "global_aggregate",
            "global_aggregate",
            "SELECT COUNT(*) AS c, SUM(v) AS sv FROM a",
            ("v",),
            keys=1,
            aggregates=2,
            expect_ops=("global_aggregate",),
        ),
        Case(
            "distinct_aggregate",
            "group_aggregate",
            "SELECT k, COUNT(DISTINCT g) AS dg FROM a GROUP BY k",
            ("k", "g"),
            variant="COUNT(DISTINCT)",
            expect_ops=("group_aggregate",),
        ),
        Case(
            "select_distinct",
            "distinct",
            "SELECT DISTINCT k, g FROM a",
            ("k", "g"),
            expect_ops=("distinct",),
        ),
        Case(
            "tumble",
            "window_aggregate",
            f"SELECT window_start, k, COUNT(*) AS c, SUM(v) AS sv "
            f"FROM {TUMBLE} GROUP BY window_start, window_end, k",
            ("k", "v", "ts"),
            expect_ops=("window_aggregate",),
        ),
        Case(
            "hop",
            "window_aggregate",
            "SELECT window_start, k, COUNT(*) AS c FROM "
            "TABLE(HOP(TABLE a, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) "
            "GROUP BY window_start, window_end, k",
            ("k", "ts"),
            variant="HOP 10 s / 5 s",
            expect_ops=("window_aggregate",),
        ),
        Case(
            "cumulate",
            "window_aggregate",
            "SELECT window_start, window_end, k, COUNT(*) AS c "
            "FROM TABLE(CUMULATE(TABLE a, DESCRIPTOR(ts), INTERVAL '2' SECOND, "
            "INTERVAL '10' SECOND)) GROUP BY window_start, window_end, k",
            ("k", "ts"),
            variant="CUMULATE 10 s / 2 s",
            expect_ops=("window_aggregate",),
        ),
        Case(
            "session",
            "window_aggregate",
            "SELECT window_start, k, COUNT(*) AS c FROM "
            "TABLE(SESSION(TABLE a PARTITION BY k, DESCRIPTOR(ts), INTERVAL '1' SECOND)) "
            "GROUP BY window_start, window_end, k",
            ("k", "ts"),
            variant="SESSION 1 s gap",
            rows=EXPENSIVE_ROWS,
            expect_ops=("window_aggregate",),
        ),
        Case(
            "over",
            "over_aggregate",
            "SELECT k, v, SUM(v) OVER (PARTITION BY k ORDER BY ts "
            "RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW) AS sv FROM a",
            ("k", "v", "ts"),
            rows=EXPENSIVE_ROWS,
            expect_ops=("over_aggregate",),
        ),
        Case(
            "deduplicate",
            "deduplicate",
            "SELECT k, v, ts FROM (SELECT *, ROW_NUMBER() OVER "
            "(PARTITION BY k ORDER BY ts DESC) AS rn FROM a) WHERE rn = 1",
            ("k", "v", "ts"),
            variant="keep last row",
            expect_ops=("deduplicate",),
        ),
        Case(
            "top_n",
            "top_n",
            "SELECT k, v, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k "
            "ORDER BY v DESC) AS rn FROM a) WHERE rn <= 3",
            kv,
            variant="top 3 per key",
            expect_ops=("top_n",),
        ),
        Case(
            "window_top_n",
            "window_top_n",
            "SELECT * FROM (SELECT window_start, window_end, k, "
            "v, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) "
            f"AS rn FROM {TUMBLE}) WHERE rn <= 3",
            ("k", "v", "ts"),
            variant="top 3 per key and 10 s window",
            expect_ops=("window_top_n",),
        ),
        Case(
            "regular_join",
            "regular_join",
            "SELECT a.k, a.v, b.v AS bv FROM a JOIN b ON a.k = b.k",
            kv,
            sources=2,
            rows=JOIN_ROWS,
            keys=1_000_000,
            variant="10^6 keys, ~0.075 rows out per input",
            expect_ops=("regular_join",),
        ),
        Case(
            "interval_join",
            "interval_join",
            "SELECT a.k, a.v, b.v AS bv FROM a JOIN b "
            "ON a.k = b.k AND b.ts BETWEEN a.ts - INTERVAL '1' SECOND AND a.ts + "
            "INTERVAL '1' SECOND",
            ("k", "v", "ts"),
            sources=2,
            rows=EXPENSIVE_JOIN_ROWS,
            keys=100_000,
            expect_ops=("interval_join",),
        ),
        Case(
            "temporal_join",
            "temporal_join",
            "SELECT a.k, a.v, b.v AS bv FROM a JOIN b FOR SYSTEM_TIME AS OF a.ts ON a.k = b.k",
            ("k", "v", "ts"),
            sources=2,
            rows=EXPENSIVE_JOIN_ROWS,
            expect_ops=("temporal_join",),
        ),
        Case(
            "lookup_join",
            "lookup_join",
            "SELECT a.k, a.v, d.v AS dv FROM a JOIN dim FOR SYSTEM_TIME AS OF a.proc_time AS d "
            "ON a.k = d.k",
            ("k", "v"),
            lookup_rows=DEFAULT_KEYS,
            stateful=False,
            rows=LOOKUP_ROWS,
            variant="lookup join, 10^4-row in-memory table (bench-lookup)",
            expect_ops=("lookup_join",),
        ),
        Case(
            "window_join",
            "window_join",
            "SELECT l.k, l.v, r.v AS rv FROM "
            f"(SELECT * FROM {TUMBLE}) l JOIN (SELECT * FROM TABLE(TUMBLE(TABLE b, "
            "DESCRIPTOR(ts), INTERVAL '10' SECOND))) r ON l.k = r.k AND l.window_start = "
            "r.window_start AND l.window_end = r.window_end",
            ("k", "v", "ts"),
            sources=2,
            rows=JOIN_ROWS,
            keys=100_000,
            expect_ops=("window_join",),
        ),
        Case(
            "semi_join",
            "semi_anti_join",
            "SELECT k, v FROM a WHERE k IN (SELECT k FROM b)",
            kv,
            sources=2,
            rows=JOIN_ROWS,
            keys=100_000,
            variant="IN (semi)",
            expect_ops=("semi_anti_join",),
        ),
        Case(
            "anti_join",
            "semi_anti_join",
            "SELECT k, v FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k)",
            kv,
            sources=2,
            rows=JOIN_ROWS,
            keys=100_000,
            variant="NOT EXISTS (anti)",
            expect_ops=("semi_anti_join",),
        ),
        Case(
            "match_recognize",
            "match_recognize",
            "SELECT * FROM a MATCH_RECOGNIZE ("
            "PARTITION BY k ORDER BY ts MEASURES A.v AS av, B.v AS bv ONE ROW PER MATCH "
            "AFTER MATCH SKIP PAST LAST ROW PATTERN (A B) DEFINE A AS A.v < 500000, "
            "B AS B.v >= 500000)",
            ("k", "v", "ts"),
            rows=EXPENSIVE_ROWS,
            expect_ops=("match_recognize",),
        ),
    ]


# Key sweep: runs long enough that the state holds most keys before and after the slope
# (1 - e^(-rows/keys) of them), so the figure is the cost at that state size, not of new keys.
KEY_SWEEP_ROWS = {1_000: (60_000, 300_000), 100_000: (100_000, 300_000)}
# 10^6 keys: 78% then 92% of the keys held; its memtable also holds more writes (see above).
KEY_SWEEP_ROWS[1_000_000] = (1_500_000, 2_500_000)
# 10^7 keys needs millions of rows a run (minutes each): outside the 20-minute plan, in the
# "keys-1e7" set (run.py --set keys-1e7), recorded with the sweep.
BIG_KEYS = 10_000_000
BIG_KEY_ROWS = (5_000_000, 10_000_000)  # 39% then 63% of the keys held


def sweep_cases() -> list[Case]:
    """What changes the cost, in order of value: bytes in state and key count for GROUP BY,
    the number of aggregates, skew, rows out per input (join), bytes through a projection and
    in a join's state, keys of a deduplication."""
    by = {c.name: c for c in reference_cases()}
    out: list[Case] = []
    # Bytes held in state: the payload kept per key (group) and per row (join).
    payload_group = by["group_by"].with_(
        sql="SELECT k, COUNT(*) AS c, LAST_VALUE(s) AS ls FROM a GROUP BY k",
        columns=("k", "s"),
    )
    for size in (100, 400, 1000, 4000):
        out.append(payload_group.with_(message_bytes=size, variant=f"{size} B in state"))
    for keys, (small, large) in KEY_SWEEP_ROWS.items():
        out.append(
            by["group_by"].with_(
                keys=keys, rows=large, small_rows=small, variant=f"{keys:.0e} keys"
            )
        )
    out.append(
        by["group_by"].with_(
            sql="SELECT k, COUNT(*) AS c, SUM(v) AS sv, MIN(v) AS mi, MAX(v) AS ma, "
            "AVG(x) AS ax, SUM(x) AS sx FROM a GROUP BY k",
            columns=("k", "v", "x"),
            aggregates=6,
            variant="6 aggregates",
        )
    )
    out.append(by["group_by"].with_(skew=True, variant="skewed keys (4th power)"))
    out.append(
        by["regular_join"].with_(
            keys=10_000, emits_per_input=7.5, variant="10^4 keys, ~7.5 rows out per input"
        )
    )
    payload_project = by["filter_project_cheap"].with_(
        sql="SELECT k, UPPER(s) AS u FROM a WHERE v > 10", columns=("k", "v", "s"), rows=200_000
    )
    payload_join = by["regular_join"].with_(
        sql="SELECT a.k, a.s, b.s AS bs FROM a JOIN b ON a.k = b.k", columns=("k", "s")
    )
    for size in (100, 1000, 4000):
        out.append(payload_project.with_(message_bytes=size, variant=f"{size} B UPPER"))
    for size in (100, 1000, 4000):
        out.append(payload_join.with_(message_bytes=size, variant=f"{size} B in state"))
    # A lookup join's table of 10^6 rows (the stream's keys cover it): does table size matter?
    out.append(
        by["lookup_join"].with_(
            keys=1_000_000, lookup_rows=1_000_000, variant="10^6-row in-memory table"
        )
    )
    # The same lookups through Flink's async lookup operator (ordered, capacity 100): what its
    # queue costs when every answer is ready at once (an external lookup would wait there).
    out.append(by["lookup_join"].with_(lookup_async=True, variant="async lookup function"))
    small, large = KEY_SWEEP_ROWS[1_000_000]
    out.append(
        by["deduplicate"].with_(
            keys=1_000_000, rows=large, small_rows=small, variant=f"{1_000_000:.0e} keys"
        )
    )
    return [c.with_(name=f"{c.name}@{c.variant}") for c in out]


# Run lengths (rows per source, smaller and larger run) of the "run-length" set: where the cost
# of a record on RocksDB levels off as the memtable fills, flushes and compacts.
RUN_LENGTHS = (
    (20_000, 100_000),
    (100_000, 300_000),
    (300_000, 1_000_000),
    (1_000_000, 2_000_000),
    (2_000_000, 4_000_000),
)


def run_length_cases() -> list[Case]:
    """GROUP BY (10^4 keys) and deduplication, slopes between consecutive run lengths: the
    marginal cost of a record after that many rows (outside the plan: --set run-length)."""
    by = {c.name: c for c in reference_cases()}
    out = [
        by[name].with_(rows=large, small_rows=small, variant=f"run {small:,}-{large:,} rows")
        for name in ("group_by", "deduplicate")
        for small, large in RUN_LENGTHS
    ]
    return [c.with_(name=f"{c.name}@{c.variant}") for c in out]


def big_key_cases() -> list[Case]:
    """GROUP BY at 10^7 keys (outside the plan: --set keys-1e7)."""
    small, large = BIG_KEY_ROWS
    c = next(c for c in reference_cases() if c.name == "group_by").with_(
        keys=BIG_KEYS, rows=large, small_rows=small, variant=f"{BIG_KEYS:.0e} keys"
    )
    return [c.with_(name=f"{c.name}@{c.variant}")]


def managed_memory_cases(managed_mb: int) -> list[Case]:
    """The regular join (10^6 keys) and GROUP BY at 10^6 keys with little managed memory (the
    set "managed-<MB>"): what DOMAIN.md's earlier runs used (Flink's default, 128 MB)."""
    by = {c.name: c for c in reference_cases()}
    small, large = KEY_SWEEP_ROWS[1_000_000]
    out = [
        by["regular_join"],
        by["group_by"].with_(keys=1_000_000, rows=large, small_rows=small),
    ]
    return [
        c.with_(
            name=f"{c.name}@{c.keys:.0e} keys, {managed_mb} MB managed",
            variant=f"{c.variant}; {managed_mb} MB managed memory",
        )
        for c in out
    ]


QUICK = ("filter_project_cheap", "group_by")
