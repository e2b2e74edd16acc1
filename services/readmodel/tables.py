"""The read model's tables, declared on the shared metadata; created by Alembic migrations
0002 (customers, products, prices, invoices), 0009 (tax rates, coupons) and 0011 (credit
notes; an out-of-band payment's PaymentRecord travels inside its invoice payment's JSON).

Every object table has the Stripe id as its key, ``data`` (the object's JSON as Stripe
sent it), ``version`` (when that copy was read from Stripe, in microseconds since the
epoch: a copy is only ever replaced by one read later) and ``deleted``. The other
columns are what views filter, sort, sum and search on; ``*_folded`` columns hold
text case- and accent-folded for search ("Söhne" → "sohne"). Times are Unix seconds
(UTC) as Stripe gives them; amounts are integer minor units.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, String, Table, Text

from services.core.database import metadata


def _object_columns() -> list[Column]:
    return [
        Column("data", Text, nullable=False),
        Column("version", BigInteger, nullable=False),
        Column("deleted", Boolean, nullable=False, default=False),
        Column("livemode", Boolean, nullable=False, default=False),
    ]


customers = Table(
    "rm_customers",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("name", Text),
    Column("name_folded", Text, index=True),
    Column("email", String(512)),
    Column("email_folded", String(512), index=True),
    Column("currency", String(3)),
    Column("test_clock", String(255)),
    Column("created", BigInteger, index=True),
    *_object_columns(),
)

products = Table(
    "rm_products",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("name", Text),
    Column("name_folded", Text, index=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created", BigInteger, index=True),
    *_object_columns(),
)

prices = Table(
    "rm_prices",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("product_id", String(255), index=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("currency", String(3), index=True),
    Column("unit_amount", BigInteger),
    Column("type", String(20)),
    Column("recurring_interval", String(10)),
    Column("nickname", Text),
    Column("created", BigInteger, index=True),
    *_object_columns(),
)

invoices = Table(
    "rm_invoices",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("number", String(100)),
    Column("number_folded", String(100), index=True),
    Column("status", String(20), index=True),
    Column("customer_id", String(255), index=True),
    Column("customer_name", Text),
    Column("customer_name_folded", Text),
    Column("customer_email", String(512)),
    Column("customer_email_folded", String(512)),
    Column("currency", String(3), index=True),
    Column("subtotal", BigInteger, nullable=False, default=0),
    Column("total", BigInteger, nullable=False, default=0, index=True),
    Column("amount_due", BigInteger, nullable=False, default=0, index=True),
    Column("amount_paid", BigInteger, nullable=False, default=0),
    Column("amount_remaining", BigInteger, nullable=False, default=0, index=True),
    Column("created", BigInteger, nullable=False, index=True),
    Column("due_date", BigInteger, index=True),
    Column("finalized_at", BigInteger),
    Column("paid_at", BigInteger, index=True),
    Column("voided_at", BigInteger),
    Column("marked_uncollectible_at", BigInteger),
    Column("collection_method", String(30)),
    Column("hosted_invoice_url", Text),
    Column("po_number", String(500)),
    Column("po_number_folded", String(500), index=True),
    # Every metadata value, folded, one per line (the lookup finds invoices by them).
    Column("metadata_folded", Text),
    Column("description", Text),
    Column("lines_complete", Boolean, nullable=False, default=True),
    # Order among invoices created in the same second (Stripe lists the later first):
    # when the copy was first stored, kept on later updates.
    Column("first_seen", BigInteger, nullable=False, default=0),
    *_object_columns(),
)

invoice_lines = Table(
    "rm_invoice_lines",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("invoice_id", String(255), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("description", Text),
    Column("description_folded", Text),
    Column("amount", BigInteger, nullable=False, default=0),
    Column("currency", String(3)),
    Column("quantity", BigInteger),
    Column("price_id", String(255)),
    Column("invoice_item_id", String(255), index=True),  # ii_… the line shows
    Column("data", Text, nullable=False),
)

invoice_payments = Table(
    "rm_invoice_payments",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("invoice_id", String(255), nullable=False, index=True),
    Column("status", String(20)),
    Column("amount_paid", BigInteger),
    Column("amount_requested", BigInteger),
    Column("currency", String(3)),
    Column("payment_type", String(30)),
    Column("created", BigInteger),
    Column("paid_at", BigInteger, index=True),
    Column("data", Text, nullable=False),
)

# Tax rates and coupons (migration 0008): the pickers and the Catalog page read these.
tax_rates = Table(
    "rm_tax_rates",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("display_name", Text),
    Column("percentage", Float),  # Stripe sends a decimal number (19.0, 8.25)
    Column("inclusive", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("country", String(2)),
    Column("jurisdiction", Text),
    Column("created", BigInteger, index=True),
    *_object_columns(),
)

coupons = Table(
    "rm_coupons",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("name", Text),
    Column("percent_off", Float),
    Column("amount_off", BigInteger),  # minor units of ``currency``
    Column("currency", String(3)),
    Column("duration", String(20)),
    Column("valid", Boolean, nullable=False, default=True),
    Column("max_redemptions", BigInteger),
    Column("times_redeemed", BigInteger, nullable=False, default=0),
    Column("redeem_by", BigInteger),
    Column("created", BigInteger, index=True),
    *_object_columns(),
)

# Credit notes (migration 0011): the invoice page, its timeline and the customer page.
credit_notes = Table(
    "rm_credit_notes",
    metadata,
    Column("id", String(255), primary_key=True),
    Column("number", String(100)),
    Column("invoice_id", String(255), index=True),
    Column("customer_id", String(255), index=True),
    Column("status", String(20)),  # issued, void
    Column("type", String(20)),  # pre_payment, post_payment, mixed
    Column("reason", String(40)),
    Column("currency", String(3)),
    Column("total", BigInteger, nullable=False, default=0),
    Column("pre_payment_amount", BigInteger, nullable=False, default=0),
    Column("post_payment_amount", BigInteger, nullable=False, default=0),
    Column("out_of_band_amount", BigInteger),
    Column("memo", Text),
    Column("created", BigInteger, index=True),
    Column("effective_at", BigInteger),
    Column("voided_at", BigInteger),
    *_object_columns(),
)

sync_state = Table(
    "rm_sync_state",
    metadata,
    # One row per object type being backfilled ("customer", "invoice", ...) and one
    # named "events" for the event cursor the read model is current up to.
    Column("name", String(50), primary_key=True),
    Column("cursor", String(255)),  # backfill: last id listed; events: last event id
    Column("position", BigInteger),  # events: created time of the last applied event
    Column("listed", BigInteger, nullable=False, default=0),
    Column("done", Boolean, nullable=False, default=False),
    Column("started_at", BigInteger),
    Column("finished_at", BigInteger),
    Column("updated_at", BigInteger),
)

OBJECT_TABLES = {
    "customer": customers,
    "product": products,
    "price": prices,
    "invoice": invoices,
    "tax_rate": tax_rates,
    "coupon": coupons,
    "credit_note": credit_notes,
}
