"""Table definitions read from CREATE TABLE statements, through our Flink dialect's trees.

Only what a generated source needs is kept: physical columns with their types, computed
columns, the watermark and the primary key. Confluent-only parts (DISTRIBUTED BY, connector
options, METADATA columns) are left behind here by construction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.expressions.datatypes import DType

from estimator.calibrate.errors import CalibrationError
from estimator.sql import Flink, parse
from estimator.sql.dialect import MetadataColumnConstraint

_DIALECT = Flink()

# sqlglot type -> Flink type name, for the types Flink spells differently or not at all.
_TYPE_NAMES: dict[DType, str] = {
    exp.DataType.Type.TEXT: "STRING",
    exp.DataType.Type.TIMESTAMPLTZ: "TIMESTAMP_LTZ",
    exp.DataType.Type.VARBINARY: "VARBINARY",
    exp.DataType.Type.STRUCT: "ROW",
    exp.DataType.Type.INT: "INT",
    exp.DataType.Type.FLOAT: "FLOAT",
    exp.DataType.Type.DOUBLE: "DOUBLE",
}
STRING_TYPES: frozenset[DType] = frozenset(
    {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR}
)
INTEGER_TYPES: frozenset[DType] = frozenset(
    {
        exp.DataType.Type.TINYINT,
        exp.DataType.Type.SMALLINT,
        exp.DataType.Type.INT,
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.DECIMAL,
    }
)


def quote(name: str) -> str:
    """A Flink identifier in backticks."""
    return "`" + name.replace("`", "``") + "`"


def flink_type(dtype: exp.DataType) -> str:
    """The Flink SQL spelling of a column type from the tree (STRING, TIMESTAMP_LTZ(3), ...)."""
    kind = dtype.this
    if kind == exp.DataType.Type.ARRAY and dtype.expressions:
        return f"ARRAY<{flink_type(dtype.expressions[0])}>"
    if kind == exp.DataType.Type.MAP and len(dtype.expressions) == 2:
        key, value = dtype.expressions
        return f"MAP<{flink_type(key)}, {flink_type(value)}>"
    if kind == exp.DataType.Type.STRUCT:
        fields = [
            f"{quote(f.name)} {flink_type(f.args['kind'])}"
            for f in dtype.expressions
            if isinstance(f, exp.ColumnDef) and f.args.get("kind") is not None
        ]
        return f"ROW<{', '.join(fields)}>"
    name = _TYPE_NAMES.get(kind, kind.value)
    params = [p.sql(dialect=_DIALECT) for p in dtype.expressions]
    return f"{name}({', '.join(params)})" if params else name


@dataclass(frozen=True)
class Column:
    """One column of a table: physical (dtype set) or computed (expression set)."""

    name: str
    dtype: exp.DataType | None = None
    computed: str | None = None  # Flink SQL of a computed column's expression

    @property
    def type_sql(self) -> str:
        return flink_type(self.dtype) if self.dtype is not None else ""

    @property
    def kind(self) -> DType | None:
        return self.dtype.this if self.dtype is not None else None


@dataclass(frozen=True)
class TableDef:
    """What a CREATE TABLE says about a table's rows."""

    name: str
    columns: tuple[Column, ...]
    watermark_column: str | None = None
    watermark_sql: str | None = None
    primary_key: tuple[str, ...] = ()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name.lower() == name.lower()), None)


def _table_name(table: exp.Table) -> str:
    return table.name


def _read_schema(name: str, schema: exp.Schema, base: TableDef | None) -> TableDef:
    columns: list[Column] = list(base.columns) if base else []
    watermark_column = base.watermark_column if base else None
    watermark_sql = base.watermark_sql if base else None
    primary_key: tuple[str, ...] = base.primary_key if base else ()
    for item in schema.expressions:
        if isinstance(item, exp.ColumnDef):
            kinds = [c.args.get("kind") for c in item.constraints]
            if any(isinstance(k, MetadataColumnConstraint) for k in kinds):
                continue  # Kafka metadata (offsets, headers, timestamps): not data we generate
            computed = next((k for k in kinds if isinstance(k, exp.ComputedColumnConstraint)), None)
            if computed is not None:
                columns.append(Column(item.name, computed=computed.this.sql(dialect=_DIALECT)))
            elif item.args.get("kind") is not None:
                columns.append(Column(item.name, dtype=item.args["kind"]))
        elif isinstance(item, exp.WatermarkColumnConstraint):
            watermark_column = item.this.name
            watermark_sql = item.expression.sql(dialect=_DIALECT)
        elif isinstance(item, exp.PrimaryKey):
            primary_key = tuple(e.name for e in item.expressions)
    return TableDef(name, tuple(columns), watermark_column, watermark_sql, primary_key)


def read_table_defs(scripts: Iterable[str]) -> dict[str, TableDef]:
    """Tables defined by CREATE TABLE statements in these scripts, by lower-case name.

    CREATE TABLE ... LIKE other copies the other table's columns. Statements that are not
    CREATE TABLE (or do not parse) are ignored: they are not definitions.
    """
    tables: dict[str, TableDef] = {}
    for script in scripts:
        try:
            trees = parse(script)
        except Exception as exc:  # ParseError, or the dialect's surprise
            raise CalibrationError(f"cannot read the table definitions: {exc}") from None
        for tree in trees:
            if not isinstance(tree, exp.Create) or str(tree.args.get("kind")).upper() != "TABLE":
                continue
            if tree.expression is not None:
                continue  # CREATE TABLE AS: a statement, its columns come from its query
            target = tree.this
            schema = target if isinstance(target, exp.Schema) else exp.Schema(expressions=[])
            table = schema.this if isinstance(target, exp.Schema) else target
            if not isinstance(table, exp.Table):
                continue
            base = None
            like = tree.find(exp.LikeProperty)
            if like is not None and isinstance(like.this, exp.Table):
                base = tables.get(_table_name(like.this).lower())
            name = _table_name(table)
            tables[name.lower()] = _read_schema(name, schema, base)
    return tables
