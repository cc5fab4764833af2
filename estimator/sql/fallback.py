"""The token-level fallback: a careful reading of a statement the parser cannot read.

Used for statements cut short (unbalanced parentheses, a dangling keyword), too long for a full
parse, or that the parser rejects: keywords and names are read from the tokens, and the result
is marked with confidence "low" and the parse error.
"""

from __future__ import annotations

from sqlglot.tokens import Token, TokenType

from estimator.sql.dialect import WINDOW_TVFS
from estimator.sql.explain import explain
from estimator.sql.model import SELECT_ONE_TASK, Classification, StatementType
from estimator.sql.rules import Facts, kind_of, ordered_operators, state_of
from estimator.sql.split import tokenize

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
    statement_type: StatementType
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
    facts = Facts(operators=set(operators))
    one_task = SELECT_ONE_TASK if statement_type == "select" else None
    return Classification(
        statement_type=statement_type,
        kind=kind_of(operators),
        operators=operators,
        sources=sorted(set(sources)),
        sink=", ".join(sorted(sinks)) if sinks else None,
        parallelism_cap=1 if one_task else None,
        parallelism_reason=one_task,
        state=state,
        confidence="low",
        explanation=explain(facts, sources, sinks, statement_type, state, state_ttl)[:-1]
        + " (read token by token: the statement did not parse).",
        error=error,
    )


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


def cut_short(tokens: list[Token]) -> str | None:
    """Why a statement is visibly incomplete (unbalanced parentheses, a dangling keyword)."""
    types = [token.token_type for token in tokens]
    depth = types.count(TokenType.L_PAREN) - types.count(TokenType.R_PAREN)
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


def tokenize_unterminated(text: str) -> tuple[list[Token] | None, str]:
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


def looks_like_sql(tokens: list[Token]) -> bool:
    if not tokens:
        return False
    first = tokens[0]
    if first.token_type == TokenType.STRING:
        return False
    return first.text.upper() in _STATEMENT_STARTS or first.token_type == TokenType.COMMAND
