"""The queries a statement runs, as the user wrote them, and what they read.

The syntax tree (our Flink dialect) says what the statement is; the text of each query is cut
from the statement at token boundaries, so Flink runs the user's own SQL, not a re-printed one.
Each cut is checked: it must parse to the very tree the statement holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from estimator.calibrate.errors import CalibrationError
from estimator.sql import parse
from estimator.sql.dialect import FlinkTokenizer, StatementSet

_QUERY_STARTS = {TokenType.SELECT, TokenType.VALUES}
_QUERY_TYPES = (exp.Query, exp.Values)


@dataclass(frozen=True)
class StatementQueries:
    """The queries of one statement and the tables they read."""

    queries: tuple[str, ...]
    sources: tuple[str, ...]  # table names as written (last part), in order of appearance
    key_columns: frozenset[str]  # lower-case names of grouping, partitioning and join-key columns
    uses_rowtime: bool
    columns: frozenset[str] = frozenset()  # lower-case names of every column referenced
    reads_all_columns: bool = False  # a `*` (or `t.*`) reads whole rows

    def pass_through(self, table_columns: list[str]) -> list[str]:
        """Columns a fair pass-through of a table reads: those the statement reads (the
        planner pushes projections into the source, so unread columns cost nothing)."""
        if self.reads_all_columns:
            return ["*"]
        read = [c for c in table_columns if c.lower() in self.columns]
        return read or table_columns[:1]


def _tokens(sql: str) -> list[Token]:
    try:
        return FlinkTokenizer().tokenize(sql)
    except Exception as exc:
        raise CalibrationError(f"cannot read the SQL: {exc}") from None


def _query_start(tokens: list[Token]) -> int | None:
    """Index of the first token of the top-level query after a statement's head."""
    depth = 0
    for i, token in enumerate(tokens):
        kind = token.token_type
        nxt = tokens[i + 1].token_type if i + 1 < len(tokens) else None
        if depth == 0 and i > 0:
            if kind in _QUERY_STARTS:
                return i
            if kind == TokenType.WITH and nxt != TokenType.L_PAREN:
                return i  # a CTE; `WITH (` would be CREATE TABLE options
            if kind == TokenType.L_PAREN and nxt in {TokenType.SELECT, TokenType.WITH}:
                return i
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            depth -= 1
    return None


def _cut_query(sql: str, expected: exp.Expr) -> str:
    """The text of `expected` (the query inside an INSERT or CTAS) within `sql`."""
    tokens = _tokens(sql)
    start = _query_start(tokens)
    if start is None:
        raise CalibrationError("cannot find the query inside the statement")
    end = len(tokens) - 1
    while end > start and tokens[end].token_type == TokenType.SEMICOLON:
        end -= 1
    text = sql[tokens[start].start : tokens[end].end + 1]
    try:
        cut = parse(text)
    except Exception:
        cut = []
    if len(cut) != 1 or cut[0] != expected:
        raise CalibrationError("cannot isolate the query of this statement from its text")
    return text


def _statement_set_parts(sql: str) -> list[str]:
    """The INSERT statements between BEGIN and END of EXECUTE STATEMENT SET, as text."""
    tokens = _tokens(sql)
    begin = next((i for i, t in enumerate(tokens) if t.token_type == TokenType.BEGIN), None)
    if begin is None:
        raise CalibrationError("cannot find BEGIN of the statement set")
    parts: list[str] = []
    depth, case_depth, first = 0, 0, begin + 1
    for i in range(begin + 1, len(tokens)):
        kind = tokens[i].token_type
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(kind, 0)
        case_depth += {TokenType.CASE: 1}.get(kind, 0)
        if kind == TokenType.END and case_depth:
            case_depth -= 1
            continue
        if depth == 0 and kind in {TokenType.SEMICOLON, TokenType.END}:
            if i > first:
                parts.append(sql[tokens[first].start : tokens[i - 1].end + 1])
            first = i + 1
            if kind == TokenType.END:
                break
    return parts


def query_texts(sql: str, tree: exp.Expr) -> list[str]:
    """The query text(s) a statement runs: itself for a SELECT, the query of an INSERT or a
    CREATE TABLE AS, each INSERT's query of a statement set."""
    if isinstance(tree, _QUERY_TYPES):
        return [sql.strip().rstrip(";").strip()]
    if isinstance(tree, exp.Insert | exp.Create) and isinstance(tree.expression, _QUERY_TYPES):
        return [_cut_query(sql, tree.expression)]
    if isinstance(tree, StatementSet):
        texts: list[str] = []
        for part, inner in zip(_statement_set_parts(sql), tree.expressions, strict=False):
            texts += query_texts(part, inner)
        if len(texts) != len(tree.expressions):
            raise CalibrationError("cannot read every INSERT of the statement set")
        return texts
    raise CalibrationError(f"a {tree.key.upper()} statement runs no query to calibrate")


def _key_columns(tree: exp.Expr) -> set[str]:
    names: set[str] = set()
    for group in tree.find_all(exp.Group):
        names |= {c.name.lower() for e in group.expressions for c in e.find_all(exp.Column)}
    for window in tree.find_all(exp.Window):
        for e in window.args.get("partition_by") or []:
            names |= {c.name.lower() for c in e.find_all(exp.Column)}
    for join in tree.find_all(exp.Join):
        on = join.args.get("on")
        for eq in on.find_all(exp.EQ) if on is not None else []:
            if isinstance(eq.this, exp.Column) and isinstance(eq.expression, exp.Column):
                names |= {eq.this.name.lower(), eq.expression.name.lower()}
    return names


def _sources(trees: list[exp.Expr]) -> list[str]:
    found: list[str] = []
    for tree in trees:
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name = table.name
            if not name or name.lower() in ctes or isinstance(table.this, exp.Func):
                continue
            if name.lower() not in {f.lower() for f in found}:
                found.append(name)
    return found


def read_statement(sql: str) -> StatementQueries:
    """Parse a statement and say what it runs and reads (CalibrationError when it cannot)."""
    try:
        trees = parse(sql)
    except Exception as exc:
        raise CalibrationError(f"cannot parse the statement: {exc}") from None
    if len(trees) != 1:
        raise CalibrationError(f"expected one statement, found {len(trees)}")
    tree = trees[0]
    texts = query_texts(sql, tree)
    query_trees = [parse(t)[0] for t in texts]
    uses_rowtime = any(
        c.name.lower() == "$rowtime" for q in query_trees for c in q.find_all(exp.Column)
    )
    keys: set[str] = set()
    columns: set[str] = set()
    star = False
    for q in query_trees:
        keys |= _key_columns(q)
        columns |= {c.name.lower() for c in q.find_all(exp.Column) if c.name}
        star = star or any(
            isinstance(item, exp.Star)
            or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star))
            for select in q.find_all(exp.Select)
            for item in select.expressions
        )
    return StatementQueries(
        tuple(texts),
        tuple(_sources(query_trees)),
        frozenset(keys),
        uses_rowtime,
        frozenset(columns),
        star,
    )
