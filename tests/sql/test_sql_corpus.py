"""The classifier against a hand-labelled corpus of Flink SQL statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from estimator.sql import OPERATORS, classify_statement

CORPUS_PATH = Path(__file__).parent / "corpus.yaml"


def load_corpus() -> list[dict[str, Any]]:
    entries = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))
    return [
        {
            "ops": [],
            "sources": [],
            "sink": None,
            "cap": None,
            "state": "none",
            **entry,
        }
        for entry in entries
    ]


CORPUS = load_corpus()


def test_corpus_is_large_and_well_formed() -> None:
    assert len(CORPUS) >= 120
    ids = [entry["id"] for entry in CORPUS]
    assert len(ids) == len(set(ids)), "corpus ids must be unique"
    for entry in CORPUS:
        assert set(entry["ops"]) <= set(OPERATORS), entry["id"]
        assert entry["ops"] == sorted(entry["ops"], key=OPERATORS.index), entry["id"]


def test_corpus_covers_every_operator_and_kind() -> None:
    seen_ops = {op for entry in CORPUS for op in entry["ops"]}
    assert seen_ops == set(OPERATORS)
    assert {entry["kind"] for entry in CORPUS} == {"ddl", "stateless", "aggregate", "join"}
    assert {entry["type"] for entry in CORPUS} == {
        "ddl",
        "select",
        "insert",
        "ctas",
        "statement_set",
    }


@pytest.mark.parametrize("entry", CORPUS, ids=[entry["id"] for entry in CORPUS])
def test_corpus_statement(entry: dict[str, Any]) -> None:
    result = classify_statement(entry["sql"])
    got = {
        "type": result.statement_type,
        "kind": result.kind,
        "ops": list(result.operators),
        "sources": result.sources,
        "sink": result.sink,
        "cap": result.parallelism_cap,
        "state": result.state,
    }
    want = {key: entry[key] for key in got}
    assert got == want
    assert result.confidence in {"high", "guess"}, result.error
    assert result.error is None
    assert result.explanation.endswith(".")
