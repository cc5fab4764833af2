"""Generated sources shaped like the user's tables: datagen tables behind views.

For a table `t` the calibration creates a datagen table `__calib_t` and a view `t` with
exactly the declared columns and types, so the statement's SQL runs unchanged:

- key columns (grouping, partitioning and join keys of the statement, primary keys, and any
  column named in `calibration.key_counts`) draw from N distinct values: a random BIGINT in
  [0, N-1] cast to the column's type;
- text columns carry a payload built with REPEAT (random long strings are slow to generate and
  would drown the operator's cost in the source's);
- the watermarked column (and `$rowtime` when the statement reads it) is the wall-clock time of
  generation, a computed column with the table's own watermark, so event time advances and
  windows fire;
- other columns are datagen's own random values of the declared type;
- computed columns keep their expression; METADATA columns, DISTRIBUTED BY and connector
  options are not carried over.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from estimator.calibrate.settings import CalibrationSettings
from estimator.calibrate.tables import INTEGER_TYPES, STRING_TYPES, Column, TableDef, quote

ROWS_PER_SECOND = 1_000_000_000
"""datagen's rate limit, far above what one core generates (its default is 10,000)."""

ROWTIME = "$rowtime"
_DIGITS = 19  # a random BIGINT printed: up to 19 digits (and a sign)
_FIXED_BYTES = 8  # bytes a non-text column adds to a message


@dataclass(frozen=True)
class GeneratedSource:
    """The SQL that creates one generated source, and the SQL that drops it again."""

    table: str
    setup: tuple[str, ...]
    teardown: tuple[str, ...]
    key_counts: dict[str, int]  # column -> distinct values, for the report


def string_length(table: TableDef, message_bytes: int | None, settings: CalibrationSettings) -> int:
    """Characters per generated text column: the setting, else the message size spread over
    the table's text columns (after 8 bytes for each other column), at least 1."""
    if settings.string_length is not None:
        return settings.string_length
    physical = [c for c in table.columns if c.dtype is not None]
    texts = [c for c in physical if c.kind in STRING_TYPES]
    if not texts or not message_bytes:
        return 16
    rest = message_bytes - _FIXED_BYTES * (len(physical) - len(texts))
    return max(1, min(65_536, rest // len(texts)))


def _declared_length(column: Column) -> int | None:
    if column.dtype is None or not column.dtype.expressions:
        return None
    try:
        return int(column.dtype.expressions[0].sql())
    except ValueError:
        return None


def _is_key(table: TableDef, column: Column, keys: frozenset[str], s: CalibrationSettings) -> bool:
    if column.kind not in INTEGER_TYPES | STRING_TYPES:
        return False
    name = column.name.lower()
    return (
        name in keys
        or name in {k.lower() for k in table.primary_key}
        or s.is_listed(table.name, column.name)
    )


def generated_source(
    table: TableDef,
    *,
    rows: int,
    key_columns: frozenset[str],
    uses_rowtime: bool,
    settings: CalibrationSettings,
    message_bytes: int | None = None,
    key_count: int | None = None,
) -> GeneratedSource:
    """Datagen table + view for `table`, with `rows` rows."""
    base = f"__calib_{table.name}"
    fields: list[str] = []  # the datagen table's columns
    options: dict[str, str] = {
        "connector": "datagen",
        "number-of-rows": str(rows),
        "rows-per-second": str(ROWS_PER_SECOND),
    }
    inner: list[str] = []  # the declared physical columns, computed from the generated ones
    outer: list[str] = []  # every declared column, in order, computed ones last in the chain
    counts: dict[str, int] = {}
    text_length = string_length(table, message_bytes, settings)
    for i, column in enumerate(table.columns):
        name = quote(column.name)
        if column.name == table.watermark_column:
            # Event time: the wall clock at generation, so it advances and windows fire.
            type_sql = column.type_sql or "TIMESTAMP_LTZ(3)"
            fields.append(f"{name} AS CAST(CURRENT_TIMESTAMP AS {type_sql})")
            inner.append(name)
            outer.append(name)
            continue
        if column.computed is not None:
            outer.append(f"{column.computed} AS {name}")
            continue
        outer.append(name)
        type_sql = column.type_sql
        if _is_key(table, column, key_columns, settings):
            n = settings.key_count(table.name, column.name, key_count)
            counts[column.name] = n
            helper = f"__k{i}"
            fields.append(f"{helper} BIGINT")
            options |= {
                f"fields.{helper}.kind": "random",
                f"fields.{helper}.min": "0",
                f"fields.{helper}.max": str(n - 1),
            }
            inner.append(f"CAST({helper} AS {type_sql}) AS {name}")
        elif column.kind in STRING_TYPES:
            helper = f"__s{i}"
            fields.append(f"{helper} BIGINT")
            declared = _declared_length(column)
            length = min(text_length, declared) if declared else text_length
            pad = max(0, length - _DIGITS)
            payload = f"CONCAT(CAST({helper} AS STRING), REPEAT('x', {pad}))"
            inner.append(f"CAST({payload} AS {type_sql}) AS {name}")
        else:
            fields.append(f"{name} {type_sql}")
            if column.kind in STRING_TYPES | {exp.DataType.Type.VARBINARY}:
                options[f"fields.{column.name}.length"] = str(text_length)
            inner.append(name)
    watermark_column = table.watermark_column
    watermark_sql = table.watermark_sql
    if uses_rowtime and table.column(ROWTIME) is None:
        fields.append(f"{quote(ROWTIME)} AS CAST(CURRENT_TIMESTAMP AS TIMESTAMP_LTZ(3))")
        inner.append(quote(ROWTIME))
        outer.append(quote(ROWTIME))
        if watermark_column is None:
            watermark_column = ROWTIME
            watermark_sql = f"{quote(ROWTIME)} - INTERVAL '1' SECOND"
    if watermark_column is not None and watermark_sql:
        fields.append(f"WATERMARK FOR {quote(watermark_column)} AS {watermark_sql}")
    with_sql = ", ".join(f"'{k}' = '{v}'" for k, v in options.items())
    create = (
        f"CREATE TEMPORARY TABLE {quote(base)} (\n  "
        + ",\n  ".join(fields)
        + f"\n) WITH ({with_sql})"
    )
    view = (
        f"CREATE TEMPORARY VIEW {quote(table.name)} AS SELECT {', '.join(outer)} FROM "
        f"(SELECT {', '.join(inner)} FROM {quote(base)})"
    )
    teardown = (
        f"DROP TEMPORARY VIEW IF EXISTS {quote(table.name)}",
        f"DROP TEMPORARY TABLE IF EXISTS {quote(base)}",
    )
    return GeneratedSource(table.name, (create, view), teardown, counts)
