"""What the classifier says about one SQL statement: the contract between sql/ and the rest."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

StatementType = Literal["ddl", "select", "insert", "ctas", "statement_set", "unknown"]
Kind = Literal["ddl", "stateless", "aggregate", "join", "unknown"]
StateGrowth = Literal["none", "bounded", "unbounded"]
# high: read from the syntax and, where it matters, the tables' DDL; guess: a decision rested on
# column names because the DDL was not given; low: read token by token, or not read at all.
Confidence = Literal["high", "guess", "low"]
Operator = Literal[
    "filter",
    "project",
    "union",
    "unnest",
    "table_function",
    "group_aggregate",
    "global_aggregate",
    "distinct",
    "window_aggregate",
    "over_aggregate",
    "deduplicate",
    "top_n",
    "window_top_n",
    "regular_join",
    "interval_join",
    "temporal_join",
    "lookup_join",
    "window_join",
    "semi_anti_join",
    "match_recognize",
]

OPERATORS: tuple[str, ...] = get_args(Operator)

# Each operator's family and whether its state grows without bound unless a state TTL is set:
# the one table the classifier's operator sets (sql/rules.py) are derived from.
OPERATOR_TABLE: dict[str, tuple[Literal["stateless", "join", "aggregate"], bool]] = {
    "filter": ("stateless", False),
    "project": ("stateless", False),
    "union": ("stateless", False),
    "unnest": ("stateless", False),
    "table_function": ("stateless", False),
    "group_aggregate": ("aggregate", True),
    "global_aggregate": ("aggregate", True),
    "distinct": ("aggregate", True),
    "window_aggregate": ("aggregate", False),
    "over_aggregate": ("aggregate", False),
    "deduplicate": ("aggregate", True),
    "top_n": ("aggregate", True),
    "window_top_n": ("aggregate", False),
    "regular_join": ("join", True),
    "interval_join": ("join", False),
    "temporal_join": ("join", False),
    "lookup_join": ("join", False),
    "window_join": ("join", False),
    "semi_anti_join": ("join", True),
    "match_recognize": ("aggregate", False),
}
if tuple(OPERATOR_TABLE) != OPERATORS:  # pragma: no cover - a new operator needs its row
    raise ImportError("estimator.sql.model: OPERATOR_TABLE must list every Operator, in order")

# The JSON keys of `cfu-estimator classify --format json`, in order: a public contract.
CLASSIFICATION_KEYS: tuple[str, ...] = (
    "index",
    "line",
    "statement_type",
    "kind",
    "operators",
    "sources",
    "sink",
    "parallelism_cap",
    "state",
    "confidence",
    "explanation",
    "error",
    "parallelism_reason",
)


SELECT_ONE_TASK = "an interactive SELECT runs as one task"


class Classification(BaseModel):
    """The classifier's reading of one statement of a script."""

    model_config = ConfigDict(frozen=True)

    index: int = 0
    line: int = 1
    statement_type: StatementType
    kind: Kind
    operators: list[Operator] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    sink: str | None = None
    parallelism_cap: int | None = None
    state: StateGrowth = "none"
    confidence: Confidence = "high"
    explanation: str = ""
    error: str | None = None
    parallelism_reason: str | None = None  # why parallelism_cap is 1, in words
