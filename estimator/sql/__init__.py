"""Flink SQL: dialect, script splitting and statement classification.

- `split_script(text)`: the statements of a pasted script, with their first line numbers.
- `classify_script(text)` / `classify_statement(sql)`: what each statement costs to run, read
  from its syntax tree (see estimator.sql.classify for the rules).
- `parse(sql)`: syntax trees with the Flink dialect (estimator.sql.dialect.Flink).
- `Catalog.from_sql(scripts)`: what CREATE TABLE/VIEW statements say about tables (time
  attributes, primary keys, connectors), for `classify_statement(sql, catalog=...)`.
"""

from __future__ import annotations

from estimator.sql.catalog import Catalog
from estimator.sql.classify import classify_script, classify_statement, parse
from estimator.sql.dialect import Flink
from estimator.sql.model import CLASSIFICATION_KEYS, OPERATORS, Classification
from estimator.sql.report import render_classifications_table
from estimator.sql.split import SqlStatement, split_script

__all__ = [
    "CLASSIFICATION_KEYS",
    "OPERATORS",
    "Catalog",
    "Classification",
    "Flink",
    "SqlStatement",
    "classify_script",
    "classify_statement",
    "parse",
    "render_classifications_table",
    "split_script",
]
