"""The parse cache of classify_statement: same answers warm as cold, bounded, never stale."""

from __future__ import annotations

import pytest

from estimator.sql import Catalog, classify_statement
from estimator.sql.classify import _PARSE_CACHE, _ParseCache, clear_parse_cache

DEDUP = (
    "SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts) AS rn FROM orders) "
    "WHERE rn = 1"
)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    clear_parse_cache()


def test_a_cached_read_gives_the_cold_answer() -> None:
    cold = classify_statement(DEDUP)
    assert _PARSE_CACHE.get(DEDUP) is not None
    assert classify_statement(DEDUP) == cold


def test_the_catalog_and_state_ttl_still_decide_on_a_cache_hit() -> None:
    guessed = classify_statement(DEDUP)
    assert guessed.operators == ["deduplicate"] and guessed.confidence == "guess"
    catalog = Catalog.from_sql(["CREATE TABLE orders (id INT, ts TIMESTAMP(3))"])
    # ts has no WATERMARK in this catalog: ordered by a plain column, Flink runs a Top-N
    assert classify_statement(DEDUP, catalog=catalog).operators == ["top_n"]
    assert classify_statement(DEDUP, state_ttl=True).state == "bounded"
    assert classify_statement(DEDUP).state == "unbounded"


def test_unreadable_sql_is_cached_with_its_error() -> None:
    first = classify_statement("SELECT a FROM WHERE")
    assert first.error and first.confidence == "low"
    assert classify_statement("SELECT a FROM WHERE") == first


def test_the_cache_is_bounded_by_entries_and_characters() -> None:
    cache = _ParseCache()
    cache.MAX_ENTRIES = 3
    cache.MAX_CHARS = 100
    cache.MAX_TEXT = 60
    for i in range(5):
        classify_statement(f"SELECT {i} FROM t")
    piece, read = _PARSE_CACHE.get("SELECT 4 FROM t") or (None, None)
    assert piece is not None and read is not None
    for i in range(5):
        cache.put(f"SELECT {i} FROM t", piece, read)
    kept = [i for i in range(5) if cache.get(f"SELECT {i} FROM t") is not None]
    assert kept == [2, 3, 4]  # the oldest two went first
    cache.put("x" * 61, piece, read)  # longer than MAX_TEXT: never kept
    assert cache.get("x" * 61) is None
    cache.put("y" * 50, piece, read)
    cache.put("z" * 50, piece, read)  # over 100 characters held: the oldest go until it fits
    assert cache.get("y" * 50) is not None and cache.get("z" * 50) is not None
    assert cache.get("SELECT 4 FROM t") is None
