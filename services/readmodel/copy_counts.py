"""How many objects the local copy of Stripe holds right now, per kind.

Counted from the read-model tables themselves (deleted objects left out), so the count
follows every write the dashboard copies in and every event applied; the backfill's own
tally (:attr:`services.readmodel.upkeep.Freshness.objects`) only says how far listing
got. Read by the Admin page's read-model panel.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Engine

from services.readmodel import tables

COPIED_TABLES: dict[str, Table] = {
    "product": tables.products, "price": tables.prices,
    "customer": tables.customers, "invoice": tables.invoices,
}


def copied_objects(engine: Engine) -> dict[str, int]:
    """Objects present in the local copy, by Stripe object kind (``product``, ``price``,
    ``customer``, ``invoice``): a count of rows not marked deleted. Raises nothing of
    its own (database errors propagate)."""
    with engine.connect() as conn:
        return {
            kind: int(conn.execute(select(func.count()).select_from(table)
                                   .where(table.c.deleted.is_(False))).scalar_one())
            for kind, table in COPIED_TABLES.items()
        }
