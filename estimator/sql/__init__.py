"""Flink SQL: dialect, script splitting and statement classification.

Placeholder until the Flink dialect lands (issue 3): a coarse reading by statement type only.
"""

from __future__ import annotations

from estimator.sql.model import CLASSIFICATION_KEYS, OPERATORS, Classification

__all__ = ["CLASSIFICATION_KEYS", "OPERATORS", "Classification", "classify_statement"]


def classify_statement(sql: str, *, state_ttl: bool = False) -> Classification:
    head = sql.strip().split(None, 1)[0].upper() if sql.strip() else ""
    if head in {"INSERT", "EXECUTE"}:
        return Classification(statement_type="insert", kind="stateless", confidence="low")
    if head in {"SELECT", "WITH"}:
        return Classification(
            statement_type="select", kind="stateless", parallelism_cap=1, confidence="low"
        )
    if head:
        return Classification(statement_type="ddl", kind="ddl", confidence="low")
    return Classification(statement_type="unknown", kind="unknown", error="empty statement")
