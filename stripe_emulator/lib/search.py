"""Stripe's search query language, compiled to indexed SQL over a resource table.

Grammar (https://docs.stripe.com/search): clauses ``[-]field OP value`` joined
by spaces/``AND`` or by ``OR`` (not both), at most 10. Operators: ``:`` exact
(for free-text strings: all the words, in order), ``~`` substring (≥ 3
characters, strings only), ``>``, ``<``, ``>=``, ``<=`` (numbers and unix
dates). Values are quoted with ``"`` or ``'`` (``\\`` escapes), numbers may be
bare, ``null`` tests absence. ``metadata['key']`` / ``metadata["key"]`` query
metadata. A malformed query is a 400 naming ``query``.

A resource plugs in by declaring :class:`SearchField` s whose ``expr`` is a SQL
expression over its table (an indexed column where speed matters).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stripe_emulator.lib.errors import ParameterError
from stripe_emulator.lib.pagination import DEFAULT_LIMIT
from stripe_emulator.lib.storage import Store, TableSpec, Where

MAX_CLAUSES = 10


@dataclass(frozen=True)
class SearchField:
    """A queryable field.

    ``kind``: ``string`` (``:`` word match, or equality when ``exact``; ``~``),
    ``token`` (``:`` equality), ``boolean`` (``:`` true/false), ``numeric``
    (``:`` and comparisons). ``lower_value`` lowercases query values for columns
    stored in lower case (status, currency) so the equality can use an index.
    """

    name: str
    kind: str
    expr: str
    exact: bool = False
    lower_value: bool = False


def metadata_field() -> SearchField:
    """The ``metadata['key']`` field (looked up in the object JSON)."""
    return SearchField("metadata", "token", "data")


@dataclass(frozen=True)
class Clause:
    field: str
    key: str | None
    operator: str
    value: str | int | None
    negated: bool


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    connective: str  # "AND" | "OR"


def _malformed(detail: str) -> ParameterError:
    return ParameterError(
        f"Invalid search query: {detail}. Use the format field:\"value\" (or "
        "metadata[\"key\"]:\"value\"), joined by AND or OR.",
        param="query",
    )


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0

    def skip_spaces(self) -> bool:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.pos > start

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or
                                             self.text[self.pos] in "_."):
            self.pos += 1
        return self.text[start : self.pos]

    def quoted(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char == quote:
                self.pos += 1
                return "".join(out)
            out.append(char)
            self.pos += 1
        raise _malformed("unterminated quoted value")


def parse_query(text: str) -> Query:
    """Parse ``text`` into clauses; raises a 400 naming ``query`` when malformed."""
    scanner = _Scanner(text)
    scanner.skip_spaces()
    if scanner.done():
        raise _malformed("the query is empty")
    clauses: list[Clause] = []
    connectives: set[str] = set()
    while True:
        clauses.append(_clause(scanner))
        had_space = scanner.skip_spaces()
        if scanner.done():
            break
        if not had_space:
            raise _malformed(f"unexpected character at position {scanner.pos}")
        save = scanner.pos
        word = scanner.word()
        if word.upper() in ("AND", "OR") and scanner.skip_spaces():
            connectives.add(word.upper())
        else:
            scanner.pos = save
            connectives.add("AND")
    if len(connectives) > 1:
        raise _malformed("AND and OR cannot be combined in one query")
    if len(clauses) > MAX_CLAUSES:
        raise _malformed(f"at most {MAX_CLAUSES} clauses are allowed")
    return Query(tuple(clauses), connectives.pop() if connectives else "AND")


def _clause(scanner: _Scanner) -> Clause:
    negated = scanner.peek() == "-"
    if negated:
        scanner.pos += 1
    field = scanner.word()
    if not field:
        raise _malformed(f"expected a field name at position {scanner.pos}")
    key = None
    if scanner.peek() == "[":
        scanner.pos += 1
        if scanner.peek() not in ("'", '"'):
            raise _malformed("metadata keys must be quoted, as in metadata['key']")
        key = scanner.quoted()
        if scanner.peek() != "]":
            raise _malformed("expected ] after the metadata key")
        scanner.pos += 1
    for operator in (">=", "<=", ":", "~", ">", "<"):
        if scanner.peek(len(operator)) == operator:
            scanner.pos += len(operator)
            break
    else:
        raise _malformed(f"expected an operator (: ~ > < >= <=) after {field}")
    return Clause(field, key, operator, _value(scanner), negated)


def _value(scanner: _Scanner) -> str | int | None:
    if scanner.peek() in ("'", '"'):
        return scanner.quoted()
    start = scanner.pos
    if scanner.peek() == "-":
        scanner.pos += 1
    word = scanner.word()
    raw = scanner.text[start : scanner.pos]
    if word == "null":
        return None
    if raw.lstrip("-").isdigit():
        return int(raw)
    raise _malformed(f"the value at position {start} must be quoted")


def compile_query(query: Query, fields: dict[str, SearchField], resource: str) -> Where:
    """Turn ``query`` into a SQL condition over the resource table."""
    parts: list[str] = []
    params: list[Any] = []
    for clause in query.clauses:
        field = fields.get(clause.field)
        if field is None:
            raise _malformed(f"`{clause.field}` is not a searchable field of {resource}")
        if (clause.key is None) != (clause.field != "metadata"):
            raise _malformed(f"`{clause.field}` takes no [key]" if clause.key is not None
                             else "metadata needs a key, as in metadata['key']")
        sql, values = _condition(field, clause)
        if clause.negated:
            sql = f"(({sql}) IS NOT 1)"
        parts.append(f"({sql})")
        params.extend(values)
    return Where().raw(f" {query.connective} ".join(parts), params)


def _condition(field: SearchField, clause: Clause) -> tuple[str, list[Any]]:
    expr = field.expr
    if clause.key is not None:
        expr = "json_extract(data, ?)"
        key = clause.key.replace('"', '\\"')
        key_params: list[Any] = [f'$.metadata."{key}"']
    else:
        key_params = []
    value, operator = clause.value, clause.operator
    if value is None:
        if operator != ":":
            raise _malformed("null can only be used with ':'")
        return f"{expr} IS NULL", key_params
    if field.kind == "numeric":
        return _numeric(expr, operator, value, field.name, key_params)
    if operator in (">", "<", ">=", "<="):
        raise _malformed(f"`{field.name}` is not numeric; use ':' or '~'")
    text = str(value)
    if operator == "~":
        if field.kind != "string":
            raise _malformed(f"'~' can only be used on string fields, not `{field.name}`")
        if len(text) < 3:
            raise _malformed("a substring search (~) needs at least 3 characters")
        return f"instr(lower({expr}), ?) > 0", [*key_params, text.lower()]
    if field.kind == "boolean":
        if text not in ("true", "false"):
            raise _malformed(f"`{field.name}` takes true or false")
        return f"{expr} = ?", [*key_params, int(text == "true")]
    if field.kind == "string" and not field.exact:
        return f"words_match({expr}, ?)", [*key_params, text]
    if field.lower_value:
        return f"{expr} = ?", [*key_params, text.lower()]
    if field.kind == "string":
        return f"lower({expr}) = ?", [*key_params, text.lower()]
    return f"{expr} = ?", [*key_params, text]


def _numeric(
    expr: str, operator: str, value: str | int, name: str, key_params: list[Any]
) -> tuple[str, list[Any]]:
    if isinstance(value, str):
        if not value.lstrip("-").isdigit():
            raise _malformed(f"`{name}` takes a number")
        value = int(value)
    if operator == "~":
        raise _malformed(f"'~' can only be used on string fields, not `{name}`")
    sql_operator = "=" if operator == ":" else operator
    return f"{expr} {sql_operator} ?", [*key_params, value]


def _encode_page(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode()


def _decode_page(token: str) -> tuple[int, int]:
    try:
        created, seq = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(created), int(seq)
    except (ValueError, TypeError):
        raise ParameterError(f"Invalid page: {token}", param="page") from None


def search_page(
    store: Store,
    spec: TableSpec,
    fields: dict[str, SearchField],
    params: dict[str, Any],
    url: str,
    render: Callable[[dict[str, Any]], dict[str, Any]],
    base: Where | None = None,
) -> dict[str, Any]:
    """Run a search request (``query``, ``limit``, ``page``) and build the search_result."""
    where = compile_query(parse_query(params["query"]), fields, spec.name)
    if base is not None:
        where.clauses.extend(base.clauses)
        where.params.extend(base.params)
    limit = params.get("limit") or DEFAULT_LIMIT
    after = _decode_page(params["page"]) if params.get("page") else None
    rows = _select_with_position(store, spec, where, limit + 1, after)
    has_more = len(rows) > limit
    rows = rows[:limit]
    result: dict[str, Any] = {
        "object": "search_result",
        "data": [render(obj) for obj, _ in rows],
        "has_more": has_more,
        "next_page": _encode_page(rows[-1][1]) if has_more else None,
        "url": url,
    }
    if "total_count" in (params.get("expand") or []):
        result["total_count"] = min(store.count(spec, where), 10_000)
    return result


def _select_with_position(
    store: Store, spec: TableSpec, where: Where, limit: int, after: tuple[int, int] | None
) -> list[tuple[dict[str, Any], tuple[int, int]]]:
    store.ensure_table(spec)
    sql, params = where.sql(), list(where.params)
    if after is not None:
        sql += " AND (created, seq) < (?, ?)"
        params.extend(after)
    query = (f"SELECT data, created, seq FROM {spec.name} WHERE {sql} "
             f"ORDER BY created DESC, seq DESC LIMIT {int(limit)}")
    rows = store.execute(query, params)
    return [(json.loads(r[0]), (r[1], r[2])) for r in rows]
