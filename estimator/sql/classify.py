"""Classify Flink SQL statements from their syntax trees.

Each statement is parsed once with the Flink dialect. One walk over its tree sorts the nodes
that matter into buckets (selects, joins, windows, aggregate calls, ...); small pure rules then
read the buckets and name the operators. Kind, state growth, parallelism cap and an explanation
follow from the operators.

Rules, in Flink's terms (what a solution architect would say):
- filter: a WHERE/HAVING predicate that is not a join condition, a Top-N/deduplication rank
  condition or an IN/EXISTS subquery; project: a SELECT list with an item other than `*` or a
  ranking column; union: UNION [ALL]; unnest: UNNEST; table_function: LATERAL TABLE / TABLE(f).
- group_aggregate: GROUP BY without window_start and window_end among the keys;
  window_aggregate: GROUP BY window_start, window_end (over a window table function), or a legacy
  GROUP BY TUMBLE(...); global_aggregate: an aggregate call without GROUP BY; distinct:
  SELECT DISTINCT or UNION without ALL.
- over_aggregate: an OVER window that is not a filtered ranking; deduplicate: ROW_NUMBER() kept
  at rank 1 when ordered by a time attribute (`$rowtime`, `*time`, `*_ts`, `ts`); top_n: other
  filtered ROW_NUMBER/RANK/DENSE_RANK; window_top_n: the same partitioned by window_start and
  window_end.
- temporal_join: FOR SYSTEM_TIME AS OF an event-time column; lookup_join: AS OF a processing
  time (a column named `*proc*` or PROCTIME()); window_join: equal window_start and window_end on
  both sides; interval_join: a BETWEEN or inequality with an INTERVAL in the join condition;
  regular_join: any other join; semi_anti_join: IN/EXISTS subqueries, INTERSECT, EXCEPT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.tokens import Token, TokenType

from estimator.sql.dialect import (
    WINDOW_TVFS,
    Flink,
    FlinkMatchRecognize,
    StatementSet,
    WindowTVF,
)
from estimator.sql.model import OPERATORS, Classification
from estimator.sql.split import _Piece, split_pieces, tokenize

_DIALECT = Flink()

JOIN_OPS: frozenset[str] = frozenset(
    {
        "regular_join",
        "interval_join",
        "temporal_join",
        "lookup_join",
        "window_join",
        "semi_anti_join",
    }
)
AGGREGATE_OPS: frozenset[str] = frozenset(
    {
        "group_aggregate",
        "global_aggregate",
        "distinct",
        "window_aggregate",
        "over_aggregate",
        "deduplicate",
        "top_n",
        "window_top_n",
        "match_recognize",
    }
)
UNBOUNDED_OPS: frozenset[str] = frozenset(
    {
        "regular_join",
        "semi_anti_join",
        "group_aggregate",
        "global_aggregate",
        "distinct",
        "deduplicate",
        "top_n",
    }
)
STATEFUL_OPS: frozenset[str] = JOIN_OPS | AGGREGATE_OPS
_OPERATOR_ORDER: dict[str, int] = {name: i for i, name in enumerate(OPERATORS)}

# A single statement with more tokens than this is read token by token: a full parse of
# megabytes of SQL would take tens of seconds in pure Python.
MAX_PARSE_TOKENS = 40_000

# Statements whose first word says they are SQL; anything else is not read as SQL at all.
_STATEMENT_STARTS: frozenset[str] = frozenset(
    {
        "SELECT",
        "WITH",
        "INSERT",
        "EXECUTE",
        "CREATE",
        "ALTER",
        "DROP",
        "SET",
        "RESET",
        "USE",
        "SHOW",
        "DESCRIBE",
        "DESC",
        "EXPLAIN",
        "VALUES",
        "BEGIN",
        "END",
        "(",
    }
)
_STATE_TTL_KEYS: frozenset[str] = frozenset({"sql.state-ttl", "table.exec.state.ttl"})


# --- One walk over the tree -------------------------------------------------------------------


@dataclass
class _Nodes:
    """The nodes of one statement's tree that the rules look at, in source order."""

    selects: list[exp.Select] = field(default_factory=list)
    joins: list[exp.Join] = field(default_factory=list)
    tables: list[exp.Table] = field(default_factory=list)
    windows: list[exp.Window] = field(default_factory=list)
    aggregates: list[exp.AggFunc] = field(default_factory=list)
    set_ops: list[exp.SetOperation] = field(default_factory=list)
    unnests: list[exp.Unnest] = field(default_factory=list)
    laterals: list[exp.Lateral] = field(default_factory=list)
    match_recognizes: list[exp.MatchRecognize] = field(default_factory=list)
    window_tvfs: list[WindowTVF] = field(default_factory=list)
    subquery_predicates: list[exp.Expr] = field(default_factory=list)
    hints: list[exp.Hint] = field(default_factory=list)
    ctes: list[exp.CTE] = field(default_factory=list)
    inserts: list[exp.Insert] = field(default_factory=list)


_BUCKETS: dict[type, str] = {
    exp.Select: "selects",
    exp.Join: "joins",
    exp.Table: "tables",
    exp.Window: "windows",
    exp.Union: "set_ops",
    exp.Intersect: "set_ops",
    exp.Except: "set_ops",
    exp.Unnest: "unnests",
    exp.Lateral: "laterals",
    exp.MatchRecognize: "match_recognizes",
    FlinkMatchRecognize: "match_recognizes",
    WindowTVF: "window_tvfs",
    exp.In: "subquery_predicates",
    exp.Exists: "subquery_predicates",
    exp.Hint: "hints",
    exp.CTE: "ctes",
    exp.Insert: "inserts",
}


def collect_nodes(tree: exp.Expr) -> _Nodes:
    """Sort the nodes of `tree` into buckets, in one depth-first walk in source order.

    The walk reads `args` directly with an explicit stack: about twice as fast as
    Expr.dfs(), which matters because it runs once per statement next to the parse.
    """
    nodes = _Nodes()
    buckets = _BUCKETS
    agg_type = exp.AggFunc
    expr_type = exp.Expr
    stack: list[exp.Expr] = [tree]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        name = buckets.get(type(node))
        if name is not None:
            getattr(nodes, name).append(node)
        elif isinstance(node, agg_type):
            nodes.aggregates.append(node)
        children = list(node.args.values())
        for value in reversed(children):
            if isinstance(value, list):
                for item in reversed(value):
                    if isinstance(item, expr_type):
                        push(item)
            elif isinstance(value, expr_type):
                push(value)
    return nodes


# --- Small helpers over nodes -------------------------------------------------------------------


def _conjuncts(condition: exp.Expr | None) -> list[exp.Expr]:
    if condition is None:
        return []
    if isinstance(condition, exp.Where | exp.Having):
        condition = condition.this
    if isinstance(condition, exp.Paren):
        return _conjuncts(condition.this)
    if isinstance(condition, exp.And):
        return _conjuncts(condition.this) + _conjuncts(condition.expression)
    return [condition]


def _column_names(nodes: Iterable[exp.Expr | None]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, exp.Ordered):
            node = node.this
        if isinstance(node, exp.Column):
            names.add(node.name.lower())
    return names


def _qualifiers(node: exp.Expr) -> set[str]:
    return {col.table.lower() for col in node.find_all(exp.Column) if col.table}


def table_name(table: exp.Table) -> str:
    """A table's name as written, parts joined by '.' (catalog.db.table)."""
    return ".".join(part.name for part in table.parts)


def _sink_table(node: exp.Expr | None) -> exp.Table | None:
    if isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) else None


def _looks_like_time_attribute(node: exp.Expr) -> bool:
    if isinstance(node, exp.Ordered):
        node = node.this
    if isinstance(node, exp.Anonymous):
        return node.name.upper() == "PROCTIME"
    if not isinstance(node, exp.Column):
        return False
    name = node.name.lower()
    return name in {"ts", "$rowtime"} or name.endswith(("time", "_ts", "timestamp"))


def _is_proctime(node: exp.Expr | None) -> bool:
    if node is None:
        return False
    for sub in node.walk():
        if isinstance(sub, exp.Anonymous) and sub.name.upper() == "PROCTIME":
            return True
        if isinstance(sub, exp.Column) and "proc" in sub.name.lower():
            return True
    return False


def _has_window_bounds(names: set[str]) -> bool:
    return "window_start" in names and "window_end" in names


def _interval_text(node: exp.Expr | None) -> str:
    """'1-minute' for INTERVAL '1' MINUTE(S); '' when it is not a plain interval."""
    if not isinstance(node, exp.Interval):
        return ""
    value = node.this.name if node.this is not None else ""
    unit = node.unit.name.lower() if node.unit is not None else ""
    unit = unit[:-1] if unit.endswith("s") else unit
    return f"{value}-{unit}" if value and unit else node.sql(dialect=_DIALECT)


# --- Rules: each reads the buckets and says which operators it sees ---------------------------


@dataclass
class _Facts:
    """What the rules found, for the explanation."""

    operators: set[str] = field(default_factory=set)
    group_keys: list[str] = field(default_factory=list)
    window_kind: str = ""
    window_size: str = ""
    interval_bound: str = ""
    rank_limit: int | None = None
    within: str = ""
    ttl_hint: bool = False


def _rank_conditions(selects: list[exp.Select]) -> dict[str, tuple[type, int]]:
    """Column name -> (comparison, number) for `rn = 1`, `rn <= 3`, `rn < 4` in a WHERE."""
    found: dict[str, tuple[type, int]] = {}
    for select in selects:
        for conj in _conjuncts(select.args.get("where")):
            if (
                isinstance(conj, exp.EQ | exp.LT | exp.LTE)
                and isinstance(conj.this, exp.Column)
                and isinstance(conj.expression, exp.Literal)
                and conj.expression.is_int
            ):
                found[conj.this.name.lower()] = (type(conj), int(conj.expression.name))
    return found


def _ranked_windows(nodes: _Nodes, ranks: dict[str, tuple[type, int]]) -> dict[int, str]:
    """id(window) -> its ranking column, for ROW_NUMBER/RANK windows filtered by rank."""
    ranked: dict[int, str] = {}
    for window in nodes.windows:
        func = window.this
        if not isinstance(func, exp.RowNumber | exp.Rank | exp.DenseRank):
            continue
        parent = window.parent
        if isinstance(parent, exp.Alias) and parent.alias.lower() in ranks:
            ranked[id(window)] = parent.alias.lower()
    return ranked


def rule_rankings(nodes: _Nodes, facts: _Facts, ranks: dict[str, tuple[type, int]]) -> None:
    """Deduplication, Top-N, window Top-N and OVER aggregations."""
    ranked = _ranked_windows(nodes, ranks)
    for window in nodes.windows:
        if not isinstance(window.this, exp.Func):
            continue  # a named window definition (WINDOW w AS (...))
        column = ranked.get(id(window))
        if column is None:
            facts.operators.add("over_aggregate")
            continue
        comparison, number = ranks[column]
        limit = number - 1 if comparison is exp.LT else number
        facts.rank_limit = limit
        partition = _column_names(window.args.get("partition_by") or [])
        order = (window.args.get("order") or exp.Order()).expressions
        if _has_window_bounds(partition):
            facts.operators.add("window_top_n")
        elif (
            isinstance(window.this, exp.RowNumber)
            and limit == 1
            and len(order) == 1
            and _looks_like_time_attribute(order[0])
        ):
            facts.operators.add("deduplicate")
        else:
            facts.operators.add("top_n")
        facts.group_keys = sorted(partition)


def _aggregating_selects(nodes: _Nodes) -> set[int]:
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


def rule_aggregations(nodes: _Nodes, facts: _Facts) -> None:
    """GROUP BY (windowed or not), global aggregation and SELECT DISTINCT."""
    aggregating = _aggregating_selects(nodes)
    for select in nodes.selects:
        group = select.args.get("group")
        if select.args.get("distinct"):
            facts.operators.add("distinct")
        if group is not None:
            keys = group.expressions
            names = _column_names(keys)
            legacy = any(isinstance(k, WindowTVF) for k in keys)
            if _has_window_bounds(names) or legacy:
                facts.operators.add("window_aggregate")
            else:
                facts.operators.add("group_aggregate")
            facts.group_keys = sorted(names - {"window_start", "window_end", "window_time"})
        elif id(select) in aggregating:
            facts.operators.add("global_aggregate")


def rule_window_tvfs(nodes: _Nodes, facts: _Facts) -> None:
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
        facts.window_size = _interval_text(size)


def _join_condition(join: exp.Join) -> exp.Expr | None:
    on = join.args.get("on")
    if on is not None:
        return on
    select = join.parent
    if isinstance(select, exp.Select) and not join.args.get("kind") and not join.args.get("side"):
        where = select.args.get("where")
        return where.this if where is not None else None
    return None


def _is_window_join(condition: exp.Expr | None) -> bool:
    if condition is None:
        return False
    equal_names: set[str] = set()
    for conj in _conjuncts(condition):
        if (
            isinstance(conj, exp.EQ)
            and isinstance(conj.this, exp.Column)
            and isinstance(conj.expression, exp.Column)
            and conj.this.name == conj.expression.name
        ):
            equal_names.add(conj.this.name.lower())
    return _has_window_bounds(equal_names)


def _interval_bound(condition: exp.Expr | None) -> exp.Interval | None:
    """The time bound of an interval join condition, if it has one."""
    if condition is None:
        return None
    for conj in _conjuncts(condition):
        if isinstance(conj, exp.Between | exp.GT | exp.GTE | exp.LT | exp.LTE):
            interval = conj.find(exp.Interval)
            if interval is not None and len(_qualifiers(conj)) >= 2:
                return interval
            if interval is not None and not _qualifiers(conj):
                return interval
    return None


def _join_target_is_function(target: exp.Expr) -> bool:
    return isinstance(target, exp.Unnest | exp.Lateral) or (
        isinstance(target, exp.Table) and not isinstance(target.this, exp.Identifier)
    )


def rule_joins(nodes: _Nodes, facts: _Facts) -> None:
    """Name each join by how Flink runs it."""
    for join in nodes.joins:
        target = join.this
        if _join_target_is_function(target):
            continue  # UNNEST / LATERAL TABLE: a stateless row expansion
        version = target.args.get("version") if isinstance(target, exp.Table) else None
        if version is not None:
            lookup = _is_proctime(version.expression)
            facts.operators.add("lookup_join" if lookup else "temporal_join")
            continue
        condition = _join_condition(join)
        if _is_window_join(condition):
            facts.operators.add("window_join")
            continue
        bound = _interval_bound(condition)
        if bound is not None:
            facts.operators.add("interval_join")
            facts.interval_bound = facts.interval_bound or _interval_text(bound)
            continue
        facts.operators.add("regular_join")


def rule_subquery_joins(nodes: _Nodes, facts: _Facts) -> None:
    """IN / EXISTS subqueries, INTERSECT and EXCEPT run as semi or anti joins."""
    for pred in nodes.subquery_predicates:
        if isinstance(pred, exp.Exists) or pred.args.get("query") is not None:
            facts.operators.add("semi_anti_join")
    for set_op in nodes.set_ops:
        if isinstance(set_op, exp.Union):
            facts.operators.add("union")
            if set_op.args.get("distinct"):
                facts.operators.add("distinct")
        else:
            facts.operators.add("semi_anti_join")


def rule_row_expansion(nodes: _Nodes, facts: _Facts) -> None:
    """UNNEST and table functions (LATERAL TABLE, FROM TABLE(f(...)))."""
    if nodes.unnests:
        facts.operators.add("unnest")
    if nodes.laterals:
        facts.operators.add("table_function")
    for table in nodes.tables:
        func = table.this
        if (
            isinstance(func, exp.Anonymous)
            and func.name.upper() == "TABLE"
            and not any(isinstance(arg, WindowTVF) for arg in func.expressions)
        ):
            facts.operators.add("table_function")


def rule_match_recognize(nodes: _Nodes, facts: _Facts) -> None:
    for match in nodes.match_recognizes:
        facts.operators.add("match_recognize")
        facts.within = _interval_text(match.args.get("within"))


def _is_rank_condition(conj: exp.Expr, rank_columns: set[str]) -> bool:
    return isinstance(conj.this, exp.Column) and conj.this.name.lower() in rank_columns


def _is_subquery_predicate(conj: exp.Expr) -> bool:
    if isinstance(conj, exp.Not):
        conj = conj.this
    return isinstance(conj, exp.Exists) or (
        isinstance(conj, exp.In) and conj.args.get("query") is not None
    )


def _own_qualifiers(select: exp.Select) -> set[str]:
    """Names and aliases of the relations a SELECT reads directly."""
    found: set[str] = set()
    from_ = select.args.get("from_")
    relations = [from_.this] if from_ is not None else []
    relations += [j.this for j in select.args.get("joins") or []]
    for rel in relations:
        if rel.alias:
            found.add(rel.alias.lower())
        if isinstance(rel, exp.Table):
            found.add(rel.name.lower())
    return found


def rule_filter_project(nodes: _Nodes, facts: _Facts, rank_columns: set[str]) -> None:
    """WHERE/HAVING predicates that filter rows; SELECT lists that compute or pick columns."""
    for select in nodes.selects:
        comma_join = any(
            not j.args.get("kind") and not j.args.get("side") and not j.args.get("on")
            for j in select.args.get("joins") or []
        )
        correlated = isinstance(select.parent, exp.Exists | exp.In | exp.Subquery) and (
            isinstance(select.parent, exp.Exists | exp.In)
            or isinstance(select.parent.parent, exp.Exists | exp.In)
        )
        own = _own_qualifiers(select) if correlated else set()
        for conj in _conjuncts(select.args.get("where")):
            if _is_rank_condition(conj, rank_columns) or _is_subquery_predicate(conj):
                continue
            if comma_join and len(_qualifiers(conj)) >= 2:
                continue  # the condition of a join written with commas
            if correlated and _qualifiers(conj) - own:
                continue  # the condition of a semi/anti join on the outer query
            facts.operators.add("filter")
            break
        if select.args.get("having") is not None:
            facts.operators.add("filter")
        for item in select.expressions:
            if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and item.is_star):
                continue
            inner = item.this if isinstance(item, exp.Alias) else None
            if (
                isinstance(inner, exp.Window)
                and isinstance(inner.this, exp.RowNumber | exp.Rank | exp.DenseRank)
                and item.alias.lower() in rank_columns
            ):
                continue
            facts.operators.add("project")
            break


def rule_state_ttl_hint(nodes: _Nodes, facts: _Facts) -> None:
    for hint in nodes.hints:
        for item in hint.expressions:
            if isinstance(item, exp.Func) and item.name.upper() == "STATE_TTL":
                facts.ttl_hint = True


# --- Putting the rules together -------------------------------------------------------------


def analyse_query(tree: exp.Expr) -> tuple[_Facts, _Nodes]:
    """Run every rule over one statement's tree."""
    nodes = collect_nodes(tree)
    facts = _Facts()
    ranks = _rank_conditions(nodes.selects)
    rank_columns = set(_ranked_windows(nodes, ranks).values())
    rule_rankings(nodes, facts, ranks)
    rule_aggregations(nodes, facts)
    rule_window_tvfs(nodes, facts)
    rule_joins(nodes, facts)
    rule_subquery_joins(nodes, facts)
    rule_row_expansion(nodes, facts)
    rule_match_recognize(nodes, facts)
    rule_filter_project(nodes, facts, rank_columns)
    rule_state_ttl_hint(nodes, facts)
    return facts, nodes


def sources_and_sinks(
    nodes: _Nodes, target: exp.Table | None = None
) -> tuple[list[str], list[str]]:
    """Tables read (CTE names resolved away) and tables written, in order of appearance."""
    sink_tables = [_sink_table(insert.this) for insert in nodes.inserts]
    if target is not None:
        sink_tables.append(target)
    sink_ids = {id(t) for t in sink_tables if t is not None}
    cte_names = {cte.alias.lower() for cte in nodes.ctes}
    sources: list[str] = []
    for table in nodes.tables:
        if id(table) in sink_ids or not isinstance(table.this, exp.Identifier):
            continue
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


def kind_of(operators: Iterable[str]) -> str:
    ops = set(operators)
    if ops & JOIN_OPS:
        return "join"
    if ops & AGGREGATE_OPS:
        return "aggregate"
    return "stateless"


def state_of(operators: Iterable[str], ttl: bool) -> str:
    ops = set(operators)
    if ops & UNBOUNDED_OPS and not ttl:
        return "unbounded"
    if ops & STATEFUL_OPS:
        return "bounded"
    return "none"


def ordered_operators(operators: Iterable[str]) -> list[str]:
    return sorted(set(operators), key=_OPERATOR_ORDER.__getitem__)


# --- Explanations ---------------------------------------------------------------------------


def _names(items: list[str], limit: int = 3) -> str:
    if not items:
        return "its input"
    shown = items[:limit]
    more = len(items) - len(shown)
    text = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return text + (f" and {more} more" if more else "")


def _duration(interval_text: str) -> str:
    """'4 hours' for '4-hour'."""
    value, _, unit = interval_text.partition("-")
    if not unit:
        return interval_text
    return f"{value} {unit}" + ("" if value == "1" else "s")


def _state_clause(state: str, ttl: bool, bounded_by: str) -> str:
    if state == "unbounded":
        return "state grows without bound unless a state TTL is set"
    if state == "bounded" and ttl and bounded_by == "":
        return "a state TTL bounds its state"
    if state == "bounded":
        return f"state is bounded by {bounded_by}" if bounded_by else "state is bounded"
    return "no state"


def explain(
    facts: _Facts,
    sources: list[str],
    sinks: list[str],
    statement_type: str,
    state: str,
    ttl: bool,
) -> str:
    ops = facts.operators
    src = _names(sources)
    into = f" into {_names(sinks)}" if sinks else ""
    keys = f" per {', '.join(facts.group_keys)}" if facts.group_keys else ""
    unbounded_ttl = ttl and bool(ops & UNBOUNDED_OPS)
    if "regular_join" in ops or "semi_anti_join" in ops:
        other = sources[1:] or ["itself"]
        verb = "Joins" if "regular_join" in ops else "Matches"
        how = "a regular join" if "regular_join" in ops else "an IN/EXISTS semi or anti join"
        what = f"{verb} {sources[0] if sources else 'its input'} with {_names(other)}{into}"
        tail = (
            "keeps every row of both sides in state, which a state TTL bounds"
            if unbounded_ttl
            else "keeps every row of both sides in state, growing without bound "
            "unless a state TTL is set"
        )
        sentence = f"{what} in {how}: {tail}."
    elif "interval_join" in ops:
        bound = _duration(facts.interval_bound) or "the interval"
        sentence = (
            f"Joins {sources[0] if sources else 'its input'} with {_names(sources[1:])}"
            f"{into} on a time interval: keeps {bound} of both sides in state."
        )
    elif "temporal_join" in ops or "lookup_join" in ops:
        left = sources[0] if sources else "its input"
        right = _names(sources[1:])
        if "temporal_join" in ops:
            sentence = (
                f"Joins {left} with the version of {right} valid at each row's event time"
                f"{into} (temporal join); state is bounded by the watermark."
            )
        else:
            sentence = (
                f"Looks up {right} for each row of {left}{into} (lookup join); "
                "state is bounded (only a lookup cache)."
            )
    elif "window_join" in ops:
        sentence = (
            f"Joins {_names(sources)}{into} within the same windows; "
            "state is bounded by the window."
        )
    elif "window_aggregate" in ops or "window_top_n" in ops:
        size = f"{facts.window_size} " if facts.window_size else ""
        kind = f"{facts.window_kind} " if facts.window_kind else ""
        verb = "Ranks the top rows of" if "window_top_n" in ops else "Aggregates"
        sentence = (
            f"{verb} {src}{keys} in {size}{kind}windows{into}; state is bounded by the window."
        )
    elif "match_recognize" in ops:
        within = f" within {_duration(facts.within)}" if facts.within else ""
        sentence = (
            f"Matches event patterns in {src}{into} with MATCH_RECOGNIZE{within}; "
            f"{_state_clause(state, ttl, 'the pattern and its time limit')}."
        )
    elif "deduplicate" in ops:
        sentence = (
            f"Deduplicates {src}{keys}{into}, keeping one row per key; "
            f"{_state_clause(state, ttl, '')}."
        )
    elif "top_n" in ops:
        n = f"{facts.rank_limit} " if facts.rank_limit else "N "
        sentence = f"Keeps the top {n}rows of {src}{keys}{into}; {_state_clause(state, ttl, '')}."
    elif "group_aggregate" in ops or "distinct" in ops or "global_aggregate" in ops:
        if "group_aggregate" in ops:
            what = f"Aggregates {src}{keys} with GROUP BY{into}"
        elif "global_aggregate" in ops:
            what = f"Aggregates all rows of {src} into one running result{into} at parallelism 1"
        else:
            what = f"Removes duplicate rows of {src}{into} (DISTINCT)"
        sentence = f"{what}; {_state_clause(state, ttl, '')}."
    elif "over_aggregate" in ops:
        sentence = (
            f"Computes OVER window aggregates on {src}{into}; state is bounded by the OVER range."
        )
    else:
        verbs = [
            verb
            for op, verb in (("union", "unions"), ("filter", "filters"), ("project", "reshapes"))
            if op in ops
        ]
        extras = [
            extra
            for op, extra in (
                ("unnest", "unnesting arrays"),
                ("table_function", "expanding rows with a table function"),
            )
            if op in ops
        ]
        phrase = " and ".join(verbs) if verbs else ("reads" if extras else "copies")
        target = src if sources else "literal rows"
        how = f", {' and '.join(extras)}" if extras else ""
        unchanged = " unchanged" if not verbs and not extras and sources else ""
        sentence = f"{phrase[0].upper()}{phrase[1:]} {target}{into}{unchanged}{how}; no state."
    if statement_type == "select":
        sentence = sentence[:-1] + " (interactive SELECT at parallelism 1)."
    return sentence


def _ddl_explanation(tree: exp.Expr) -> str:
    tail = "DDL that runs once, briefly (about 1 CFU-minute); no state."
    if isinstance(tree, exp.Create):
        target = _sink_table(tree.this)
        name = table_name(target) if target is not None else tree.this.sql(dialect=_DIALECT)
        kind = str(tree.args.get("kind") or "object").lower()
        verb = "Registers" if kind == "function" else "Creates"
        return f"{verb} {kind} {name}: {tail}"
    if isinstance(tree, exp.Drop | exp.Alter):
        verb = "Drops" if isinstance(tree, exp.Drop) else "Alters"
        kind = str(tree.args.get("kind") or "object").lower()
        tables = tree.args.get("tables") or [tree.this]
        names = [table_name(t) for t in tables if isinstance(t, exp.Table)]
        return f"{verb} {kind} {_names(names)}: {tail}"
    if isinstance(tree, exp.Set):
        items = [i.this for i in tree.expressions if isinstance(i, exp.SetItem)]
        settings = [f"{i.this.name} = {i.expression.name}" for i in items if isinstance(i, exp.EQ)]
        what = ", ".join(settings) or "session options"
        return f"Sets {what} for the statements after it: {tail}"
    if isinstance(tree, exp.Use):
        use_kind = tree.args.get("kind")
        what = f"{use_kind.name.lower()} " if use_kind is not None else ""
        return f"Switches to {what}{tree.this.sql(dialect=_DIALECT)}: {tail}"
    if isinstance(tree, exp.Describe):
        return f"Describes {tree.this.sql(dialect=_DIALECT)}: {tail}"
    if isinstance(tree, exp.Command):
        return f"Runs {tree.name.upper()} (metadata only): {tail}"
    return f"A {type(tree).__name__.upper()} statement: {tail}"


# --- Classifying one parsed statement -------------------------------------------------------


def _statement_type(tree: exp.Expr) -> str:
    if isinstance(tree, StatementSet):
        return "statement_set"
    if isinstance(tree, exp.Insert):
        return "insert"
    if isinstance(tree, exp.Create):
        query = tree.expression
        if str(tree.args.get("kind") or "").upper() == "TABLE" and isinstance(query, exp.Query):
            return "ctas"
        return "ddl"
    if isinstance(tree, exp.Query | exp.Values):
        return "select"
    return "ddl"


def _state_ttl_setting(tree: exp.Expr) -> bool | None:
    """True/False when `tree` is SET/RESET of the state TTL; None when it says nothing of it."""
    if isinstance(tree, exp.Set):
        for item in tree.expressions:
            pair = item.this if isinstance(item, exp.SetItem) else None
            if isinstance(pair, exp.EQ) and pair.this.name.lower() in _STATE_TTL_KEYS:
                value = pair.expression.name.strip()
                digits = [c for c in value if c.isdigit()]
                return bool(digits) and any(c != "0" for c in digits)
    if isinstance(tree, exp.Command) and tree.name.upper() == "RESET":
        key = (tree.expression.name if tree.expression is not None else "").strip(" '\"")
        if not key or key.lower() in _STATE_TTL_KEYS:
            return False  # RESET alone resets every option
    return None


def classify_tree(tree: exp.Expr, *, state_ttl: bool = False) -> Classification:
    """The classification of one parsed statement."""
    statement_type = _statement_type(tree)
    if statement_type == "ddl":
        return Classification(
            statement_type="ddl",
            kind="ddl",
            explanation=_ddl_explanation(tree),
            confidence="low" if _is_fallback_command(tree) else "high",
        )
    facts, nodes = analyse_query(tree)
    target = _sink_table(tree.this) if statement_type == "ctas" else None
    sources, sinks = sources_and_sinks(nodes, target)
    ttl = state_ttl or facts.ttl_hint
    operators = ordered_operators(facts.operators)
    state = state_of(operators, ttl)
    cap = 1 if statement_type == "select" or "global_aggregate" in facts.operators else None
    return Classification(
        statement_type=statement_type,  # type: ignore[arg-type]
        kind=kind_of(operators),  # type: ignore[arg-type]
        operators=operators,  # type: ignore[arg-type]
        sources=sorted(sources),
        sink=", ".join(sorted(sinks)) if sinks else None,
        parallelism_cap=cap,
        state=state,  # type: ignore[arg-type]
        explanation=explain(facts, sources, sinks, statement_type, state, ttl),
    )


_KNOWN_COMMANDS: frozenset[str] = frozenset({"SHOW", "EXPLAIN", "RESET", "DESCRIBE", "DESC"})


def _is_fallback_command(tree: exp.Expr) -> bool:
    """A CREATE/ALTER/... that the parser kept as raw text rather than a tree."""
    return isinstance(tree, exp.Command) and tree.name.upper() not in _KNOWN_COMMANDS


# --- Token-level reading, when the parser gives up ------------------------------------------


def _word(token: Token) -> str:
    return token.text.upper() if token.token_type != TokenType.STRING else ""


def _dotted_name(tokens: list[Token], i: int) -> str:
    parts: list[str] = []
    while i < len(tokens) and tokens[i].token_type in {TokenType.VAR, TokenType.IDENTIFIER}:
        parts.append(tokens[i].text)
        if i + 1 < len(tokens) and tokens[i + 1].token_type == TokenType.DOT:
            i += 2
            continue
        break
    return ".".join(parts)


def classify_tokens(tokens: list[Token], *, state_ttl: bool, error: str) -> Classification:
    """A careful reading of a statement's tokens, for SQL the parser could not read."""
    words = [_word(tok) for tok in tokens]
    types = [tok.token_type for tok in tokens]
    first = words[0] if words else ""
    if first == "EXECUTE" and "STATEMENT" in words[:3]:
        statement_type = "statement_set"
    elif first == "INSERT":
        statement_type = "insert"
    elif first == "CREATE" and "SELECT" in words and "VIEW" not in words[:4]:
        statement_type = "ctas"
    elif first in {"SELECT", "WITH", "VALUES", "("}:
        statement_type = "select"
    else:
        statement_type = "ddl"
    if statement_type == "ddl":
        return Classification(
            statement_type="ddl",
            kind="ddl",
            confidence="low",
            explanation=f"{first.capitalize()} statement (read token by token): DDL that runs "
            "once, briefly (about 1 CFU-minute); no state.",
            error=error,
        )

    ops: set[str] = set()
    sources: list[str] = []
    sinks: list[str] = []
    present = set(words)
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in {"FROM", "JOIN", "TABLE"} and i + 1 < len(tokens):
            name = _dotted_name(tokens, i + 1)
            if name and name.upper() not in WINDOW_TVFS and name not in sources:
                sources.append(name)
        if word == "INTO" and i > 0 and words[i - 1] == "INSERT":
            name = _dotted_name(tokens, i + 1)
            if name:
                sinks.append(name)
        if word == "JOIN":
            ops.add("regular_join")
        if word == "WHERE":
            ops.add("filter")
        if (
            word in {"IN", "EXISTS"}
            and types[i + 1 : i + 2] == [TokenType.L_PAREN]
            and words[i + 2 : i + 3] == ["SELECT"]
        ):
            ops.add("semi_anti_join")
        if word == "SELECT" and nxt == "DISTINCT":
            ops.add("distinct")
    if "SYSTEM_TIME" in present:
        ops.discard("regular_join")
        proc = any("PROC" in w for w in words)
        ops.add("lookup_join" if proc else "temporal_join")
    if "GROUP BY" in present:
        windowed = present & WINDOW_TVFS or {"WINDOW_START", "WINDOW_END"} <= present
        ops.add("window_aggregate" if windowed else "group_aggregate")
    if "OVER" in present:
        ops.add("deduplicate" if "ROW_NUMBER" in present else "over_aggregate")
    if "MATCH_RECOGNIZE" in present:
        ops.add("match_recognize")
    if "UNION" in present:
        ops.add("union")
    if "UNNEST" in present:
        ops.add("unnest")
    if "LATERAL" in present:
        ops.add("table_function")
    if "SELECT" in present:
        ops.add("project")
    if statement_type == "ctas" and len(tokens) > 2:
        index = 3 if words[1] == "TABLE" else 4
        name = _dotted_name(tokens, index - 1)
        sinks = [name] if name else []
    sources = [s for s in sources if s not in sinks or statement_type == "select"]
    operators = ordered_operators(ops)
    state = state_of(operators, state_ttl)
    facts = _Facts(operators=set(operators))
    return Classification(
        statement_type=statement_type,  # type: ignore[arg-type]
        kind=kind_of(operators),  # type: ignore[arg-type]
        operators=operators,  # type: ignore[arg-type]
        sources=sorted(set(sources)),
        sink=", ".join(sorted(sinks)) if sinks else None,
        parallelism_cap=1 if statement_type == "select" else None,
        state=state,  # type: ignore[arg-type]
        confidence="low",
        explanation=explain(facts, sources, sinks, statement_type, state, state_ttl)[:-1]
        + " (read token by token: the statement did not parse).",
        error=error,
    )


def _unknown(error: str) -> Classification:
    return Classification(
        statement_type="unknown",
        kind="unknown",
        confidence="low",
        explanation="Not read as SQL.",
        error=error,
    )


# --- The public entry points ----------------------------------------------------------------


def _parse_error_text(err: Exception, line: int = 1, col: int = 1) -> str:
    if isinstance(err, ParseError) and err.errors:
        first = err.errors[0]
        description = first.get("description") or str(err).split("\n")[0]
        return f"line {first.get('line')}, column {first.get('col')}: {description}"
    if isinstance(err, RecursionError):
        return f"line {line}, column {col}: statement nested too deeply to parse"
    return f"line {line}, column {col}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"


# A statement that ends on one of these was cut short (the parser would accept some of them).
_DANGLING: frozenset[TokenType] = frozenset(
    {
        TokenType.ON,
        TokenType.JOIN,
        TokenType.FROM,
        TokenType.WHERE,
        TokenType.HAVING,
        TokenType.GROUP_BY,
        TokenType.ORDER_BY,
        TokenType.PARTITION_BY,
        TokenType.SELECT,
        TokenType.AND,
        TokenType.OR,
        TokenType.NOT,
        TokenType.COMMA,
        TokenType.L_PAREN,
        TokenType.DOT,
        TokenType.EQ,
        TokenType.NEQ,
        TokenType.GT,
        TokenType.GTE,
        TokenType.LT,
        TokenType.LTE,
        TokenType.PLUS,
        TokenType.DASH,
        TokenType.STAR,
        TokenType.SLASH,
        TokenType.ALIAS,
        TokenType.WITH,
        TokenType.INTO,
        TokenType.UNION,
        TokenType.BETWEEN,
        TokenType.CASE,
        TokenType.WHEN,
        TokenType.THEN,
        TokenType.ELSE,
        TokenType.IN,
        TokenType.LIKE,
        TokenType.SET,
        TokenType.TABLE,
        TokenType.INTERVAL,
        TokenType.BEGIN,
    }
)


def _cut_short(tokens: list[Token]) -> str | None:
    """Why a statement is visibly incomplete (unbalanced parentheses, a dangling keyword)."""
    depth = 0
    for token in tokens:
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
    last = tokens[-1]
    if depth > 0:
        return f"line {last.line}, column {last.col}: {depth} unclosed parenthesis(es)"
    if depth < 0:
        return f"line {last.line}, column {last.col}: unbalanced closing parenthesis"
    if last.token_type in _DANGLING and len(tokens) > 1:
        return (
            f"line {last.line}, column {last.col}: statement ends unexpectedly after {last.text!r}"
        )
    return None


def _tokenize_unterminated(text: str) -> tuple[list[Token] | None, str]:
    """Tokens of a statement whose last string, identifier or comment is left open."""
    for closing, what in (
        ("'", "string"),
        ("`", "identifier"),
        ('"', "identifier"),
        ("*/", "comment"),
    ):
        tokens = tokenize(text + closing)
        if tokens:
            return tokens, what
    return None, ""


def _looks_like_sql(tokens: list[Token]) -> bool:
    if not tokens:
        return False
    first = tokens[0]
    if first.token_type == TokenType.STRING:
        return False
    return first.text.upper() in _STATEMENT_STARTS or first.token_type == TokenType.COMMAND


def _classify_piece(piece: _Piece, sql: str, *, state_ttl: bool) -> tuple[Classification, bool]:
    """Classify one statement; also say whether it leaves the state TTL set for what follows."""
    tokens = piece.tokens
    if tokens is None:
        tokens = tokenize(piece.text)
        sql = piece.text
    if tokens is None:
        tokens, what = _tokenize_unterminated(piece.text)
        where = f"line {piece.line}, column {piece.col}"
        if tokens is None:
            return _unknown(f"{where}: cannot be read as SQL text"), state_ttl
        if not _looks_like_sql(tokens):
            return _unknown(f"{where}: not a SQL statement (unterminated {what})"), state_ttl
        error = f"{where}: unterminated {what} in the statement"
        return classify_tokens(tokens, state_ttl=state_ttl, error=error), state_ttl
    if not _looks_like_sql(tokens):
        word = tokens[0].text[:40] if tokens else ""
        return _unknown(
            f"line {piece.line}, column {piece.col}: not a SQL statement (starts with {word!r})"
        ), state_ttl
    short = _cut_short(tokens)
    if short is not None:
        return classify_tokens(tokens, state_ttl=state_ttl, error=short), state_ttl
    if len(tokens) > MAX_PARSE_TOKENS:
        error = (
            f"line {piece.line}, column {piece.col}: statement too long for a full parse "
            f"({len(tokens)} tokens); read token by token"
        )
        return classify_tokens(tokens, state_ttl=state_ttl, error=error), state_ttl
    try:
        trees = [t for t in _DIALECT.parser().parse(tokens, sql) if t is not None]
        if not trees:
            return _unknown(f"line {piece.line}, column {piece.col}: empty statement"), state_ttl
        tree = trees[0]
        setting = _state_ttl_setting(tree)
        result = classify_tree(tree, state_ttl=state_ttl)
        return result, state_ttl if setting is None else setting
    except Exception as err:  # ParseError, RecursionError, anything from odd input
        error = _parse_error_text(err, piece.line, piece.col)
        try:
            return classify_tokens(tokens, state_ttl=state_ttl, error=error), state_ttl
        except Exception as err2:
            return _unknown(_parse_error_text(err2, piece.line, piece.col)), state_ttl


def classify_script(text: str) -> list[Classification]:
    """Classify every statement of a script, in order; SET 'sql.state-ttl' carries forward."""
    try:
        if not isinstance(text, str):
            return [_unknown("line 1, column 1: input is not text")]
        pieces = split_pieces(text)
    except Exception as err:
        return [_unknown(_parse_error_text(err))]
    results: list[Classification] = []
    ttl = False
    for index, piece in enumerate(pieces):
        try:
            if "\x00" in piece.text:  # a NUL spoils only the statement it is in
                result = _unknown(f"line {piece.line}, column {piece.col}: binary data, not SQL")
            else:
                result, ttl = _classify_piece(piece, text, state_ttl=ttl)
        except Exception as err:
            result = _unknown(_parse_error_text(err, piece.line, piece.col))
        results.append(result.model_copy(update={"index": index, "line": piece.line}))
    return results


def classify_statement(sql: str, *, state_ttl: bool = False) -> Classification:
    """Classify one statement (the first, if `sql` holds several)."""
    try:
        if not isinstance(sql, str):
            return _unknown("line 1, column 1: input is not text")
        if "\x00" in sql:
            return _unknown("line 1, column 1: binary data, not SQL text")
        pieces = split_pieces(sql)
        if not pieces:
            return _unknown("line 1, column 1: empty statement")
        result, _ = _classify_piece(pieces[0], sql, state_ttl=state_ttl)
        return result  # index 0 and line 1 are the defaults
    except Exception as err:
        return _unknown(_parse_error_text(err))


def parse(sql: str) -> list[exp.Expr]:
    """Parse Flink SQL into syntax trees (raises sqlglot.errors.ParseError on bad SQL)."""
    return [t for t in _DIALECT.parse(sql) if t is not None]


__all__ = [
    "AGGREGATE_OPS",
    "JOIN_OPS",
    "STATEFUL_OPS",
    "UNBOUNDED_OPS",
    "analyse_query",
    "classify_script",
    "classify_statement",
    "classify_tree",
    "parse",
]
