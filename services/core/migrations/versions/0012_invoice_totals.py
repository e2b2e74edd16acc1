"""Stored per-(status, currency) invoice totals, kept by triggers on ``rm_invoices``.

``rm_invoice_totals`` holds, for every (status, currency) of the live invoices
(``deleted`` false), how many there are and the sums of ``amount_due``,
``amount_paid`` and ``amount_remaining`` (integer minor units). A NULL status or
currency is stored as ``''`` (a key column cannot be NULL); the readers map it back.
It is filled here from the stored rows, then kept by triggers in the transaction of
every write to ``rm_invoices`` (insert, update, delete: whatever code writes), so the
Invoices list's unfiltered totals read a handful of rows instead of 100,000:

* SQLite: row triggers (one writer at a time: no lock order to care about); the
  update trigger only runs when a counted column changed.
* PostgreSQL: statement triggers over the transition tables (``REFERENCING OLD/NEW
  TABLE``): one ``INSERT … ON CONFLICT DO UPDATE`` per statement adds the statement's
  net change per group (a listed page of 100 invoices is one statement), groups whose
  change is nil are skipped (a customer rename locks no totals row), and the groups
  are written in key order, so two servers writing at once wait on each other's rows
  in one order (no deadlock between single statements). The upsert adds to the
  committed row, so concurrent writers never lose a change.

The triggers are created before the fill, in the same transaction: on PostgreSQL
``CREATE TRIGGER`` blocks writes to ``rm_invoices`` until the migration commits, so no
write falls between the fill and the triggers.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "rm_invoice_totals"
AMOUNTS = ("amount_due", "amount_paid", "amount_remaining")
EVENTS = ("insert", "update", "delete")
FUNCTION = "rm_invoice_totals_follow"

_COLUMNS = f"status, currency, invoice_count, {', '.join(AMOUNTS)}"
_ADD = ", ".join(f"{name} = {TABLE}.{name} + excluded.{name}"
                 for name in ("invoice_count", *AMOUNTS))
_CONFLICT = f"ON CONFLICT (status, currency) DO UPDATE SET {_ADD}"


def _side(prefix: str, sign: str) -> str:
    """The counted values of one row (``new.``/``old.`` in a SQLite trigger, or the
    columns of a transition table), negated with ``sign='-'``."""
    amounts = ", ".join(f"{sign}{prefix}{name}" for name in AMOUNTS)
    return (f"COALESCE({prefix}status, ''), COALESCE({prefix}currency, ''), {sign}1, "
            f"{amounts}")


def _sqlite_change(prefix: str, sign: str) -> str:
    # "WHERE" also settles SQLite's parsing of "SELECT … ON CONFLICT" (upsert vs join).
    return (f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {_side(prefix, sign)} "
            f"WHERE NOT {prefix}deleted {_CONFLICT};")


_COUNTED = ("deleted", "status", "currency", *AMOUNTS)
_SQLITE_TRIGGERS = {
    "insert": ("AFTER INSERT ON rm_invoices", _sqlite_change("new.", "")),
    "update": (
        "AFTER UPDATE ON rm_invoices WHEN "
        + " OR ".join(f"old.{name} IS NOT new.{name}" for name in _COUNTED),
        _sqlite_change("old.", "-") + " " + _sqlite_change("new.", ""),
    ),
    "delete": ("AFTER DELETE ON rm_invoices", _sqlite_change("old.", "-")),
}


def _postgresql_change(sources: Sequence[tuple[str, str]]) -> str:
    """One upsert of the net change per group over transition tables ``(name, sign)``."""
    changes = " UNION ALL ".join(
        f"SELECT {_side('', sign)} FROM {name} WHERE NOT deleted" for name, sign in sources)
    sums = ", ".join(f"SUM(c{index})" for index in range(3, 7))
    nonzero = " OR ".join(f"SUM(c{index}) <> 0" for index in range(3, 7))
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) "
        f"SELECT c1, c2, {sums} FROM ({changes}) AS changes (c1, c2, c3, c4, c5, c6) "
        f"GROUP BY c1, c2 HAVING {nonzero} ORDER BY c1, c2 {_CONFLICT};"
    )


_POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_postgresql_change([("new_rows", "")])}
    ELSIF TG_OP = 'DELETE' THEN
        {_postgresql_change([("old_rows", "-")])}
    ELSE
        {_postgresql_change([("old_rows", "-"), ("new_rows", "")])}
    END IF;
    RETURN NULL;
END;
$$
"""
_POSTGRESQL_REFERENCING = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_count", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in AMOUNTS),
        sa.PrimaryKeyConstraint("status", "currency"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event, (when, body) in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {TABLE}_{event} {when} BEGIN {body} END")
    elif dialect == "postgresql":
        op.execute(_POSTGRESQL_FUNCTION)
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER {TABLE}_{event} AFTER {event.upper()} ON rm_invoices "
                       f"REFERENCING {_POSTGRESQL_REFERENCING[event]} FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION {FUNCTION}()")
    sums = ", ".join(f"SUM({name})" for name in AMOUNTS)
    op.execute(f"INSERT INTO {TABLE} ({_COLUMNS}) "
               f"SELECT COALESCE(status, ''), COALESCE(currency, ''), COUNT(*), {sums} "
               f"FROM rm_invoices WHERE NOT deleted "
               f"GROUP BY COALESCE(status, ''), COALESCE(currency, '')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for event in EVENTS:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{event} ON rm_invoices")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{event}")
    if dialect == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    op.drop_table(TABLE)
