"""A sqlglot dialect for Apache Flink SQL as Confluent Cloud writes it.

Built on Trino, the nearest stock dialect: strings escape quotes only by doubling them, and it
already reads MATCH_RECOGNIZE and ROW types. On top of it, small overrides read what Flink adds:
backtick identifiers (with dashes, `$rowtime`), Flink DDL (watermarks, metadata and computed
columns, DISTRIBUTED BY ... INTO n BUCKETS, LIKE options, CREATE FUNCTION ... USING JAR),
ALTER TABLE ... MODIFY / ADD WATERMARK, EXECUTE STATEMENT SET, window table functions with
`TABLE t [PARTITION BY k]` arguments, MATCH_RECOGNIZE ... WITHIN and table hints; Flink 2.x
model and process table functions (`ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(c))`,
`f(input => TABLE t PARTITION BY k ORDER BY ts, uid => 'u')`) and `JSON_QUERY(... RETURNING
ARRAY<STRING> ...)`. What it reads it also prints back in a form it reads again.
"""

from __future__ import annotations

import typing as t

from sqlglot import exp
from sqlglot.dialects.trino import Trino
from sqlglot.errors import ErrorLevel, ParseError
from sqlglot.generators.trino import TrinoGenerator
from sqlglot.parsers.trino import TrinoParser
from sqlglot.tokens import TokenType

# Window table-valued functions (FROM TABLE(TUMBLE(...))); also the legacy group windows.
WINDOW_TVFS: frozenset[str] = frozenset({"TUMBLE", "HOP", "CUMULATE", "SESSION"})

# LIKE options: INCLUDING | EXCLUDING | OVERWRITING followed by one of these.
_LIKE_OPTION_KINDS: frozenset[str] = frozenset(
    {"ALL", "CONSTRAINTS", "DISTRIBUTION", "GENERATED", "METADATA", "OPTIONS", "PARTITIONS"}
    | {"WATERMARKS"}
)


# --- Flink-only syntax tree nodes -------------------------------------------------------------


class StatementSet(exp.Expression):
    """EXECUTE STATEMENT SET BEGIN <insert>; ...; END: several INSERTs run as one job."""

    arg_types: t.ClassVar[dict[str, bool]] = {"expressions": True}


class WindowTVF(exp.Expression, exp.Func):
    """TUMBLE / HOP / CUMULATE / SESSION, as a window table function or a legacy group window."""

    arg_types: t.ClassVar[dict[str, bool]] = {"this": True, "expressions": False}
    is_var_len_args = True


class TableArgument(exp.Expression):
    """`TABLE t [PARTITION BY k | (k, ...)] [ORDER BY ts]`: a table passed to a table function."""

    arg_types: t.ClassVar[dict[str, bool]] = {"this": True, "partition_by": False, "order": False}


class ModelArgument(exp.Expression):
    """`MODEL m`: a model passed to a model table function (ML_PREDICT, ML_EVALUATE, ...)."""

    arg_types: t.ClassVar[dict[str, bool]] = {"this": True}


class JsonQuery(exp.Expression, exp.Func):
    """JSON_QUERY(value, path [RETURNING type] [wrapper, ON EMPTY, ON ERROR options])."""

    arg_types: t.ClassVar[dict[str, bool]] = {
        "this": True,
        "path": True,
        "returning": False,
        "options": False,
    }


class MetadataColumnConstraint(exp.Expression, exp.ColumnConstraintKind):
    """`METADATA [FROM 'key'] [VIRTUAL]` on a column of a Flink table."""

    arg_types: t.ClassVar[dict[str, bool]] = {"this": False, "virtual": False}


class CreateFunctionUsing(exp.Property):
    """`[LANGUAGE lang] USING JAR 'path' [, JAR 'path']` of CREATE FUNCTION."""

    arg_types: t.ClassVar[dict[str, bool]] = {"language": False, "expressions": False}


class AlterModify(exp.Expression):
    """ALTER TABLE ... MODIFY (<column or watermark>, ...)."""

    arg_types: t.ClassVar[dict[str, bool]] = {"expressions": True}


class FlinkMatchRecognize(exp.MatchRecognize):
    """MATCH_RECOGNIZE with Flink's `WITHIN INTERVAL ...` time constraint."""

    arg_types: t.ClassVar[dict[str, bool]] = {**exp.MatchRecognize.arg_types, "within": False}


# --- Tokenizer ----------------------------------------------------------------------------------


class FlinkTokenizer(Trino.Tokenizer):
    IDENTIFIERS: t.ClassVar[list[str | tuple[str, str]]] = ["`", '"']
    # Flink keeps query hints (/*+ ... */) after SELECT/INSERT and table hints after a table name.
    HINT_START = "/*+"
    TOKENS_PRECEDING_HINT: t.ClassVar[set[TokenType]] = {
        TokenType.SELECT,
        TokenType.INSERT,
        TokenType.VAR,
        TokenType.IDENTIFIER,
    }
    KEYWORDS: t.ClassVar[dict[str, TokenType]] = {
        **Trino.Tokenizer.KEYWORDS,
        "/*+": TokenType.HINT,
        "BYTES": TokenType.VARBINARY,
        "STRING": TokenType.TEXT,
        "MULTISET": TokenType.ARRAY,
        "MATCH_RECOGNIZE": TokenType.MATCH_RECOGNIZE,
        "RESET": TokenType.COMMAND,
        "QUALIFY": TokenType.QUALIFY,  # Top-N filter on the rank (queries/topn.md)
    }
    # EXECUTE STATEMENT SET is parsed, not swallowed as a command string.
    COMMANDS: t.ClassVar[set[TokenType]] = Trino.Tokenizer.COMMANDS - {TokenType.EXECUTE}


# --- Parser -------------------------------------------------------------------------------------


def _parse_metadata(self: FlinkParser) -> MetadataColumnConstraint:
    key = self._parse_string() if self._match(TokenType.FROM) else None
    virtual = self._match_text_seq("VIRTUAL")
    return self.expression(MetadataColumnConstraint(this=key, virtual=virtual or None))


def _parse_watermark(self: FlinkParser) -> exp.WatermarkColumnConstraint:
    self._match(TokenType.FOR)
    column = self._parse_column()
    self._match(TokenType.ALIAS)
    return self.expression(
        exp.WatermarkColumnConstraint(this=column, expression=self._parse_disjunction())
    )


class FlinkParser(TrinoParser):
    STATEMENT_PARSERS: t.ClassVar = {
        **TrinoParser.STATEMENT_PARSERS,
        TokenType.EXECUTE: lambda self: self._parse_execute(),
        TokenType.BEGIN: lambda self: self._parse_begin(),
    }

    FUNCTION_PARSERS: t.ClassVar = {
        **TrinoParser.FUNCTION_PARSERS,
        "JSON_QUERY": lambda self: self._parse_flink_json_query(),
        **{name: lambda self, n=name: self._parse_window_tvf(n) for name in WINDOW_TVFS},
    }

    FUNC_TOKENS: t.ClassVar = {*TrinoParser.FUNC_TOKENS, TokenType.SESSION}

    CONSTRAINT_PARSERS: t.ClassVar = {
        **TrinoParser.CONSTRAINT_PARSERS,
        "METADATA": _parse_metadata,
        "WATERMARK": _parse_watermark,
    }

    SCHEMA_UNNAMED_CONSTRAINTS: t.ClassVar = {*TrinoParser.SCHEMA_UNNAMED_CONSTRAINTS, "WATERMARK"}

    PROPERTY_PARSERS: t.ClassVar = {
        **TrinoParser.PROPERTY_PARSERS,
        "DISTRIBUTED": lambda self: self._parse_distributed_property(),
    }

    ALTER_PARSERS: t.ClassVar = {
        **TrinoParser.ALTER_PARSERS,
        "ADD": lambda self: self._parse_flink_alter_add(),
        "MODIFY": lambda self: self._parse_flink_alter_modify(),
    }

    LAMBDAS: t.ClassVar = {
        **TrinoParser.LAMBDAS,
        TokenType.FARROW: lambda self, expressions: self.expression(
            exp.Kwarg(
                this=exp.var(expressions[0].name),
                expression=self._parse_table_argument() or self._parse_disjunction(),
            )
        ),
    }

    # Table hints read right after a table name, handed to _parse_table_hints.
    _flink_table_hints: list[exp.Expr] | None = None

    # EXECUTE STATEMENT SET BEGIN ...; ...; END ------------------------------------------------

    def _parse_execute(self) -> exp.Expr:
        start = self._prev
        if self._match_text_seq("STATEMENT", "SET"):
            return self._parse_statement_set()
        if self._match_set((TokenType.INSERT, TokenType.SELECT, TokenType.WITH), advance=False):
            return t.cast(exp.Expr, self._parse_statement())
        return self._parse_as_command(start)

    def _parse_begin(self) -> exp.Expr:
        """The SQL client's `BEGIN STATEMENT SET; <insert>; ... END`."""
        if self._match_text_seq("STATEMENT", "SET"):
            return self._parse_statement_set()
        return t.cast(exp.Expr, self._parse_transaction())

    def _parse_statement_set(self) -> StatementSet:
        self._match(TokenType.BEGIN)
        statements: list[exp.Expr] = []
        # The base parser cut the script into chunks at semicolons: continue through them.
        while not self._match(TokenType.END):
            if not self._curr:
                if self._chunk_index >= len(self._chunks):
                    self.raise_error("Expecting END of the statement set")
                    break
                self._advance_chunk()
                continue
            statement = self._parse_statement()
            if statement is None:
                self.raise_error("Expecting a statement in the statement set")
                break
            statements.append(statement)
            if self._curr and self._curr.token_type != TokenType.END:
                self.raise_error("Expecting ; or END in the statement set")
        return self.expression(StatementSet(expressions=statements))

    # Window table functions ------------------------------------------------------------------

    def _parse_window_tvf(self, name: str) -> WindowTVF:
        args = self._parse_csv(lambda: self._parse_table_argument() or self._parse_lambda())
        return self.expression(WindowTVF(this=exp.var(name), expressions=args))

    def _parse_table_argument(self) -> exp.Expr | None:
        if self._curr is None:
            return None
        if (
            self._curr.text.upper() == "MODEL"
            and self._next is not None
            and self._next.token_type in {TokenType.VAR, TokenType.IDENTIFIER}
        ):
            self._advance()
            return self.expression(ModelArgument(this=self._parse_table_parts()))
        if self._curr.token_type != TokenType.TABLE or self._next.token_type == TokenType.L_PAREN:
            return None
        self._advance()
        table = self._parse_table_parts()
        partition: list[exp.Expr] = []
        if self._match(TokenType.PARTITION_BY):
            if self._match(TokenType.L_PAREN, advance=False):
                partition = self._parse_wrapped_csv(self._parse_disjunction)
            else:
                partition = [t.cast(exp.Expr, self._parse_disjunction())]
        order = None
        if self._match(TokenType.ORDER_BY):
            if self._match(TokenType.L_PAREN, advance=False):
                keys: list[exp.Expr] = list(self._parse_wrapped_csv(self._parse_ordered))
            else:
                keys = [t.cast(exp.Expr, self._parse_ordered())]
            order = self.expression(exp.Order(expressions=keys))
        return self.expression(
            TableArgument(this=table, partition_by=partition or None, order=order)
        )

    # JSON_QUERY(value, path RETURNING ARRAY<STRING> WITHOUT ARRAY WRAPPER ...) -------------

    def _parse_flink_json_query(self) -> JsonQuery:
        this = self._parse_bitwise()
        path = self._parse_bitwise() if self._match(TokenType.COMMA) else None
        returning = self._parse_types() if self._match(TokenType.RETURNING) else None
        words: list[str] = []
        while self._curr and self._curr.token_type != TokenType.R_PAREN:
            words.append(self._curr.text.upper())
            self._advance()
        options = exp.var(" ".join(words)) if words else None
        return self.expression(
            JsonQuery(this=this, path=path, returning=returning, options=options)
        )

    def _parse_lambda(self, alias: bool = False) -> exp.Expr | None:
        return self._parse_table_argument() or super()._parse_lambda(alias=alias)

    # Table hints: `orders /*+ OPTIONS('k' = 'v') */ AS o` --------------------------------------

    def _parse_table_parts(
        self,
        schema: bool = False,
        is_db_reference: bool = False,
        wildcard: bool = False,
        fast: bool = False,
    ) -> exp.Table | exp.Dot | None:
        table = super()._parse_table_parts(
            schema=schema, is_db_reference=is_db_reference, wildcard=wildcard, fast=fast
        )
        self._flink_table_hints = None
        if table is not None and self._curr.token_type == TokenType.HINT:
            hint = self._parse_hint()
            if hint is not None:
                self._flink_table_hints = [hint]
                table.set("hints", [hint])
        return table

    def _parse_table_hints(self) -> list[exp.Expr] | None:
        hints, self._flink_table_hints = self._flink_table_hints, None
        return hints

    # CREATE TABLE pieces ---------------------------------------------------------------------

    def _parse_distributed_property(self) -> exp.DistributedByProperty:
        kind = "HASH"
        expressions: list[exp.Expr] | None = None
        if self._match_text_seq("BY"):
            if self._match_texts(("HASH", "RANDOM")):
                kind = self._prev.text.upper()
            if self._match(TokenType.L_PAREN, advance=False):
                expressions = self._parse_wrapped_csv(self._parse_id_var)
        buckets = self._parse_number() if self._match(TokenType.INTO) else None
        self._match_text_seq("BUCKETS")
        return self.expression(
            exp.DistributedByProperty(expressions=expressions, kind=kind, buckets=buckets)
        )

    def _parse_create_like(self) -> exp.LikeProperty | None:
        table = self._parse_table_parts(schema=True)
        options: list[exp.Expr] = []
        if self._match(TokenType.L_PAREN):
            while self._match_texts(("INCLUDING", "EXCLUDING", "OVERWRITING")):
                this = self._prev.text.upper()
                if not self._match_texts(_LIKE_OPTION_KINDS):
                    self.raise_error("Expecting a LIKE option")
                value = exp.var(self._prev.text.upper())
                options.append(self.expression(exp.Property(this=this, value=value)))
                self._match(TokenType.COMMA)
            self._match_r_paren()
        return self.expression(exp.LikeProperty(this=table, expressions=options))

    def _parse_create(self) -> exp.Create | exp.Command:
        index = self._index
        self._match(TokenType.TEMPORARY)
        self._match_text_seq("SYSTEM")
        if self._match(TokenType.FUNCTION):
            return self._parse_create_function()
        self._retreat(index)
        return super()._parse_create()

    def _parse_create_function(self) -> exp.Create:
        temporary = any(
            tok.token_type == TokenType.TEMPORARY for tok in self._tokens[: self._index]
        )
        exists = self._parse_exists(not_=True)
        name = self._parse_table_parts()
        self._match(TokenType.ALIAS)
        class_name = self._parse_string() or self._parse_column()
        language = self._parse_var() if self._match_text_seq("LANGUAGE") else None
        jars: list[exp.Expr] = []
        if self._match(TokenType.USING):
            jars = self._parse_csv(
                lambda: self._parse_string() if self._match_texts(("JAR", "ARTIFACT")) else None
            )
        props: list[exp.Expr] = [CreateFunctionUsing(language=language, expressions=jars or None)]
        if temporary:
            props.insert(0, exp.TemporaryProperty())
        return self.expression(
            exp.Create(
                this=name,
                kind="FUNCTION",
                expression=class_name,
                exists=exists,
                properties=exp.Properties(expressions=props),
            )
        )

    # ALTER TABLE ... ADD / MODIFY -------------------------------------------------------------

    def _parse_flink_alter_add(self) -> list[exp.Expr]:
        if self._match_text_seq("WATERMARK"):
            return [_parse_watermark(self)]
        if self._match(TokenType.L_PAREN, advance=False):
            schema = self._parse_schema()
            return [schema] if schema else []
        return self._parse_alter_table_add()

    def _parse_flink_alter_modify(self) -> list[exp.Expr]:
        if self._match_text_seq("WATERMARK"):
            return [self.expression(AlterModify(expressions=[_parse_watermark(self)]))]
        if self._match(TokenType.L_PAREN, advance=False):
            schema = t.cast(exp.Schema, self._parse_schema())
            return [self.expression(AlterModify(expressions=schema.expressions))]
        column = self._parse_field_def()
        return [self.expression(AlterModify(expressions=[column]))]

    # MATCH_RECOGNIZE ... WITHIN INTERVAL ... --------------------------------------------------

    def _parse_match_recognize(self) -> exp.MatchRecognize | None:
        if not self._match(TokenType.MATCH_RECOGNIZE):
            return None

        self._match_l_paren()
        partition = self._parse_partition_by()
        order = self._parse_order()
        measures = (
            self._parse_csv(self._parse_match_recognize_measure)
            if self._match_text_seq("MEASURES")
            else None
        )
        rows = None
        if self._match_text_seq("ONE", "ROW", "PER", "MATCH"):
            rows = exp.var("ONE ROW PER MATCH")
        elif self._match_text_seq("ALL", "ROWS", "PER", "MATCH"):
            rows = exp.var("ALL ROWS PER MATCH")

        after = None
        if self._match_text_seq("AFTER", "MATCH", "SKIP"):
            words = ["AFTER MATCH SKIP"]
            while self._curr and self._curr.text.upper() != "PATTERN":
                words.append(self._curr.text)
                self._advance()
            after = exp.var(" ".join(words))

        pattern = None
        if self._match_text_seq("PATTERN"):
            self._match_l_paren()
            depth, start, end = 1, self._curr, self._curr
            while self._curr and depth:
                depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(self._curr.token_type, 0)
                end = self._prev
                self._advance()
            if depth:
                self.raise_error("Expecting )")
            pattern = exp.var(self._find_sql(start, end))

        within = self._parse_bitwise() if self._match_text_seq("WITHIN") else None
        define = (
            self._parse_csv(self._parse_name_as_expression)
            if self._match_text_seq("DEFINE")
            else None
        )
        self._match_r_paren()

        return self.expression(
            FlinkMatchRecognize(
                partition_by=partition,
                order=order,
                measures=measures,
                rows=rows,
                after=after,
                pattern=pattern,
                within=within,
                define=define,
                alias=self._parse_table_alias(),
            )
        )

    def _warn_unsupported(self) -> None:
        """SHOW/EXPLAIN/RESET are kept as commands on purpose; the classifier reports the rest."""

    # User functions named like sqlglot built-ins -------------------------------------------

    def validate_expression(self, expression: t.Any, args: list | None = None) -> t.Any:
        """A call like `split(x)` that a built-in cannot take stays an anonymous function.

        The base check is inlined (sqlglot is pinned) so each node's errors are listed once:
        this runs for every node the parser builds."""
        if self.error_level == ErrorLevel.IGNORE or self.max_nodes > -1:
            if (
                args is not None
                and isinstance(expression, exp.Func)
                and expression.error_messages(args)
            ):
                return exp.Anonymous(this=expression.sql_name(), expressions=args)
            return super().validate_expression(expression, args)
        errors = expression.error_messages(args)
        if errors:
            if args is not None and isinstance(expression, exp.Func):
                return exp.Anonymous(this=expression.sql_name(), expressions=args)
            for message in errors:
                self.raise_error(message)
        return expression


# --- Generator (enough to print what the parser adds) ------------------------------------------


def _create_function_using_sql(self: TrinoGenerator, e: CreateFunctionUsing) -> str:
    language = f"LANGUAGE {self.sql(e, 'language')} " if e.args.get("language") else ""
    jars = ", ".join(f"JAR {self.sql(j)}" for j in e.expressions)
    return f"{language}USING {jars}" if jars else language.strip()


def _distributed_sql(self: TrinoGenerator, e: exp.DistributedByProperty) -> str:
    by = f" BY {e.args.get('kind') or 'HASH'}({self.expressions(e, flat=True)})"
    into = f" INTO {self.sql(e, 'buckets')} BUCKETS" if e.args.get("buckets") else ""
    return "DISTRIBUTED" + (by if e.expressions else "") + into


def _match_recognize_sql(self: TrinoGenerator, e: FlinkMatchRecognize) -> str:
    """Trino's MATCH_RECOGNIZE text with Flink's WITHIN before DEFINE."""
    text = self.matchrecognize_sql(e)
    within = e.args.get("within")
    if within is None:
        return text
    clause = f"WITHIN {self.sql(within)}"
    head, sep, tail = text.rpartition(self.seg("DEFINE"))
    if not sep:  # no DEFINE: WITHIN goes before the closing parenthesis
        body, _, alias = text.rpartition(")")
        return f"{body} {clause}){alias}"
    return f"{head}{self.seg(clause)}{sep}{tail}"


def _like_sql(self: TrinoGenerator, e: exp.LikeProperty) -> str:
    """LIKE t (INCLUDING ALL OVERWRITING OPTIONS): Flink keeps the options in parentheses."""
    options = " ".join(f"{o.name} {self.sql(o, 'value')}" for o in e.expressions)
    return f"LIKE {self.sql(e, 'this')}" + (f" ({options})" if options else "")


def _table_argument_sql(self: TrinoGenerator, e: TableArgument) -> str:
    keys = e.args.get("partition_by") or []
    partition = ""
    if len(keys) == 1:
        partition = f" PARTITION BY {self.sql(keys[0])}"
    elif keys:
        partition = f" PARTITION BY ({self.expressions(e, key='partition_by', flat=True)})"
    order = e.args.get("order")
    keys = order.expressions if order is not None else []
    by = self.sql(keys[0]) if len(keys) == 1 else f"({self.expressions(order, flat=True)})"
    return f"TABLE {self.sql(e, 'this')}{partition}" + (f" ORDER BY {by}" if keys else "")


def _json_query_sql(self: TrinoGenerator, e: JsonQuery) -> str:
    returning = f" RETURNING {self.sql(e, 'returning')}" if e.args.get("returning") else ""
    options = f" {self.sql(e, 'options')}" if e.args.get("options") else ""
    return f"JSON_QUERY({self.sql(e, 'this')}, {self.sql(e, 'path')}{returning}{options})"


class FlinkGenerator(TrinoGenerator):
    # Flink keeps /*+ ... */ query and table hints (STATE_TTL, OPTIONS, LOOKUP, ...).
    QUERY_HINTS = True
    TABLE_HINTS = True

    def table_sql(self, expression: exp.Table, sep: str = " AS ") -> str:
        """Flink puts a table's hints right after its name: `t /*+ OPTIONS(...) */ AS a`."""
        hints = expression.args.get("hints")
        if not hints:
            return super().table_sql(expression, sep)
        bare = expression.copy()
        bare.set("hints", None)
        version, alias = bare.args.get("version"), bare.args.get("alias")
        bare.set("version", None)
        bare.set("alias", None)
        text = f"{super().table_sql(bare, sep)} {' '.join(self.sql(h).strip() for h in hints)}"
        text += f" {self.sql(version)}" if version is not None else ""
        return text + (f"{sep}{self.sql(alias)}" if alias is not None else "")

    PROPERTIES_LOCATION: t.ClassVar = {
        **TrinoGenerator.PROPERTIES_LOCATION,
        CreateFunctionUsing: exp.Properties.Location.POST_EXPRESSION,
        exp.PartitionedByProperty: exp.Properties.Location.POST_SCHEMA,
    }
    TRANSFORMS: t.ClassVar = {
        **TrinoGenerator.TRANSFORMS,
        StatementSet: lambda self, e: (
            "EXECUTE STATEMENT SET BEGIN "
            + " ".join(f"{self.sql(s)};" for s in e.expressions)
            + " END"
        ),
        WindowTVF: lambda self, e: self.func(e.name, *e.expressions),
        AlterModify: lambda self, e: f"MODIFY ({self.expressions(e, flat=True)})",
        CreateFunctionUsing: lambda self, e: _create_function_using_sql(self, e),
        MetadataColumnConstraint: lambda self, e: (
            "METADATA"
            + (f" FROM {self.sql(e, 'this')}" if e.args.get("this") else "")
            + (" VIRTUAL" if e.args.get("virtual") else "")
        ),
        exp.DistributedByProperty: lambda self, e: _distributed_sql(self, e),
        exp.WatermarkColumnConstraint: lambda self, e: (
            f"WATERMARK FOR {self.sql(e, 'this')} AS {self.sql(e, 'expression')}"
        ),
        TableArgument: _table_argument_sql,
        ModelArgument: lambda self, e: f"MODEL {self.sql(e, 'this')}",
        JsonQuery: _json_query_sql,
        FlinkMatchRecognize: _match_recognize_sql,
        exp.LikeProperty: _like_sql,
        # WITH ('connector' = 'kafka', 'scan.startup.mode' = '...'): keys stay quoted strings.
        exp.Property: lambda self, e: (
            f"{self.sql(e, 'this')} = {self.sql(e, 'value')}"
            if isinstance(e.this, exp.Literal)
            else self.property_sql(e)
        ),
        exp.PartitionedByProperty: lambda self, e: (
            f"PARTITIONED BY ({self.expressions(e.this, flat=True)})"
            if isinstance(e.this, exp.Schema)
            else f"PARTITIONED BY {self.sql(e, 'this')}"
        ),
        exp.Version: lambda self, e: (
            f"FOR {'SYSTEM_TIME' if e.name.upper() == 'TIMESTAMP' else e.name} "
            f"{e.text('kind')} {self.sql(e, 'expression')}"
        ),
        exp.AlterSet: lambda self, e: f"SET ({self.expressions(e, flat=True)})",
    }


class Flink(Trino):
    """Apache Flink SQL (Confluent Cloud flavour)."""

    Tokenizer = FlinkTokenizer
    Parser = FlinkParser
    Generator = FlinkGenerator


__all__ = [
    "WINDOW_TVFS",
    "AlterModify",
    "CreateFunctionUsing",
    "Flink",
    "FlinkMatchRecognize",
    "JsonQuery",
    "MetadataColumnConstraint",
    "ModelArgument",
    "ParseError",
    "StatementSet",
    "TableArgument",
    "WindowTVF",
]
