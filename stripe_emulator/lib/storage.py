"""SQLite state: one table per resource with typed, indexed columns.

A resource declares a :class:`TableSpec` (its table name, the columns pulled
out of the object for filtering, and the indexes over them) and registers it
with :func:`register_table`. Every resource table has the same core:
``seq`` (insertion order, the stable tie-break), ``id``, ``created`` and
``data`` (the object as JSON). Lists read newest first by ``(created, seq)``.

All access goes through one :class:`Store` whose :meth:`Store.transaction`
is the unit of work: one lock, ``BEGIN IMMEDIATE`` … ``COMMIT`` (or rollback on
error), so concurrent clients never lose a write. Transactions nest (inner ones
join the outer one).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stripe_emulator.lib.errors import MissingReferenceError, ResourceMissingError


@dataclass(frozen=True)
class Column:
    """A column copied out of the object on every write (``extract`` or ``obj[name]``)."""

    name: str
    sql_type: str = "TEXT"
    extract: Callable[[dict[str, Any]], Any] | None = None

    def value(self, obj: dict[str, Any]) -> Any:
        raw = self.extract(obj) if self.extract else obj.get(self.name)
        if isinstance(raw, bool):
            return int(raw)
        if isinstance(raw, dict):  # an expanded reference: index its id
            return raw.get("id")
        return raw


@dataclass(frozen=True)
class TableSpec:
    """How one resource is stored.

    ``indexes`` lists SQL expressions per index, e.g. ``("customer",)`` or
    ``("lower(number)",)``; ``created, seq`` are appended to each so filtered
    lists come out already ordered.
    """

    name: str
    object_name: str
    columns: tuple[Column, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    #: The object's creation-time key (``date`` on invoice items, which have no ``created``).
    created_field: str = "created"

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


TABLES: dict[str, TableSpec] = {}
_SYSTEM_DDL: list[str] = []


def register_table(spec: TableSpec) -> TableSpec:
    """Declare a resource table (created on every store opened afterwards)."""
    TABLES[spec.name] = spec
    return spec


def register_ddl(*statements: str) -> None:
    """Declare system tables (idempotency records, jobs...) as ``CREATE … IF NOT EXISTS``."""
    _SYSTEM_DDL.extend(s for s in statements if s not in _SYSTEM_DDL)


class Where:
    """A conjunction of SQL conditions over a table's columns."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def eq(self, column: str, value: Any) -> Where:
        if value is None:
            self.clauses.append(f"{column} IS NULL")
        else:
            self.clauses.append(f"{column} = ?")
            self.params.append(int(value) if isinstance(value, bool) else value)
        return self

    def isin(self, column: str, values: Sequence[Any]) -> Where:
        if not values:
            self.clauses.append("0")
            return self
        self.clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
        self.params.extend(values)
        return self

    def range(self, column: str, bounds: dict[str, int] | None) -> Where:
        """Apply a :class:`~stripe_emulator.lib.params.Range` value (``eq``/``gt``/…)."""
        operators = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
        for key, value in (bounds or {}).items():
            self.clauses.append(f"{column} {operators[key]} ?")
            self.params.append(value)
        return self

    def raw(self, sql: str, params: Sequence[Any] = ()) -> Where:
        self.clauses.append(f"({sql})")
        self.params.extend(params)
        return self

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def words_match(haystack: Any, needle: Any) -> int:
    """SQL function: do ``needle``'s words appear in order, adjacent, in ``haystack``?"""
    if haystack is None or needle is None:
        return 0
    hay, words = _words(str(haystack)), _words(str(needle))
    if not words:
        return int(str(haystack).lower() == str(needle).lower())
    span = len(words)
    return int(any(hay[i : i + span] == words for i in range(len(hay) - span + 1)))


def _create_private(path: Path) -> None:
    """Make the database file readable by its owner only (0600; a folder we create 0700):
    it holds the webhook endpoints' signing secrets and every customer's details. SQLite
    gives its -wal and -shm files the same mode."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)


class Store:
    """The emulator's database; a file path keeps state across restarts."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = os.fspath(path) if path is not None else ":memory:"
        self.lock = threading.RLock()
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        self._ready_tables: set[str] = set()
        if self.path != ":memory:":
            _create_private(Path(self.path))
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.create_function("words_match", 2, words_match, deterministic=True)
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        for statement in _SYSTEM_DDL:
            self.conn.execute(statement)
        for spec in list(TABLES.values()):
            self.ensure_table(spec)

    # -- schema -----------------------------------------------------------------------------
    def ensure_table(self, spec: TableSpec) -> None:
        """Create ``spec``'s table, missing columns and indexes (idempotent)."""
        if spec.name in self._ready_tables:
            return
        with self.lock:
            columns = "".join(f", {c.name} {c.sql_type}" for c in spec.columns)
            self.conn.execute(
                f"CREATE TABLE IF NOT EXISTS {spec.name} (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                f" id TEXT NOT NULL UNIQUE, created INTEGER NOT NULL{columns},"
                " data TEXT NOT NULL)"
            )
            existing = {row[1] for row in self.conn.execute(f"PRAGMA table_info({spec.name})")}
            for column in spec.columns:
                if column.name not in existing:
                    self.conn.execute(
                        f"ALTER TABLE {spec.name} ADD COLUMN {column.name} {column.sql_type}"
                    )
            self.conn.execute(
                f"CREATE INDEX IF NOT EXISTS ix_{spec.name}__created ON {spec.name}(created, seq)"
            )
            for exprs in spec.indexes:
                suffix = re.sub(r"\W+", "_", "_".join(exprs)).strip("_")
                self.conn.execute(
                    f"CREATE INDEX IF NOT EXISTS ix_{spec.name}__{suffix} ON {spec.name}"
                    f"({', '.join(exprs)}, created, seq)"
                )
            self._ready_tables.add(spec.name)

    # -- unit of work -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, savepoint: bool = True) -> Iterator[Store]:
        """The unit of work: one writer at a time, all or nothing.

        Inside another transaction it is a savepoint: an error rolls back only what was
        done inside it (e.g. one failing scheduled job during a test-clock advance).
        An error with ``keep_changes`` (a card decline) keeps the writes and propagates.
        """
        with self.lock:
            if self._depth:
                yield from self._nested(savepoint)
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException as exc:
                self._depth = 0
                if not getattr(exc, "keep_changes", False):
                    self._after_commit.clear()
                    self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
                self._run_after_commit()
                raise
            self._depth = 0
            self.conn.execute("COMMIT")
            self._run_after_commit()

    def _nested(self, savepoint: bool) -> Iterator[Store]:
        self._depth += 1
        name = f"sp{self._depth}"
        if savepoint:
            self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException as exc:
            if savepoint:
                if not getattr(exc, "keep_changes", False):
                    self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
            raise
        else:
            if savepoint:
                self.conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    def _run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current transaction commits (now if none is open)."""
        with self.lock:
            if self._depth:
                self._after_commit.append(callback)
                return
        callback()

    # -- rows ---------------------------------------------------------------------------------
    def insert(self, spec: TableSpec, obj: dict[str, Any]) -> None:
        self.ensure_table(spec)
        names = ["id", "created", *spec.column_names(), "data"]
        values = [obj["id"], obj[spec.created_field], *(c.value(obj) for c in spec.columns),
                  _dump(obj)]
        with self.transaction():
            self.conn.execute(
                f"INSERT INTO {spec.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)})",
                values,
            )

    def insert_many(self, spec: TableSpec, objects: Sequence[dict[str, Any]]) -> None:
        """Bulk insert (benchmarks and fixtures filling the store directly)."""
        self.ensure_table(spec)
        names = ["id", "created", *spec.column_names(), "data"]
        rows = [
            [o["id"], o[spec.created_field], *(c.value(o) for c in spec.columns), _dump(o)]
            for o in objects
        ]
        with self.transaction():
            self.conn.executemany(
                f"INSERT INTO {spec.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)})",
                rows,
            )

    def update(self, spec: TableSpec, obj: dict[str, Any]) -> None:
        self.ensure_table(spec)
        sets = ", ".join(f"{c.name} = ?" for c in spec.columns)
        values = [*(c.value(obj) for c in spec.columns), _dump(obj), obj["id"]]
        with self.transaction(savepoint=False):
            self.conn.execute(
                f"UPDATE {spec.name} SET {sets + ', ' if sets else ''}data = ? WHERE id = ?",
                values,
            )

    def delete(self, spec: TableSpec, object_id: str) -> None:
        self.ensure_table(spec)
        with self.transaction(savepoint=False):
            self.conn.execute(f"DELETE FROM {spec.name} WHERE id = ?", (object_id,))

    def get(self, spec: TableSpec, object_id: str) -> dict[str, Any] | None:
        self.ensure_table(spec)
        with self.lock:
            row = self.conn.execute(
                f"SELECT data FROM {spec.name} WHERE id = ?", (object_id,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def require(self, spec: TableSpec, object_id: str, param: str | None = "id") -> dict[str, Any]:
        """The object, or 404 ``No such <object>: '<id>'`` naming ``param``."""
        obj = self.get(spec, object_id)
        if obj is None:
            raise ResourceMissingError(spec.object_name, object_id, param=param)
        return obj

    def require_reference(self, spec: TableSpec, object_id: str, param: str) -> dict[str, Any]:
        """The object a parameter names, or 400 ``No such <object>`` naming ``param``."""
        obj = self.get(spec, object_id)
        if obj is None:
            raise MissingReferenceError(spec.object_name, object_id, param=param)
        return obj

    def position(self, spec: TableSpec, object_id: str) -> tuple[int, int] | None:
        """``(created, seq)`` of an object: where a cursor points."""
        with self.lock:
            row = self.conn.execute(
                f"SELECT created, seq FROM {spec.name} WHERE id = ?", (object_id,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def select(
        self,
        spec: TableSpec,
        where: Where | None = None,
        *,
        limit: int | None = None,
        after: tuple[int, int] | None = None,
        before: tuple[int, int] | None = None,
    ) -> list[dict[str, Any]]:
        """Objects newest first; ``after``/``before`` are exclusive ``(created, seq)`` bounds.

        With ``before`` the nearest (oldest) newer rows are taken, still returned newest first.
        """
        self.ensure_table(spec)
        where = where or Where()
        sql, params = where.sql(), list(where.params)
        order = "DESC"
        if after is not None:
            sql += " AND (created, seq) < (?, ?)"
            params.extend(after)
        if before is not None:
            sql += " AND (created, seq) > (?, ?)"
            params.extend(before)
            order = "ASC"
        query = f"SELECT data FROM {spec.name} WHERE {sql} ORDER BY created {order}, seq {order}"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self.lock:
            rows = self.conn.execute(query, params).fetchall()
        objects = [json.loads(r[0]) for r in rows]
        return objects[::-1] if order == "ASC" else objects

    def count(self, spec: TableSpec, where: Where | None = None) -> int:
        self.ensure_table(spec)
        where = where or Where()
        with self.lock:
            row = self.conn.execute(
                f"SELECT COUNT(*) FROM {spec.name} WHERE {where.sql()}", where.params
            ).fetchone()
        return int(row[0])

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run raw SQL on the system tables; returns all rows."""
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self.lock:
            self.conn.close()


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"))

