"""What the CREATE TABLE / CREATE VIEW statements say about the tables a query reads.

The classifier decides several things from facts of the tables rather than from the query
alone (Flink's planner does the same):
- a time attribute is a column with a WATERMARK (event time, "rowtime") or a computed column
  `AS PROCTIME()` (processing time); Confluent's `$rowtime` system column is always one;
- deduplication versus Top-N: ROW_NUMBER ordered by a time attribute deduplicates;
- interval join versus regular join: the time bound must compare time attributes;
- lookup versus temporal join: `FOR SYSTEM_TIME AS OF` a processing-time attribute against a
  lookup-capable table (JDBC, HBase, ...) is a lookup join; an event-time one is a temporal
  join against a versioned table (a primary key and a watermark);
- primary keys and connector kinds (append, upsert/changelog, lookup-capable).

A `Catalog` is built once per script or scenario from its DDL (`Catalog.from_sql`), or grows as
`classify_script` reads a script's own CREATE statements. Views keep the time attributes their
SELECT list passes through unchanged. Without a table in the catalog the rules fall back to
reading column names, and say so (confidence "guess").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlglot import exp

from estimator.sql.dialect import WindowTVF
from estimator.sql.nodes import DIALECT, collect_nodes, sink_table, table_name
from estimator.sql.split import split_pieces

TimeKind = Literal["rowtime", "proctime"]

# Connectors Flink can look a key up in (a LookupTableSource): `FOR SYSTEM_TIME AS OF` a
# processing-time attribute against one of these is a lookup join.
LOOKUP_CONNECTORS: frozenset[str] = frozenset(
    {"jdbc", "hbase", "hbase-1.4", "hbase-2.2", "hive", "mongodb", "redis", "dynamodb"}
    | {"confluent-jdbc", "rest", "couchbase", "elasticsearch"}
)
# Connectors and formats whose rows are updates (a changelog), not appends.
_CHANGELOG_CONNECTORS: frozenset[str] = frozenset(
    {"upsert-kafka", "mysql-cdc", "postgres-cdc", "oracle-cdc", "sqlserver-cdc", "mongodb-cdc"}
    | {"tidb-cdc", "db2-cdc"}
)
_CHANGELOG_FORMATS: frozenset[str] = frozenset(
    {"debezium-json", "debezium-avro-confluent", "canal-json", "maxwell-json", "ogg-json"}
    | {"debezium-avro", "debezium-protobuf"}
)
# A SELECT item calling one of these passes a time attribute on (legacy group windows).
_ROWTIME_FUNCTIONS: frozenset[str] = frozenset(
    {"TUMBLE_ROWTIME", "HOP_ROWTIME", "SESSION_ROWTIME", "CUMULATE_ROWTIME"}
)
_PROCTIME_FUNCTIONS: frozenset[str] = frozenset(
    {"PROCTIME", "TUMBLE_PROCTIME", "HOP_PROCTIME", "SESSION_PROCTIME"}
)


@dataclass(frozen=True)
class TableFacts:
    """What the DDL says about one table or view."""

    name: str
    columns: frozenset[str] = frozenset()  # lower-case
    rowtime: frozenset[str] = frozenset()  # columns with a WATERMARK
    proctime: frozenset[str] = frozenset()  # computed AS PROCTIME()
    primary_key: tuple[str, ...] = ()
    connector: str = ""
    changelog: bool = False  # upsert / CDC rows rather than appends
    view: bool = False
    query: exp.Expr | None = field(default=None, compare=False)  # a view's SELECT

    def time_kind(self, column: str) -> TimeKind | None:
        name = column.lower()
        if name in self.rowtime:
            return "rowtime"
        if name in self.proctime:
            return "proctime"
        return None

    @property
    def lookup(self) -> bool:
        """Whether Flink can look keys up in this table (a lookup join target)."""
        return self.connector in LOOKUP_CONNECTORS


@dataclass(frozen=True)
class TimeVerdict:
    """Whether an expression is a time attribute, and on what ground."""

    kind: TimeKind | None  # None: not a time attribute
    fact: str  # the deciding fact, for the explanation ('' when nothing is known)
    guessed: bool  # True when read from the column's name only


@dataclass
class Catalog:
    """Tables and views by lower-case name (full dotted name and last part)."""

    tables: dict[str, TableFacts] = field(default_factory=dict)

    def __len__(self) -> int:
        return len({id(t) for t in self.tables.values()})

    def get(self, name: str) -> TableFacts | None:
        key = name.lower()
        found = self.tables.get(key)
        if found is None and "." in key:
            found = self.tables.get(key.rsplit(".", 1)[1])
        return found

    def add(self, facts: TableFacts) -> None:
        key = facts.name.lower()
        self.tables[key] = facts
        if "." in key:
            self.tables[key.rsplit(".", 1)[1]] = facts

    def add_tree(self, tree: exp.Expr) -> None:
        """Learn from a CREATE TABLE / VIEW / TABLE AS tree; anything else is ignored."""
        if not isinstance(tree, exp.Create):
            return
        kind = str(tree.args.get("kind") or "").upper()
        target = sink_table(tree.this)
        if target is None:
            return
        if kind == "VIEW":
            query = tree.expression
            if isinstance(query, exp.Query):
                self.add(view_facts(table_name(target), query, self))
        elif kind == "TABLE":
            self.add(table_facts(tree, target, self))

    @classmethod
    def from_sql(cls, scripts: Iterable[str | None]) -> Catalog:
        """A catalog of every CREATE statement in `scripts` (statements that do not parse, or
        are not CREATE statements, are skipped: a catalog never fails)."""
        catalog = cls()
        for text in scripts:
            if not text or "create" not in text.lower():
                continue
            for piece in split_pieces(text):
                if piece.tokens is None or not piece.tokens:
                    continue
                if piece.tokens[0].text.upper() != "CREATE":
                    continue
                try:
                    trees = DIALECT.parser().parse(piece.tokens, text)
                except Exception:  # a statement that does not parse teaches nothing
                    continue
                for tree in trees:
                    if tree is not None:
                        catalog.add_tree(tree)
        return catalog


def _option(properties: exp.Expr | None, key: str) -> str:
    if properties is None:
        return ""
    for prop in properties.expressions:
        if isinstance(prop, exp.Property) and prop.name.lower() == key:
            value = prop.args.get("value")
            return value.name.lower() if value is not None else ""
    return ""


def table_facts(tree: exp.Create, target: exp.Table, catalog: Catalog) -> TableFacts:
    """Facts of a CREATE TABLE [LIKE ...] [AS SELECT ...]."""
    schema = tree.this if isinstance(tree.this, exp.Schema) else None
    columns: set[str] = set()
    rowtime: set[str] = set()
    proctime: set[str] = set()
    key: list[str] = []
    for item in schema.expressions if schema is not None else []:
        if isinstance(item, exp.ColumnDef):
            name = item.name.lower()
            columns.add(name)
            for constraint in item.args.get("constraints") or []:
                kind = constraint.args.get("kind")
                if isinstance(kind, exp.ComputedColumnConstraint) and _calls(
                    kind.this, _PROCTIME_FUNCTIONS
                ):
                    proctime.add(name)
                if isinstance(kind, exp.PrimaryKeyColumnConstraint):
                    key.append(name)
        elif isinstance(item, exp.WatermarkColumnConstraint):
            rowtime.add(item.this.name.lower())
        elif isinstance(item, exp.PrimaryKey):
            key = [e.name.lower() for e in item.expressions]
    properties = tree.args.get("properties")
    connector = _option(properties, "connector")
    changelog = (
        connector in _CHANGELOG_CONNECTORS
        or _option(properties, "format") in _CHANGELOG_FORMATS
        or _option(properties, "value.format") in _CHANGELOG_FORMATS
        or _option(properties, "changelog.mode") in {"upsert", "retract"}
    )
    like = _like_source(properties, catalog)
    if like is not None:
        columns |= like.columns
        rowtime |= like.rowtime
        proctime |= like.proctime
        key = key or list(like.primary_key)
        connector = connector or like.connector
    query = tree.expression
    if isinstance(query, exp.Query):  # CREATE TABLE ... AS SELECT: the query's columns
        passed = view_facts(table_name(target), query, catalog)
        columns |= passed.columns
    return TableFacts(
        name=table_name(target),
        columns=frozenset(columns | rowtime),
        rowtime=frozenset(rowtime),
        proctime=frozenset(proctime),
        primary_key=tuple(key),
        connector=connector,
        changelog=changelog,
    )


def _like_source(properties: exp.Expr | None, catalog: Catalog) -> TableFacts | None:
    if properties is None:
        return None
    for prop in properties.expressions:
        if isinstance(prop, exp.LikeProperty) and isinstance(prop.this, exp.Table):
            return catalog.get(table_name(prop.this))
    return None


def _calls(node: exp.Expr | None, names: frozenset[str]) -> bool:
    return isinstance(node, exp.Anonymous | exp.Func) and _func_name(node) in names


def _func_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.upper()
    return node.sql_name().upper() if isinstance(node, exp.Func) else ""


def view_facts(name: str, query: exp.Query, catalog: Catalog) -> TableFacts:
    """Facts of a view: the columns of its SELECT list, with the time attributes it passes on."""
    select = query if isinstance(query, exp.Select) else query.find(exp.Select)
    if select is None:
        return TableFacts(name=name, view=True, query=query)
    sources = [
        facts
        for table in collect_nodes(select).tables
        if (facts := catalog.get(table_name(table))) is not None
    ]
    windowed = select.find(WindowTVF) is not None
    columns: set[str] = set()
    rowtime: set[str] = set()
    proctime: set[str] = set()
    for item in select.expressions:
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and item.is_star):
            for src in sources:
                columns |= src.columns
                rowtime |= src.rowtime
                proctime |= src.proctime
            continue
        alias = item.alias_or_name.lower()
        inner = item.this if isinstance(item, exp.Alias) else item
        columns.add(alias)
        if isinstance(inner, exp.Column):
            source = inner.name.lower()
            for src in sources:
                kind = src.time_kind(source)
                if kind == "rowtime":
                    rowtime.add(alias)
                elif kind == "proctime":
                    proctime.add(alias)
            if source == "window_time" and windowed:
                rowtime.add(alias)
        elif _calls(inner, _ROWTIME_FUNCTIONS):
            rowtime.add(alias)
        elif _calls(inner, _PROCTIME_FUNCTIONS):
            proctime.add(alias)
    return TableFacts(
        name=name,
        columns=frozenset(columns),
        rowtime=frozenset(rowtime),
        proctime=frozenset(proctime),
        view=True,
        query=query,
    )


__all__ = ["LOOKUP_CONNECTORS", "Catalog", "TableFacts", "TimeKind", "TimeVerdict"]
