"""The migration's own wording of expressions, for the docs to quote.

sqlglot parses the DDL faithfully but prints expressions in its own dialect-neutral style
(``now()`` comes back as ``CURRENT_TIMESTAMP``, ``char_length`` as ``LENGTH``). A reader
comparing the docs with ``specs/sql`` should see the same text, so the clauses quoted on
the data-model pages are cut out of the source by token position instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot.dialects.dialect import Dialect
from sqlglot.tokenizer_core import Token, TokenType  # where sqlglot defines them

__all__ = ["IndexSource", "TableSource", "index_source", "split_statements", "table_source"]

_POSTGRES = Dialect.get_or_raise("postgres")

#: Words that start a table-level item instead of a column definition.
_TABLE_ITEM_WORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE", "LIKE"}
#: Words that end a DEFAULT expression (the next column constraint begins).
_AFTER_DEFAULT = {
    "NOT",
    "NULL",
    "CHECK",
    "REFERENCES",
    "UNIQUE",
    "PRIMARY",
    "CONSTRAINT",
    "GENERATED",
    "COLLATE",
}


def _tokens(sql: str) -> list[Token]:
    return list(_POSTGRES.tokenize(sql))


def split_statements(sql: str) -> Iterator[str]:
    """Each statement's text, comments before it included, without the closing semicolon."""
    start, has_tokens = 0, False
    for token in _tokens(sql):
        if token.token_type != TokenType.SEMICOLON:
            has_tokens = True
            continue
        if has_tokens:
            yield sql[start : token.start]
        start, has_tokens = token.end + 1, False
    if has_tokens:
        yield sql[start:]


def _text(sql: str, first: Token, last: Token) -> str:
    return " ".join(sql[first.start : last.end + 1].split())


def _matching_paren(tokens: list[Token], open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(tokens)):
        if tokens[i].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[i].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def _inside(sql: str, tokens: list[Token], open_at: int) -> tuple[str, int]:
    """Text between the parenthesis at ``open_at`` and its match, and the match's index."""
    close_at = _matching_paren(tokens, open_at)
    return _text(sql, tokens[open_at + 1], tokens[close_at - 1]), close_at


@dataclass
class TableSource:
    checks: list[str] = field(default_factory=list)  # in the order they appear
    defaults: dict[str, str] = field(default_factory=dict)  # column -> expression
    generated: dict[str, str] = field(default_factory=dict)  # column -> expression


def table_source(sql: str) -> TableSource:
    """CHECK, DEFAULT and GENERATED expressions of one ``CREATE TABLE`` statement, verbatim."""
    tokens = _tokens(sql)
    found = TableSource()
    open_at = next(i for i, t in enumerate(tokens) if t.token_type == TokenType.L_PAREN)
    close_at = _matching_paren(tokens, open_at)
    column: str | None = None
    item_starts = True
    i = open_at + 1
    while i < close_at:
        token = tokens[i]
        word = token.text.upper()
        if item_starts:
            column = None if word in _TABLE_ITEM_WORDS else token.text.strip('"')
            item_starts = False
        if token.token_type == TokenType.COMMA:
            item_starts = True
        elif token.token_type == TokenType.L_PAREN:
            i = _matching_paren(tokens, i)  # a type modifier such as varchar(12)
        elif word == "CHECK" and tokens[i + 1].token_type == TokenType.L_PAREN:
            text, i = _inside(sql, tokens, i + 1)
            found.checks.append(text)
        elif word == "GENERATED" and column is not None:
            # GENERATED ALWAYS AS (expression) STORED has an expression to show; an identity
            # column (GENERATED … AS IDENTITY, options in parentheses or none) has not
            ends = (TokenType.L_PAREN, TokenType.COMMA)
            stop = next((j for j in range(i, close_at) if tokens[j].token_type in ends), close_at)
            identity = any(tokens[j].text.upper() == "IDENTITY" for j in range(i, stop))
            if stop < close_at and tokens[stop].token_type == TokenType.L_PAREN and not identity:
                found.generated[column], i = _inside(sql, tokens, stop)
        elif word == "DEFAULT" and column is not None:
            j = i + 1
            while j < close_at and not (
                tokens[j].token_type == TokenType.COMMA or tokens[j].text.upper() in _AFTER_DEFAULT
            ):
                j = (
                    _matching_paren(tokens, j) + 1
                    if tokens[j].token_type == TokenType.L_PAREN
                    else j + 1
                )
            found.defaults[column] = _text(sql, tokens[i + 1], tokens[j - 1])
            i = j - 1
        i += 1
    return found


@dataclass
class IndexSource:
    keys: list[str]
    where: str | None


def index_source(sql: str) -> IndexSource:
    """Key expressions and the partial-index predicate of one ``CREATE INDEX``, verbatim."""
    tokens = _tokens(sql)
    open_at = next(i for i, t in enumerate(tokens) if t.token_type == TokenType.L_PAREN)
    close_at = _matching_paren(tokens, open_at)
    keys: list[str] = []
    first = open_at + 1
    i = first
    while i <= close_at:
        if tokens[i].token_type == TokenType.L_PAREN and i != open_at:
            i = _matching_paren(tokens, i)
        elif i == close_at or tokens[i].token_type == TokenType.COMMA:
            keys.append(_text(sql, tokens[first], tokens[i - 1]))
            first = i + 1
        i += 1
    where_at = next(
        (i for i in range(close_at, len(tokens)) if tokens[i].token_type == TokenType.WHERE), None
    )
    where = _text(sql, tokens[where_at + 1], tokens[-1]) if where_at is not None else None
    return IndexSource(keys=keys, where=where)
