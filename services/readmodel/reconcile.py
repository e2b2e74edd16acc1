"""Reconciliation: the read model's invoices against a fresh list from Stripe.

Counts and sums (``total`` and ``amount_remaining``, minor units) per status and
currency, side by side; a difference (drift) means an event was missed, and a
catch-up or a relist puts it right. The stored totals the Invoices list shows
(``rm_invoice_totals``, kept by triggers) are compared too: their count and amount
remaining must equal the invoices they sum. Listing every invoice costs ⌈N/100⌉ requests,
paced like the backfill, so it runs on demand (Admin page), not per page view.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from services.readmodel.stored_totals import stored_total_rows
from services.readmodel.sync import ReadModelSync
from services.readmodel.tables import invoices

COLUMNS = [
    "status", "currency", "stripe_count", "local_count", "stripe_total", "local_total",
    "stripe_remaining", "local_remaining", "stored_count", "stored_remaining", "drift",
]  # fmt: skip


def reconcile(sync: ReadModelSync, engine: Engine) -> pd.DataFrame:
    """One row per (status, currency) seen on any side: Stripe's count and sums, the
    read model's, and the stored totals'; ``drift`` True where any differ. Raises
    ``StripeUnavailable`` when Stripe cannot be listed."""
    stripe_side: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for page in sync.invoice_pages():
        for invoice in page:
            key = (str(invoice.get("status")), str(invoice.get("currency")))
            stripe_side[key][0] += 1
            stripe_side[key][1] += int(invoice.get("total") or 0)
            stripe_side[key][2] += int(invoice.get("amount_remaining") or 0)
    local_side: dict[tuple[str, str], list[int]] = {}
    statement = (
        select(invoices.c.status, invoices.c.currency, func.count(),
               func.sum(invoices.c.total), func.sum(invoices.c.amount_remaining))
        .where(and_(invoices.c.deleted.is_(False)))
        .group_by(invoices.c.status, invoices.c.currency)
    )
    with engine.connect() as conn:
        for status, currency, count, total, remaining in conn.execute(statement):
            local_side[(str(status), str(currency))] = [int(count), int(total or 0),
                                                        int(remaining or 0)]
        stored = {(str(status), str(currency)): (count, remaining)
                  for status, currency, count, _due, _paid, remaining
                  in stored_total_rows(conn)}
    rows = []
    for key in sorted(set(stripe_side) | set(local_side) | set(stored)):
        theirs = stripe_side.get(key, [0, 0, 0])
        ours = local_side.get(key, [0, 0, 0])
        kept = stored.get(key, (0, 0))
        rows.append([*key, theirs[0], ours[0], theirs[1], ours[1], theirs[2], ours[2],
                     *kept, theirs != ours or kept != (ours[0], ours[2])])
    return pd.DataFrame(rows, columns=COLUMNS)
