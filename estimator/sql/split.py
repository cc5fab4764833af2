"""Cut a pasted Flink SQL script into its statements.

A statement ends at a semicolon that is outside strings, quoted identifiers, comments and
`EXECUTE STATEMENT SET BEGIN ... END` blocks (or the SQL client's `BEGIN STATEMENT SET; ...
END;`). The script is read with the Flink dialect's own
tokenizer, so strings and comments are recognised exactly as the parser will see them; when the
tokenizer cannot read the script (an unterminated string, binary junk), a small character scanner
with the same rules takes over.

Line numbers are 1-based and point at the statement's first character that is neither blank nor
part of a comment (so a comment above a statement does not move its line).
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass, field

from sqlglot.tokens import Token, TokenType

from estimator.sql.dialect import FlinkTokenizer

LARGE_SCRIPT_CHARS = 200_000
"""Scripts longer than this are cut by the character scanner (linear, no token per `;`); each
statement is then tokenized on its own."""

_GAP = re.compile(r"[\s;]+")  # blanks and stray semicolons between statements


@dataclass(frozen=True)
class SqlStatement:
    """One statement of a script: its text (without the closing semicolon) and first line."""

    text: str
    line: int


@dataclass(frozen=True)
class _Piece:
    """A statement with what the splitter learnt about it: where it starts and its tokens."""

    text: str
    line: int
    col: int
    tokens: list[Token] | None = field(default=None, compare=False)


# One tokenizer per thread: building one takes a fifth of the time a short statement takes.
_LOCAL = threading.local()


def tokenize(text: str) -> list[Token] | None:
    """Tokens of `text` with the Flink tokenizer, or None when it cannot be tokenized."""
    tokenizer = getattr(_LOCAL, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _LOCAL.tokenizer = FlinkTokenizer()
    try:
        return tokenizer.tokenize(text)  # starts from a reset state every time
    except Exception:  # TokenError, or anything odd from junk input
        return None
    finally:
        tokenizer.tokenize("")  # drop its references to the text and the tokens


def split_script(text: str) -> list[SqlStatement]:
    """The statements of a script, in order, with the line each starts on."""
    return [SqlStatement(text=p.text, line=p.line) for p in split_pieces(text)]


def split_pieces(text: str) -> list[_Piece]:
    """Statements with their tokens (when the tokenizer could read the script)."""
    if not text or not text.strip():
        return []
    if "\x00" in text or len(text) > LARGE_SCRIPT_CHARS:
        # binary junk (a NUL then spoils one statement only) or a huge script
        return _split_chars(text)
    tokens = tokenize(text)
    if tokens is None:
        return _split_chars(text)
    return _split_tokens(text, tokens)


def _opens_statement_set(tokens: list[Token], i: int) -> bool:
    return (
        tokens[i].token_type in {TokenType.EXECUTE, TokenType.BEGIN}
        and i + 2 < len(tokens)
        and tokens[i + 1].text.upper() == "STATEMENT"
        and tokens[i + 2].token_type == TokenType.SET
    )


def _token_groups(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each statement: the runs between semicolons, found in one quick pass,
    except that a statement opening a statement set runs on to its END first."""
    semicolon = TokenType.SEMICOLON
    semicolons = [i for i, token in enumerate(tokens) if token.token_type == semicolon]
    groups: list[list[Token]] = []
    n = len(tokens)
    start = 0
    while start < n:
        if tokens[start].token_type == semicolon:
            start += 1
            continue
        stop = _statement_set_end(tokens, start) if _opens_statement_set(tokens, start) else start
        found = bisect.bisect_left(semicolons, stop)
        end = semicolons[found] if found < len(semicolons) else n
        groups.append(tokens[start:end])
        start = end + 1
    return groups


def _statement_set_end(tokens: list[Token], start: int) -> int:
    """Just past the END that closes the statement set opened at `start` (CASE ... END inside
    it does not close it), or the end of the tokens."""
    case_depth = 0
    for i in range(start + 1, len(tokens)):
        token_type = tokens[i].token_type
        if token_type == TokenType.CASE:
            case_depth += 1
        elif token_type == TokenType.END:
            if not case_depth:
                return i + 1
            case_depth -= 1
    return len(tokens)


def _split_tokens(text: str, tokens: list[Token]) -> list[_Piece]:
    pieces: list[_Piece] = []
    line, offset = 1, 0
    for group in _token_groups(tokens):
        start, end = group[0].start, group[-1].end
        line += text.count("\n", offset, start)
        offset = start
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        pieces.append(_Piece(text=text[start : end + 1], line=line, col=col, tokens=group))
    return pieces


def _split_chars(text: str) -> list[_Piece]:
    """Character-level splitting, for scripts the tokenizer rejects."""
    pieces: list[_Piece] = []
    n = len(text)
    i = 0
    line = 1
    start = -1  # offset of the current statement's first significant character
    start_line = 1
    words: list[str] = []  # bare words of the statement, to follow STATEMENT SET ... END
    in_set = False
    case_depth = 0

    last_end = 0  # just past the statement's last significant character

    def close() -> None:
        nonlocal start
        if start >= 0:
            chunk = text[start:last_end]
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            pieces.append(_Piece(text=chunk, line=start_line, col=col))
        start = -1

    while i < n:
        if start < 0:
            gap = _GAP.match(text, i)
            if gap:
                line += text.count("\n", i, gap.end())
                i = gap.end()
                continue
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
            continue
        if ch.isspace():
            i += 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i) and not text.startswith("/*+", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if ch == ";" and not in_set:
            close()  # a stray semicolon (start < 0) closes nothing: no empty statement
            i += 1
            continue
        if start < 0:
            start, start_line = i, line
            words = []
        if ch in "'`\"" or text.startswith("/*+", i):
            closing = "*/" if ch == "/" else ch
            j = i + (3 if ch == "/" else 1)
            while True:
                j = text.find(closing, j)
                if j < 0:
                    j = n
                    break
                if closing == "'" and text.startswith("''", j):
                    j += 2
                    continue
                j += len(closing)
                break
            line += text.count("\n", i, j)
            i = last_end = j
            continue
        if ch.isalnum() or ch in "_$":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            word = text[i:j].upper()
            if len(words) < 3:
                words.append(word)
                in_set = in_set or words in (
                    ["EXECUTE", "STATEMENT", "SET"],
                    ["BEGIN", "STATEMENT", "SET"],
                )
            if in_set and word == "CASE":
                case_depth += 1
            elif in_set and word == "END":
                if case_depth:
                    case_depth -= 1
                else:
                    in_set = False
            i = last_end = j
            continue
        i = last_end = i + 1
    close()
    return pieces
