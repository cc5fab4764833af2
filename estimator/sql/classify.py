"""Classify Flink SQL statements: the entry points, and the one boundary that never raises.

Each statement is parsed once with the Flink dialect; the rules (estimator.sql.rules) read its
tree and name the operators; kind, state growth, parallelism cap and the explanation
(estimator.sql.explain) follow from them. A statement the parser cannot read is read token by
token (estimator.sql.fallback). The CREATE statements of a script, and any catalog the caller
passes (estimator.sql.catalog), tell the rules which columns are time attributes and which
tables are lookup tables.

`classify_statement` keeps the reads of the statements it saw last (a bounded cache keyed on the
exact text; `clear_parse_cache` empties it), so classifying the same text again with another
catalog or state TTL does not parse it again.

`classify_statement` and `classify_script` never raise: whatever goes wrong with one statement
comes back as a Classification with kind "unknown" and the error (`_safely` is that boundary).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.tokens import Token

from estimator.sql.catalog import Catalog
from estimator.sql.dialect import StatementSet
from estimator.sql.explain import command_object, ddl_explanation, explain
from estimator.sql.fallback import (
    classify_tokens,
    cut_short,
    looks_like_sql,
    tokenize_unterminated,
)
from estimator.sql.model import SELECT_ONE_TASK, Classification, StatementType
from estimator.sql.nodes import DIALECT, sink_table
from estimator.sql.rules import (
    AGGREGATE_OPS,
    JOIN_OPS,
    STATEFUL_OPS,
    UNBOUNDED_OPS,
    analyse_query,
    kind_of,
    ordered_operators,
    sources_and_sinks,
    state_of,
)
from estimator.sql.split import _Piece, split_pieces, tokenize

# A single statement with more tokens than this is read token by token: a full parse of
# megabytes of SQL would take tens of seconds in pure Python.
MAX_PARSE_TOKENS = 40_000

_STATE_TTL_KEYS: frozenset[str] = frozenset({"sql.state-ttl", "table.exec.state.ttl"})
_KNOWN_COMMANDS: frozenset[str] = frozenset({"SHOW", "EXPLAIN", "RESET", "DESCRIBE", "DESC"})
# CREATE <kind> statements the dialect keeps as text on purpose: DDL all the same.
_KNOWN_CREATE_KINDS: frozenset[str] = frozenset(
    {"MODEL", "CONNECTION", "CATALOG", "DATABASE", "AGENT", "TOOL", "FUNCTION"}
)

R = TypeVar("R")


# --- Classifying one parsed statement -------------------------------------------------------


def _statement_type(tree: exp.Expr) -> StatementType:
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


def _is_fallback_command(tree: exp.Expr) -> bool:
    """A CREATE/ALTER/... that the parser kept as raw text rather than a tree."""
    if not isinstance(tree, exp.Command):
        return False
    name = tree.name.upper()
    if name == "CREATE":
        return command_object(tree)[0] not in _KNOWN_CREATE_KINDS
    return name not in _KNOWN_COMMANDS


def classify_tree(
    tree: exp.Expr, *, state_ttl: bool = False, catalog: Catalog | None = None
) -> Classification:
    """The classification of one parsed statement."""
    statement_type = _statement_type(tree)
    if statement_type == "ddl":
        return Classification(
            statement_type="ddl",
            kind="ddl",
            explanation=ddl_explanation(tree),
            confidence="low" if _is_fallback_command(tree) else "high",
        )
    facts, nodes = analyse_query(tree, catalog)
    target = sink_table(tree.this) if statement_type == "ctas" else None
    sources, sinks = sources_and_sinks(nodes, target)
    ttl = state_ttl or facts.ttl_hint
    operators = ordered_operators(facts.operators)
    state = state_of(operators, ttl)
    reason = SELECT_ONE_TASK if statement_type == "select" else facts.single_task or None
    return Classification(
        statement_type=statement_type,
        kind=kind_of(operators),
        operators=operators,
        sources=sorted(sources),
        sink=", ".join(sorted(sinks)) if sinks else None,
        parallelism_cap=1 if reason else None,
        parallelism_reason=reason,
        state=state,
        confidence="guess" if facts.guesses else "high",
        explanation=explain(facts, sources, sinks, statement_type, state, ttl),
    )


# --- Reading one statement of a script ------------------------------------------------------


def _unknown(error: str) -> Classification:
    return Classification(
        statement_type="unknown",
        kind="unknown",
        confidence="low",
        explanation="Not read as SQL.",
        error=error,
    )


def _parse_error_text(err: Exception, line: int = 1, col: int = 1) -> str:
    if isinstance(err, ParseError) and err.errors:
        first = err.errors[0]
        description = first.get("description") or str(err).split("\n")[0]
        return f"line {first.get('line')}, column {first.get('col')}: {description}"
    if isinstance(err, RecursionError):
        return f"line {line}, column {col}: statement nested too deeply to parse"
    return f"line {line}, column {col}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"


@dataclass(frozen=True)
class _Read:
    """One statement as read: its tree, or its tokens and why they did not parse, or neither
    (then `unknown` says why it is not SQL)."""

    tree: exp.Expr | None = None
    tokens: list[Token] | None = None
    error: str = ""
    unknown: Classification | None = None


def _read_piece(piece: _Piece, sql: str) -> _Read:
    """Parse one statement of a script."""
    tokens = piece.tokens
    where = f"line {piece.line}, column {piece.col}"
    if tokens is None:
        tokens = tokenize(piece.text)
        sql = piece.text
    if tokens is None:
        tokens, what = tokenize_unterminated(piece.text)
        if tokens is None:
            return _Read(unknown=_unknown(f"{where}: cannot be read as SQL text"))
        if not looks_like_sql(tokens):
            return _Read(unknown=_unknown(f"{where}: not a SQL statement (unterminated {what})"))
        return _Read(tokens=tokens, error=f"{where}: unterminated {what} in the statement")
    if not looks_like_sql(tokens):
        word = tokens[0].text[:40] if tokens else ""
        return _Read(unknown=_unknown(f"{where}: not a SQL statement (starts with {word!r})"))
    short = cut_short(tokens)
    if short is not None:
        return _Read(tokens=tokens, error=short)
    if len(tokens) > MAX_PARSE_TOKENS:
        error = (
            f"{where}: statement too long for a full parse ({len(tokens)} tokens); "
            "read token by token"
        )
        return _Read(tokens=tokens, error=error)
    try:
        trees = [t for t in DIALECT.parser().parse(tokens, sql) if t is not None]
    except Exception as err:  # ParseError, RecursionError, anything from odd input
        return _Read(tokens=tokens, error=_parse_error_text(err, piece.line, piece.col))
    if not trees:
        return _Read(unknown=_unknown(f"{where}: empty statement"))
    return _Read(tree=trees[0], tokens=tokens)


def _classify_read(
    read: _Read, piece: _Piece, *, state_ttl: bool, catalog: Catalog | None
) -> tuple[Classification, bool]:
    """Classify a read statement; also say whether it leaves the state TTL set after it."""
    if read.unknown is not None:
        return read.unknown, state_ttl
    tokens = read.tokens or []
    if read.tree is None:
        return classify_tokens(tokens, state_ttl=state_ttl, error=read.error), state_ttl
    setting = _state_ttl_setting(read.tree)
    try:
        result = classify_tree(read.tree, state_ttl=state_ttl, catalog=catalog)
    except Exception as err:  # a tree no rule expected: read the tokens instead
        error = _parse_error_text(err, piece.line, piece.col)
        result = classify_tokens(tokens, state_ttl=state_ttl, error=error)
    return result, state_ttl if setting is None else setting


def _safely(work: Callable[[], R], on_error: Callable[[Exception], R]) -> R:
    """The one never-raise boundary: any exception becomes `on_error(err)`."""
    try:
        return work()
    except Exception as err:
        return on_error(err)


def _ignore(err: Exception) -> None:
    return None


def _unreadable(piece: _Piece, state_ttl: bool, err: Exception) -> tuple[Classification, bool]:
    return _unknown(_parse_error_text(err, piece.line, piece.col)), state_ttl


def _input_problem(text: object) -> str | None:
    if not isinstance(text, str):
        return "line 1, column 1: input is not text"
    if "\x00" in text:
        return "line 1, column 1: binary data, not SQL text"
    return None


# --- The public entry points ----------------------------------------------------------------


def classify_script(text: str, *, catalog: Catalog | None = None) -> list[Classification]:
    """Classify every statement of a script, in order.

    SET 'sql.state-ttl' carries forward; the script's CREATE TABLE/VIEW statements (wherever
    they are in the script) join `catalog` (which is not changed) to tell the rules about time
    attributes, keys and connectors.
    """
    if not isinstance(text, str):
        return [_unknown("line 1, column 1: input is not text")]
    pieces = _safely(lambda: split_pieces(text), lambda err: None)
    if pieces is None:
        return [_unknown("line 1, column 1: the script could not be split into statements")]
    known = Catalog(tables=dict(catalog.tables)) if catalog is not None else Catalog()

    def read_one(piece: _Piece) -> _Read | None:
        if "\x00" in piece.text:
            return None
        return _safely(lambda: _read_piece(piece, text), lambda err: None)

    reads = [read_one(p) for p in pieces]
    for read in reads:
        if read is not None and read.tree is not None:
            _safely(partial(known.add_tree, read.tree), _ignore)
    results: list[Classification] = []
    ttl = False
    for index, (piece, read) in enumerate(zip(pieces, reads, strict=True)):
        where = f"line {piece.line}, column {piece.col}"
        if "\x00" in piece.text:  # a NUL spoils only the statement it is in
            result = _unknown(f"{where}: binary data, not SQL")
        elif read is None:
            result = _unknown(f"{where}: the statement could not be read")
        else:
            result, ttl = _safely(
                partial(_classify_read, read, piece, state_ttl=ttl, catalog=known),
                partial(_unreadable, piece, ttl),
            )
        results.append(result.model_copy(update={"index": index, "line": piece.line}))
    return results


class _ParseCache:
    """The reads of the statements `classify_statement` saw last, by their exact text.

    The app classifies the same statement again whenever a setting or the catalog changes; the
    read (tokens and tree) does not depend on either, and the rules never change a tree. Bounded
    by entries and by the text held (a read takes about 120 bytes per character of SQL, so at
    most about 30 MB); longer statements are never kept. Thread-safe.
    """

    MAX_ENTRIES = 1024
    MAX_CHARS = 250_000
    MAX_TEXT = 20_000

    def __init__(self) -> None:
        self._reads: OrderedDict[str, tuple[_Piece, _Read]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, sql: str) -> tuple[_Piece, _Read] | None:
        with self._lock:
            found = self._reads.get(sql)
            if found is not None:
                self._reads.move_to_end(sql)
            return found

    def put(self, sql: str, piece: _Piece, read: _Read) -> None:
        if len(sql) > self.MAX_TEXT:
            return
        with self._lock:
            if sql in self._reads:
                return
            self._reads[sql] = (piece, read)
            self._chars += len(sql)
            while len(self._reads) > self.MAX_ENTRIES or self._chars > self.MAX_CHARS:
                old, _ = self._reads.popitem(last=False)
                self._chars -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._reads.clear()
            self._chars = 0


_PARSE_CACHE = _ParseCache()


def clear_parse_cache() -> None:
    """Forget every cached read (the benchmark times cold reads this way)."""
    _PARSE_CACHE.clear()


def classify_statement(
    sql: str, *, state_ttl: bool = False, catalog: Catalog | None = None
) -> Classification:
    """Classify one statement (the first, if `sql` holds several)."""
    problem = _input_problem(sql)
    if problem is not None:
        return _unknown(problem)

    def work() -> Classification:
        cached = _PARSE_CACHE.get(sql)
        if cached is None:
            pieces = split_pieces(sql)
            if not pieces:
                return _unknown("line 1, column 1: empty statement")
            cached = (pieces[0], _read_piece(pieces[0], sql))
            _PARSE_CACHE.put(sql, *cached)
        piece, read = cached
        result, _ = _classify_read(read, piece, state_ttl=state_ttl, catalog=catalog)
        return result  # index 0 and line 1 are the defaults

    return _safely(work, lambda err: _unknown(_parse_error_text(err)))


def parse(sql: str) -> list[exp.Expr]:
    """Parse Flink SQL into syntax trees (raises sqlglot.errors.ParseError on bad SQL)."""
    return [t for t in DIALECT.parse(sql) if t is not None]


__all__ = [
    "AGGREGATE_OPS",
    "JOIN_OPS",
    "STATEFUL_OPS",
    "UNBOUNDED_OPS",
    "Catalog",
    "analyse_query",
    "classify_script",
    "classify_statement",
    "classify_tree",
    "clear_parse_cache",
    "parse",
]
