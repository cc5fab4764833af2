"""Splitting a pasted script into statements with their line numbers."""

from __future__ import annotations

from estimator.sql import SqlStatement, split_script
from estimator.sql.split import _split_chars, split_pieces

SCRIPT = """-- header; with a semicolon
SET 'sql.state-ttl' = '1 h';  /* trailing; comment */

INSERT INTO a SELECT 'x;y', `we;ird` FROM b;
/* a block
   comment; spanning lines */
EXECUTE STATEMENT SET
BEGIN
  INSERT INTO a SELECT CASE WHEN x THEN 1 ELSE 0 END FROM b;
  INSERT INTO c SELECT * FROM d;
END;
SELECT 1 -- no final semicolon"""


def test_split_lines_and_texts() -> None:
    statements = split_script(SCRIPT)
    assert [s.line for s in statements] == [2, 4, 7, 12]
    assert statements[0] == SqlStatement(text="SET 'sql.state-ttl' = '1 h'", line=2)
    assert statements[1].text == "INSERT INTO a SELECT 'x;y', `we;ird` FROM b"
    assert statements[2].text.startswith("EXECUTE STATEMENT SET")
    assert statements[2].text.endswith("END")
    assert statements[2].text.count(";") == 2
    assert statements[3].text == "SELECT 1"


def test_character_fallback_agrees_with_tokens() -> None:
    by_tokens = [(p.text, p.line) for p in split_pieces(SCRIPT)]
    by_chars = [(p.text, p.line) for p in _split_chars(SCRIPT)]
    assert by_chars == by_tokens


def test_unterminated_string_uses_character_splitter() -> None:
    statements = split_script("SELECT 1;\nSELECT 'open; FROM t;\nSELECT 2")
    assert [s.line for s in statements] == [1, 2]
    assert statements[1].text.startswith("SELECT 'open")


def test_lower_case_statement_set_and_empty_statements() -> None:
    text = ";;\nexecute statement set begin insert into a select 1; insert into b select 2; end;;"
    statements = split_script(text)
    assert len(statements) == 1
    assert statements[0].line == 2


def test_empty_and_comment_only_scripts() -> None:
    assert split_script("") == []
    assert split_script("   \n\n") == []
    assert split_script("-- only a comment\n/* and ; another */") == []


def test_crlf_line_endings() -> None:
    statements = split_script("SELECT 1;\r\n\r\nSELECT 2;\r\n")
    assert [s.line for s in statements] == [1, 3]


def test_statement_is_frozen() -> None:
    statement = split_script("SELECT 1")[0]
    try:
        statement.line = 5  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("SqlStatement should be immutable")
