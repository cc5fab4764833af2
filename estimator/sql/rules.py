"""The rules: each reads the buckets of one statement's tree and names the operators it sees.

Rules, in Flink's terms (what a solution architect would say):
- filter: a WHERE/HAVING predicate that is not a join condition, a Top-N/deduplication rank
  condition or an IN/EXISTS subquery; project: a SELECT list with an item other than `*` or a
  ranking column; union: UNION [ALL]; unnest: UNNEST; table_function: LATERAL TABLE / TABLE(f),
  model functions (ML_PREDICT, ...) and process table functions.
- group_aggregate: GROUP BY without window_start and window_end among the keys, or a correlated
  scalar subquery with an aggregate (Flink groups it by the correlation key and joins);
  window_aggregate: GROUP BY window_start, window_end over a window table function, or a legacy
  GROUP BY TUMBLE(...); global_aggregate: an aggregate call without GROUP BY; distinct:
  SELECT DISTINCT or UNION without ALL.
- over_aggregate: an OVER window that is not a filtered ranking; deduplicate: ROW_NUMBER() kept
  at rank 1 when ordered by a time attribute; top_n: other filtered ROW_NUMBER/RANK/DENSE_RANK,
  and ORDER BY ... LIMIT n on a stream; window_top_n: a ranking partitioned by window_start and
  window_end.
- temporal_join: FOR SYSTEM_TIME AS OF an event-time attribute, or a legacy temporal table
  function `LATERAL TABLE(rates(o.rowtime))`; lookup_join: AS OF a processing-time attribute;
  window_join: equal window_start and window_end on both sides; interval_join: lower and upper
  time bounds between time attributes of both sides (in ON or, for inner joins, in WHERE);
  regular_join: any other join, a correlated LATERAL subquery or scalar subquery;
  semi_anti_join: IN/EXISTS subqueries, INTERSECT, EXCEPT.
- A single task (parallelism 1): a global aggregation, a window aggregation grouped by the
  window only, an OVER or a Top-N without PARTITION BY, MATCH_RECOGNIZE without PARTITION BY.

Whether a column is a time attribute comes from the catalog (watermarks, PROCTIME()) when the
statement's tables are in it; otherwise from the column's name, recorded as a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlglot import exp

from estimator.sql.catalog import Catalog, TableFacts, TimeKind, TimeVerdict
from estimator.sql.dialect import ModelArgument, WindowTVF
from estimator.sql.model import OPERATOR_TABLE, OPERATORS, Kind, Operator, StateGrowth
from estimator.sql.nodes import (
    DIALECT,
    Nodes,
    collect_nodes,
    column_names,
    conjuncts,
    has_window_bounds,
    interval_text,
    is_correlated,
    own_qualifiers,
    qualifiers,
    sink_table,
    table_name,
)

JOIN_OPS: frozenset[str] = frozenset(k for k, (f, _) in OPERATOR_TABLE.items() if f == "join")
AGGREGATE_OPS: frozenset[str] = frozenset(
    k for k, (f, _) in OPERATOR_TABLE.items() if f == "aggregate"
)
UNBOUNDED_OPS: frozenset[str] = frozenset(k for k, (_, grows) in OPERATOR_TABLE.items() if grows)
STATEFUL_OPS: frozenset[str] = JOIN_OPS | AGGREGATE_OPS
_OPERATOR_ORDER: dict[str, int] = {name: i for i, name in enumerate(OPERATORS)}

# Built-in table functions that take a table, a model or a search index: stateless per row
# (remote calls), never a temporal table function.
# Search functions look rows up in an external table per input row, like a lookup join
# (Flink's VECTOR_SEARCH docs; Confluent's search functions).
SEARCH_FUNCTIONS: frozenset[str] = frozenset(
    {"VECTOR_SEARCH", "VECTOR_SEARCH_AGG", "KEY_SEARCH_AGG", "TEXT_SEARCH_AGG"}
    | {"FEDERATED_SEARCH"}
)
# LATERAL SNAPSHOT(input => TABLE t, on_time => DESCRIPTOR(ts)): a stream enrichment join
# against the current state of an updating table (Flink's joins docs).
SNAPSHOT_FUNCTIONS: frozenset[str] = frozenset({"SNAPSHOT"})
MODEL_FUNCTIONS: frozenset[str] = (
    SEARCH_FUNCTIONS
    | SNAPSHOT_FUNCTIONS
    | frozenset(
        {"ML_PREDICT", "ML_EVALUATE", "AI_COMPLETE", "AI_EMBEDDING", "AI_TOOL_INVOKE"}
        | {"AI_RUN_AGENT", "AI_DETECT_PII", "AI_SENTIMENT", "AI_FORECAST", "AI_DETECT_ANOMALIES"}
    )
)
_RANK_FUNCTIONS = (exp.RowNumber, exp.Rank, exp.DenseRank)


@dataclass
class Facts:
    """What the rules found: the operators, and what the explanation needs to say why."""

    operators: set[str] = field(default_factory=set)
    group_keys: list[str] = field(default_factory=list)
    window_kind: str = ""
    window_size: str = ""
    interval_bound: str = ""
    rank_limit: int | None = None
    within: str = ""
    ttl_hint: bool = False
    single_task: str = ""  # why the statement runs as a single task ('' when it does not)
    basis: list[str] = field(default_factory=list)  # facts from the DDL that decided
    guesses: list[str] = field(default_factory=list)  # decisions read from column names

    def note(self, verdict: TimeVerdict) -> None:
        if not verdict.fact:
            return
        target = self.guesses if verdict.guessed else self.basis
        if verdict.fact not in target:
            target.append(verdict.fact)

    def cap(self, reason: str) -> None:
        self.single_task = self.single_task or reason


# --- Time attributes: facts from the catalog, names as the fallback ---------------------------


def looks_like_time(name: str) -> bool:
    name = name.lower()
    return (
        name in {"ts", "$rowtime", "rowtime", "proctime", "row_time", "event_ts"}
        or name.endswith(("time", "_ts", "timestamp", "_ltz"))
        or name.startswith("ts_")
    )


class Scope:
    """The tables one statement reads, by qualifier, for deciding what its columns are."""

    def __init__(self, nodes: Nodes, catalog: Catalog | None) -> None:
        self.by_qualifier: dict[str, TableFacts] = {}
        self.read: list[TableFacts] = []
        if not catalog:
            return
        for table in nodes.tables:
            if not isinstance(table.this, exp.Identifier):
                continue
            found = catalog.get(table_name(table))
            if found is None:
                continue
            self.by_qualifier[table.name.lower()] = found
            if table.alias:
                self.by_qualifier[table.alias.lower()] = found
            if found not in self.read:
                self.read.append(found)

    def time_of(self, node: exp.Expr | None) -> TimeVerdict:
        """Whether `node` is a time attribute: from the DDL when known, else from its name."""
        if isinstance(node, exp.Ordered):
            node = node.this
        if isinstance(node, exp.Anonymous) and node.name.upper() == "PROCTIME":
            return TimeVerdict("proctime", "PROCTIME() is a processing-time attribute", False)
        if not isinstance(node, exp.Column):
            text = node.sql(dialect=DIALECT)[:60] if node is not None else "?"
            return TimeVerdict(None, f"{text} is computed, not a time attribute", False)
        name = node.name
        if name.lower() == "$rowtime":
            return TimeVerdict("rowtime", "$rowtime is the event-time system column", False)
        qualifier = node.table.lower()
        candidates = (
            [self.by_qualifier[qualifier]]
            if qualifier in self.by_qualifier
            else ([] if qualifier else self.read)
        )
        known_not_time: TableFacts | None = None
        for facts in candidates:
            kind = facts.time_kind(name)
            if kind == "rowtime":
                return TimeVerdict(kind, f"{facts.name}.{name} has a WATERMARK", False)
            if kind == "proctime":
                return TimeVerdict(kind, f"{facts.name}.{name} is AS PROCTIME()", False)
            if name.lower() in facts.columns and known_not_time is None:
                known_not_time = facts
        if known_not_time is not None:
            return TimeVerdict(
                None,
                f"{known_not_time.name}.{name} has no WATERMARK and is not PROCTIME()",
                False,
            )
        return _guess_time(name)


def _guess_time(name: str) -> TimeVerdict:
    if "proc" in name.lower():
        return TimeVerdict("proctime", f"{name} is named like a processing time", True)
    if looks_like_time(name):
        return TimeVerdict("rowtime", f"{name} is named like a time attribute", True)
    return TimeVerdict(None, f"{name} is not named like a time attribute", True)


# --- Rankings: deduplication, Top-N, window Top-N and OVER -----------------------------------


def rank_conditions(selects: list[exp.Select]) -> dict[str, tuple[type, int]]:
    """Column name -> (comparison, number) for `rn = 1`, `rn <= 3`, `rn < 4` in a WHERE."""
    found: dict[str, tuple[type, int]] = {}
    for select in selects:
        where = conjuncts(select.args.get("where")) + conjuncts(select.args.get("qualify"))
        for conj in where:
            if (
                isinstance(conj, exp.EQ | exp.LT | exp.LTE)
                and isinstance(conj.this, exp.Column)
                and isinstance(conj.expression, exp.Literal)
                and conj.expression.is_int
            ):
                found[conj.this.name.lower()] = (type(conj), int(conj.expression.name))
    return found


def ranked_windows(nodes: Nodes, ranks: dict[str, tuple[type, int]]) -> dict[int, str]:
    """id(window) -> its ranking column, for ROW_NUMBER/RANK windows filtered by rank."""
    ranked: dict[int, str] = {}
    for window in nodes.windows:
        if not isinstance(window.this, _RANK_FUNCTIONS):
            continue
        parent = window.parent
        if isinstance(parent, exp.Alias) and parent.alias.lower() in ranks:
            ranked[id(window)] = parent.alias.lower()
    return ranked


def _named_windows(nodes: Nodes) -> dict[str, exp.Window]:
    """WINDOW w AS (...) definitions by name."""
    return {
        w.this.name.lower(): w
        for w in nodes.windows
        if isinstance(w.this, exp.Identifier) and w.this.name
    }


def rule_rankings(
    nodes: Nodes, facts: Facts, ranks: dict[str, tuple[type, int]], scope: Scope
) -> None:
    """Deduplication, Top-N, window Top-N and OVER aggregations."""
    ranked = ranked_windows(nodes, ranks)
    named = _named_windows(nodes)
    for window in nodes.windows:
        if not isinstance(window.this, exp.Func):
            continue  # a named window definition (WINDOW w AS (...))
        spec = window
        if not window.args.get("partition_by") and not window.args.get("order"):
            alias = window.args.get("alias")
            spec = named.get(alias.name.lower(), window) if alias is not None else window
        partition = column_names(spec.args.get("partition_by") or [])
        has_partition = bool(spec.args.get("partition_by"))
        column = ranked.get(id(window))
        if column is None:
            facts.operators.add("over_aggregate")
            if not has_partition:
                facts.cap("an OVER window without PARTITION BY runs as one task")
            continue
        comparison, number = ranks[column]
        limit = number - 1 if comparison is exp.LT else number
        facts.rank_limit = limit
        order = (spec.args.get("order") or exp.Order()).expressions
        if has_window_bounds(partition):
            facts.operators.add("window_top_n")
        elif isinstance(window.this, exp.RowNumber) and limit == 1 and len(order) == 1:
            verdict = scope.time_of(order[0])
            facts.note(verdict)
            facts.operators.add("deduplicate" if verdict.kind else "top_n")
        else:
            facts.operators.add("top_n")
        if not has_partition and not has_window_bounds(partition):
            facts.cap("a ranking without PARTITION BY runs as one task")
        facts.group_keys = sorted(partition)


def _limit_of(select: exp.Expr) -> int | None:
    limit = select.args.get("limit")
    if isinstance(limit, exp.Limit):
        value = limit.expression
    elif isinstance(limit, exp.Fetch):
        value = limit.args.get("count") or exp.Literal.number(1)
    else:
        return None
    return int(value.name) if isinstance(value, exp.Literal) and value.is_int else None


def rule_sort_limit(nodes: Nodes, facts: Facts, correlated_laterals: set[int]) -> None:
    """ORDER BY ... LIMIT n on a stream keeps the top n rows: a Top-N (a Rank operator)."""
    for query in [*nodes.selects, *nodes.set_ops]:
        if query.args.get("order") is None:
            continue
        limit = _limit_of(query)
        if limit is None:
            continue
        facts.operators.add("top_n")
        facts.rank_limit = facts.rank_limit or limit
        if id(query) not in correlated_laterals:
            facts.cap("ORDER BY ... LIMIT without a partition runs as one task")


# --- Aggregations ---------------------------------------------------------------------------


def aggregating_selects(nodes: Nodes) -> set[int]:
    """ids of the SELECTs that hold an aggregate call outside an OVER window."""
    found: set[int] = set()
    for agg in nodes.aggregates:
        node = agg.parent
        while node is not None:
            if isinstance(node, exp.Window | exp.MatchRecognize):
                break  # an OVER aggregate, or a MATCH_RECOGNIZE measure
            if isinstance(node, exp.Select):
                found.add(id(node))
                break
            node = node.parent
    return found


def rule_aggregations(
    nodes: Nodes, facts: Facts, aggregating: set[int], keyed_by_correlation: set[int]
) -> None:
    """GROUP BY (windowed or not), global aggregation and SELECT DISTINCT."""
    for select in nodes.selects:
        group = select.args.get("group")
        if select.args.get("distinct"):
            facts.operators.add("distinct")
        if group is not None:
            keys = group.expressions
            names = column_names(keys)
            legacy = any(isinstance(k, WindowTVF) for k in keys)
            if has_window_bounds(names) or legacy:
                facts.operators.add("window_aggregate")
                others = [
                    k
                    for k in keys
                    if not isinstance(k, WindowTVF)
                    and not (
                        isinstance(k, exp.Column)
                        and k.name.lower() in {"window_start", "window_end", "window_time"}
                    )
                ]
                if not others:
                    facts.cap("a window aggregation grouped by the window only runs as one task")
            else:
                facts.operators.add("group_aggregate")
            facts.group_keys = sorted(names - {"window_start", "window_end", "window_time"})
        elif id(select) in keyed_by_correlation:
            facts.operators.add("group_aggregate")
        elif id(select) in aggregating:
            facts.operators.add("global_aggregate")
            facts.cap("an aggregation without GROUP BY runs as one task")


def rule_window_tvfs(nodes: Nodes, facts: Facts) -> None:
    """Remember the window kind and size, for the explanation."""
    for tvf in nodes.window_tvfs:
        args = tvf.expressions
        named = {a.this.name.upper(): a.expression for a in args if isinstance(a, exp.Kwarg)}
        intervals = [a for a in args if isinstance(a, exp.Interval)]
        kind = tvf.name.upper()
        size = named.get("SIZE") or named.get("GAP")
        if size is None and intervals:
            size = intervals[-1] if kind in {"HOP", "CUMULATE"} else intervals[0]
        facts.window_kind = {
            "TUMBLE": "tumbling",
            "HOP": "hopping",
            "CUMULATE": "cumulating",
            "SESSION": "session",
        }.get(kind, kind.lower())
        facts.window_size = interval_text(size)


# --- Subqueries that Flink turns into joins -------------------------------------------------


def _is_scalar_subquery(sub: exp.Subquery) -> bool:
    parent = sub.parent
    return isinstance(sub.this, exp.Select) and not isinstance(
        parent,
        exp.From
        | exp.Join
        | exp.Lateral
        | exp.In
        | exp.Exists
        | exp.CTE
        | exp.SetOperation
        | exp.Insert
        | exp.Create
        | exp.Subquery
        | exp.Table,
    )


def rule_scalar_subqueries(nodes: Nodes, facts: Facts, aggregating: set[int]) -> set[int]:
    """A scalar subquery runs as a join; one with an aggregate and a correlation is grouped by
    the correlation key (a GROUP BY), not aggregated globally. Returns the ids of those SELECTs.
    """
    keyed: set[int] = set()
    for sub in nodes.subqueries:
        if not _is_scalar_subquery(sub):
            continue
        select = sub.this
        correlated = is_correlated(select)
        if id(select) in aggregating and select.args.get("group") is None:
            facts.operators.add("regular_join")
            if correlated:
                keyed.add(id(select))
        elif correlated:
            facts.operators.add("regular_join")
    return keyed


def correlated_lateral_selects(nodes: Nodes) -> set[int]:
    """ids of the SELECTs of LATERAL (SELECT ...) subqueries that name the outer query."""
    found: set[int] = set()
    for lateral in nodes.laterals:
        sub = lateral.this
        if (
            isinstance(sub, exp.Subquery)
            and isinstance(sub.this, exp.Select)
            and is_correlated(sub.this)
        ):
            found.add(id(sub.this))
    return found


# --- Joins ----------------------------------------------------------------------------------


def join_conditions(join: exp.Join) -> list[exp.Expr]:
    """The join's ON conjuncts, plus the enclosing WHERE's for an inner or comma join (Flink
    pushes those into the join condition)."""
    found = conjuncts(join.args.get("on"))
    select = join.parent
    side = str(join.args.get("side") or "").upper()
    kind = str(join.args.get("kind") or "").upper()
    if isinstance(select, exp.Select) and not side and kind in {"", "INNER", "CROSS"}:
        found += conjuncts(select.args.get("where"))
    return found


def _is_window_join(conditions: list[exp.Expr]) -> bool:
    equal_names: set[str] = set()
    for conj in conditions:
        if (
            isinstance(conj, exp.EQ)
            and isinstance(conj.this, exp.Column)
            and isinstance(conj.expression, exp.Column)
            and conj.this.name == conj.expression.name
        ):
            equal_names.add(conj.this.name.lower())
    return has_window_bounds(equal_names)


def _time_base(node: exp.Expr) -> tuple[exp.Expr, exp.Interval | None]:
    """`o.ts` and its interval for `o.ts - INTERVAL '1' HOUR` (the expression itself if not)."""
    interval: exp.Interval | None = None
    while True:
        if isinstance(node, exp.Paren):
            node = node.this
        elif isinstance(node, exp.Add | exp.Sub) and isinstance(node.expression, exp.Interval):
            interval = interval or node.expression
            node = node.this
        elif isinstance(node, exp.Add) and isinstance(node.this, exp.Interval):
            interval = interval or node.this
            node = node.expression
        else:
            return node, interval


@dataclass
class _Bounds:
    count: int = 0
    interval: exp.Interval | None = None
    computed: str = ""  # a bound between computed expressions: the fact that says so
    verdicts: list[TimeVerdict] = field(default_factory=list)


def _bound_operands(conj: exp.Expr) -> tuple[list[exp.Expr], int] | None:
    if isinstance(conj, exp.Between):
        return [conj.this, conj.args["low"], conj.args["high"]], 2
    if isinstance(conj, exp.GT | exp.GTE | exp.LT | exp.LTE):
        return [conj.this, conj.expression], 1
    return None


def time_bounds(conditions: list[exp.Expr], scope: Scope) -> _Bounds:
    """The time bounds among a join's conditions: comparisons between time attributes of two
    sides, each maybe shifted by an INTERVAL."""
    bounds = _Bounds()
    for conj in conditions:
        found = _bound_operands(conj)
        if found is None:
            continue
        operands, weight = found
        bases = [_time_base(op) for op in operands]
        interval = next((iv for _, iv in bases if iv is not None), None)
        columns = [b for b, _ in bases if isinstance(b, exp.Column)]
        sides = {c.table.lower() for c in columns} | {
            c.name.lower() for c in columns if not c.table
        }
        if len(columns) != len(bases):
            if interval is not None and len(qualifiers(conj)) >= 2:
                computed = next(b for b, _ in bases if not isinstance(b, exp.Column))
                bounds.computed = bounds.computed or (
                    f"the time bound compares {computed.sql(dialect=DIALECT)[:60]}, "
                    "which is computed, not a time attribute"
                )
            continue
        if len(sides) < 2:
            continue
        verdicts = [scope.time_of(c) for c in columns]
        not_time = next((v for v in verdicts if v.kind is None and not v.guessed), None)
        if not_time is not None:
            bounds.computed = bounds.computed or not_time.fact
            continue
        if interval is None and any(v.kind is None for v in verdicts):
            continue  # two columns compared without an interval, not known to be times
        bounds.count += weight
        bounds.interval = bounds.interval or interval
        bounds.verdicts += [v for v in verdicts if v.kind is not None]
    return bounds


def _version_verdict(target: exp.Table, scope: Scope) -> tuple[TimeKind, TimeVerdict]:
    version = target.args["version"]
    verdict = scope.time_of(version.expression)
    if verdict.kind is not None:
        return verdict.kind, verdict
    return "rowtime", verdict


def rule_joins(nodes: Nodes, facts: Facts, scope: Scope) -> None:
    """Name each join by how Flink runs it."""
    for join in nodes.joins:
        target = join.this
        if isinstance(target, exp.Unnest):
            continue  # a stateless row expansion
        if isinstance(target, exp.Lateral):
            sub = target.this
            if isinstance(sub, exp.Subquery):
                if isinstance(sub.this, exp.Select) and is_correlated(sub.this):
                    facts.operators.add("regular_join")
                continue
            verdict = temporal_function_verdict(target, scope)
            if verdict is not None:
                facts.note(verdict)
                facts.operators.add("temporal_join")
            continue
        if isinstance(target, exp.Table) and not isinstance(target.this, exp.Identifier):
            continue  # FROM TABLE(f(...)): a table function
        if isinstance(target, exp.Table) and target.args.get("version") is not None:
            kind, verdict = _version_verdict(target, scope)
            facts.note(verdict)
            versioned = scope.by_qualifier.get(target.name.lower())
            if versioned is not None and versioned.lookup and kind == "proctime":
                facts.basis.append(f"{versioned.name} uses the {versioned.connector} connector")
            facts.operators.add("lookup_join" if kind == "proctime" else "temporal_join")
            continue
        conditions = join_conditions(join)
        if _is_window_join(conditions):
            facts.operators.add("window_join")
            continue
        bounds = time_bounds(conditions, scope)
        if bounds.count >= 2:
            facts.operators.add("interval_join")
            facts.interval_bound = facts.interval_bound or interval_text(bounds.interval)
            for verdict in bounds.verdicts:
                facts.note(verdict)
            continue
        if bounds.computed:
            facts.basis.append(bounds.computed + ": Flink runs a regular join")
        facts.operators.add("regular_join")


def _lateral_function(lateral: exp.Lateral) -> exp.Expr | None:
    func = lateral.this
    if isinstance(func, exp.Anonymous) and func.name.upper() == "TABLE" and func.expressions:
        func = func.expressions[0]
    return func if isinstance(func, exp.Func) else None


def temporal_function_verdict(lateral: exp.Lateral, scope: Scope) -> TimeVerdict | None:
    """The verdict on a legacy temporal table function join `LATERAL TABLE(rates(o.rowtime))`:
    a table function whose only argument is a time attribute; None for any other function."""
    func = _lateral_function(lateral)
    if not isinstance(func, exp.Anonymous) or func.name.upper() in MODEL_FUNCTIONS:
        return None
    args = func.expressions
    if len(args) != 1 or not isinstance(args[0], exp.Column):
        return None
    verdict = scope.time_of(args[0])
    return verdict if verdict.kind is not None else None


def rule_subquery_joins(nodes: Nodes, facts: Facts) -> None:
    """IN / EXISTS subqueries, INTERSECT and EXCEPT run as semi or anti joins."""
    for pred in nodes.subquery_predicates:
        query = pred.this if isinstance(pred, exp.Exists) else pred.args.get("query")
        if query is None:
            continue  # IN (1, 2, 3): a filter
        select = query.this if isinstance(query, exp.Subquery) else query
        where = conjuncts(select.args.get("where")) if isinstance(select, exp.Select) else []
        # equal window_start and window_end on both sides: a window semi / anti join
        facts.operators.add("window_join" if _is_window_join(where) else "semi_anti_join")
    for set_op in nodes.set_ops:
        if isinstance(set_op, exp.Union):
            facts.operators.add("union")
            if set_op.args.get("distinct"):
                facts.operators.add("distinct")
        else:
            facts.operators.add("semi_anti_join")


# --- Row expansion, patterns, filters and projections ----------------------------------------


def _function_name(func: exp.Expr) -> str:
    if isinstance(func, exp.Anonymous):
        return func.name.upper()
    return func.sql_name().upper() if isinstance(func, exp.Func) else ""


def _row_function(node: exp.Expr) -> exp.Expr | None:
    """The function of `LATERAL TABLE(f(...))`, `LATERAL f(...)`, `FROM TABLE(f(...))` or
    `FROM f(...)`; None for a window table function or anything else."""
    func = node.this
    if isinstance(func, exp.Anonymous) and func.name.upper() == "TABLE" and func.expressions:
        func = func.expressions[0]
    if isinstance(func, WindowTVF) or not isinstance(func, exp.Func):
        return None
    return func


def rule_row_expansion(nodes: Nodes, facts: Facts, scope: Scope) -> None:
    """UNNEST, table functions (LATERAL TABLE, FROM TABLE(f(...))), model and process table
    functions (ML_PREDICT(TABLE t, MODEL m, ...), f(TABLE t PARTITION BY k)); the search
    functions (VECTOR_SEARCH, KEY_SEARCH_AGG, ...) look rows up in an external table."""
    if nodes.unnests:
        facts.operators.add("unnest")
    calls: list[exp.Expr] = []
    for lateral in nodes.laterals:
        if isinstance(lateral.this, exp.Subquery):
            continue
        if temporal_function_verdict(lateral, scope) is None:
            calls.append(lateral)
    calls += [t for t in nodes.tables if not isinstance(t.this, exp.Identifier)]
    for call in calls:
        func = _row_function(call)
        if func is None:
            continue
        name = _function_name(func)
        if name in SNAPSHOT_FUNCTIONS:
            facts.operators.add("temporal_join")
        elif name in SEARCH_FUNCTIONS:
            facts.operators.add("lookup_join")
            fact = f"{name} looks rows up in an external table"
            if fact not in facts.basis:
                facts.basis.append(fact)
        else:
            facts.operators.add("table_function")


def rule_match_recognize(nodes: Nodes, facts: Facts) -> None:
    for match in nodes.match_recognizes:
        facts.operators.add("match_recognize")
        facts.within = interval_text(match.args.get("within"))
        if not match.args.get("partition_by"):
            facts.cap("MATCH_RECOGNIZE without PARTITION BY runs as one task")


def _is_rank_condition(conj: exp.Expr, rank_columns: set[str]) -> bool:
    return isinstance(conj.this, exp.Column) and conj.this.name.lower() in rank_columns


def _is_subquery_predicate(conj: exp.Expr) -> bool:
    if isinstance(conj, exp.Not):
        conj = conj.this
    return isinstance(conj, exp.Exists) or (
        isinstance(conj, exp.In) and conj.args.get("query") is not None
    )


def _join_condition_in_where(select: exp.Select, conj: exp.Expr) -> bool:
    """A WHERE conjunct that relates two relations of an inner or comma join: columns of two
    qualifiers, or an equality between two unqualified columns (`r_currency = o_currency`)."""
    joins = select.args.get("joins") or []
    inner = any(
        not j.args.get("side")
        and str(j.args.get("kind") or "").upper() in {"", "INNER", "CROSS"}
        and not isinstance(j.this, exp.Unnest)
        for j in joins
    )
    if not inner:
        return False
    if len(qualifiers(conj)) >= 2:
        return True
    return (
        isinstance(conj, exp.EQ)
        and isinstance(conj.this, exp.Column)
        and isinstance(conj.expression, exp.Column)
        and conj.this.name.lower() != conj.expression.name.lower()
    )


def rule_filter_project(nodes: Nodes, facts: Facts, rank_columns: set[str]) -> None:
    """WHERE/HAVING predicates that filter rows; SELECT lists that compute or pick columns."""
    for select in nodes.selects:
        parent = select.parent
        correlated = isinstance(parent, exp.Exists | exp.In | exp.Subquery) and (
            isinstance(parent, exp.Exists | exp.In)
            or isinstance(parent.parent, exp.Exists | exp.In | exp.Lateral)
            or _is_scalar_subquery(parent)
        )
        own = own_qualifiers(select) if correlated else set()
        for conj in conjuncts(select.args.get("where")):
            if _is_rank_condition(conj, rank_columns) or _is_subquery_predicate(conj):
                continue
            if _join_condition_in_where(select, conj):
                continue  # the condition of a join written in WHERE
            if correlated and qualifiers(conj) - own:
                continue  # the correlation of a subquery with the outer query
            facts.operators.add("filter")
            break
        if select.args.get("having") is not None:
            facts.operators.add("filter")
        qualify = conjuncts(select.args.get("qualify"))
        if any(not _is_rank_condition(conj, rank_columns) for conj in qualify):
            facts.operators.add("filter")
        for item in select.expressions:
            if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and item.is_star):
                continue
            inner = item.this if isinstance(item, exp.Alias) else None
            if (
                isinstance(inner, exp.Window)
                and isinstance(inner.this, _RANK_FUNCTIONS)
                and item.alias.lower() in rank_columns
            ):
                continue
            facts.operators.add("project")
            break


def rule_state_ttl_hint(nodes: Nodes, facts: Facts) -> None:
    for hint in nodes.hints:
        for item in hint.expressions:
            if isinstance(item, exp.Func) and item.name.upper() == "STATE_TTL":
                facts.ttl_hint = True


# --- Putting the rules together -------------------------------------------------------------


# Views inside views are read this deep at most (a view cannot name itself, but a catalog
# built from a careless script could hold a cycle).
MAX_VIEW_DEPTH = 4


def rule_views(nodes: Nodes, facts: Facts, catalog: Catalog | None, depth: int) -> None:
    """A view runs inside the statement that reads it: its operators join the statement's."""
    if not catalog or depth >= MAX_VIEW_DEPTH:
        return
    seen: set[str] = set()
    for table in nodes.tables:
        if not isinstance(table.this, exp.Identifier):
            continue
        view = catalog.get(table_name(table))
        if view is None or view.query is None or view.name.lower() in seen:
            continue
        seen.add(view.name.lower())
        inner, _ = analyse_query(view.query, catalog, depth + 1)
        facts.operators |= inner.operators
        facts.cap(inner.single_task)
        facts.basis += [b for b in inner.basis if b not in facts.basis]
        facts.guesses += [g for g in inner.guesses if g not in facts.guesses]
        fact = f"{view.name} is a view: its query runs inside this statement"
        if inner.operators - {"project"} and fact not in facts.basis:
            facts.basis.insert(0, fact)


def analyse_query(
    tree: exp.Expr, catalog: Catalog | None = None, depth: int = 0
) -> tuple[Facts, Nodes]:
    """Run every rule over one statement's tree (and the views it reads)."""
    nodes = collect_nodes(tree)
    facts = Facts()
    scope = Scope(nodes, catalog)
    ranks = rank_conditions(nodes.selects)
    rank_columns = set(ranked_windows(nodes, ranks).values())
    aggregating = aggregating_selects(nodes)
    laterals = correlated_lateral_selects(nodes)
    keyed = rule_scalar_subqueries(nodes, facts, aggregating)
    rule_rankings(nodes, facts, ranks, scope)
    rule_sort_limit(nodes, facts, laterals)
    rule_aggregations(nodes, facts, aggregating, keyed)
    rule_window_tvfs(nodes, facts)
    rule_joins(nodes, facts, scope)
    rule_subquery_joins(nodes, facts)
    rule_row_expansion(nodes, facts, scope)
    rule_match_recognize(nodes, facts)
    rule_filter_project(nodes, facts, rank_columns)
    rule_state_ttl_hint(nodes, facts)
    rule_views(nodes, facts, catalog, depth)
    return facts, nodes


def sources_and_sinks(nodes: Nodes, target: exp.Table | None = None) -> tuple[list[str], list[str]]:
    """Tables read (CTE names resolved away) and tables written, in order of appearance."""
    sink_tables = [sink_table(insert.this) for insert in nodes.inserts]
    if target is not None:
        sink_tables.append(target)
    sink_ids = {id(t) for t in sink_tables if t is not None}
    cte_names = {cte.alias.lower() for cte in nodes.ctes}
    sources: list[str] = []
    for table in nodes.tables:
        if id(table) in sink_ids or not isinstance(table.this, exp.Identifier):
            continue
        if isinstance(table.parent, ModelArgument):
            continue  # MODEL m of ML_PREDICT: a model, not a table
        name = table_name(table)
        if not table.args.get("db") and name.lower() in cte_names:
            continue
        if name not in sources:
            sources.append(name)
    sinks: list[str] = []
    for sink in sink_tables:
        if sink is not None and table_name(sink) not in sinks:
            sinks.append(table_name(sink))
    return sources, sinks


def kind_of(operators: Iterable[str]) -> Kind:
    ops = set(operators)
    if ops & JOIN_OPS:
        return "join"
    if ops & AGGREGATE_OPS:
        return "aggregate"
    return "stateless"


def state_of(operators: Iterable[str], ttl: bool) -> StateGrowth:
    ops = set(operators)
    if ops & UNBOUNDED_OPS and not ttl:
        return "unbounded"
    if ops & STATEFUL_OPS:
        return "bounded"
    return "none"


def ordered_operators(operators: Iterable[str]) -> list[Operator]:
    """The operators in the model's order (a name it does not know raises KeyError)."""
    return cast(list[Operator], sorted(set(operators), key=_OPERATOR_ORDER.__getitem__))


__all__ = [
    "AGGREGATE_OPS",
    "JOIN_OPS",
    "MODEL_FUNCTIONS",
    "SEARCH_FUNCTIONS",
    "STATEFUL_OPS",
    "UNBOUNDED_OPS",
    "Facts",
    "Scope",
    "analyse_query",
    "kind_of",
    "ordered_operators",
    "sources_and_sinks",
    "state_of",
]
