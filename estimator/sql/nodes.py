"""One walk over a statement's syntax tree, and small helpers the rules share.

`collect_nodes` sorts the nodes that matter into buckets (selects, joins, windows, aggregate
calls, ...) in source order; the rules in estimator.sql.rules read the buckets, never the tree
again from the top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp

from estimator.sql.dialect import Flink, FlinkMatchRecognize, WindowTVF

DIALECT = Flink()


@dataclass
class Nodes:
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
    subqueries: list[exp.Subquery] = field(default_factory=list)
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
    exp.Subquery: "subqueries",
    exp.Hint: "hints",
    exp.CTE: "ctes",
    exp.Insert: "inserts",
}


def collect_nodes(tree: exp.Expr) -> Nodes:
    """Sort the nodes of `tree` into buckets, in one depth-first walk in source order.

    The walk reads `args` directly with an explicit stack, much faster than
    Expr.dfs(), which matters because it runs once per statement next to the parse.
    """
    nodes = Nodes()
    buckets = _BUCKETS
    agg_type = exp.AggFunc
    expr_type = exp.Expr
    stack: list[exp.Expr] = [tree]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        cls = type(node)
        name = buckets.get(cls)
        if name is not None:
            getattr(nodes, name).append(node)
        elif isinstance(node, agg_type):
            nodes.aggregates.append(node)
        for value in reversed(node.args.values()):
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, expr_type):
                        push(item)
            elif isinstance(value, expr_type):
                push(value)
    return nodes


# --- Small helpers over nodes -------------------------------------------------------------------


def conjuncts(condition: exp.Expr | None) -> list[exp.Expr]:
    """The AND-ed parts of a condition (a WHERE, HAVING or ON), parentheses removed."""
    if condition is None:
        return []
    if isinstance(condition, exp.Where | exp.Having | exp.Qualify):
        condition = condition.this
    if isinstance(condition, exp.Paren):
        return conjuncts(condition.this)
    if isinstance(condition, exp.And):
        return conjuncts(condition.this) + conjuncts(condition.expression)
    return [condition]


def column_names(nodes: Iterable[exp.Expr | None]) -> set[str]:
    """Lower-case names of the plain columns among `nodes` (ORDER BY items unwrapped)."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, exp.Ordered):
            node = node.this
        if isinstance(node, exp.Column):
            names.add(node.name.lower())
    return names


def qualifiers(node: exp.Expr) -> set[str]:
    """Lower-case table qualifiers of the columns under `node` (`o` of `o.id`)."""
    return {col.table.lower() for col in node.find_all(exp.Column) if col.table}


def table_name(table: exp.Table) -> str:
    """A table's name as written, parts joined by '.' (catalog.db.table)."""
    return ".".join(part.name for part in table.parts)


def sink_table(node: exp.Expr | None) -> exp.Table | None:
    """The table of an INSERT target or CREATE TABLE name (with or without a column list)."""
    if isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) else None


def has_window_bounds(names: set[str]) -> bool:
    return "window_start" in names and "window_end" in names


def interval_text(node: exp.Expr | None) -> str:
    """'1-minute' for INTERVAL '1' MINUTE(S); '' when it is not a plain interval."""
    if not isinstance(node, exp.Interval):
        return ""
    value = node.this.name if node.this is not None else ""
    unit = node.unit.name.lower() if node.unit is not None else ""
    unit = unit[:-1] if unit.endswith("s") else unit
    return f"{value}-{unit}" if value and unit else node.sql(dialect=DIALECT)


def own_relations(select: exp.Select) -> list[exp.Expr]:
    """The relations a SELECT reads directly: its FROM and its joins' targets."""
    from_ = select.args.get("from_")
    relations = [from_.this] if from_ is not None else []
    relations += [j.this for j in select.args.get("joins") or []]
    return relations


def own_qualifiers(select: exp.Select) -> set[str]:
    """Names and aliases of the relations a SELECT reads directly."""
    found: set[str] = set()
    for rel in own_relations(select):
        if rel.alias:
            found.add(rel.alias.lower())
        if isinstance(rel, exp.Table):
            found.add(rel.name.lower())
    return found


def is_correlated(select: exp.Select) -> bool:
    """Whether a subquery's SELECT names a column of a relation it does not read itself."""
    own = own_qualifiers(select)
    where = select.args.get("where")
    if where is None:
        return False
    return bool(qualifiers(where) - own)
