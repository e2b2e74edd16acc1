"""The one list of what the emulator runs by name, and how a state gets it.

* ``JOBS`` — every kind of timed work and its handler (``lib.scheduler``).
* ``EXPANDABLE_FIELDS`` — every ``(object type, field path)`` that ``expand[]``
  accepts and its loader (``lib.expand``, loaders in ``backend.expandables``).
* ``CLOCK_ADVANCED`` / ``CLOCK_DELETED`` — what reacts to a test clock being
  advanced or deleted (``backend.test_clocks``).

``EmulatorState`` cannot be built without a :class:`~stripe_emulator.backend.state.Registry`;
:func:`open_state` builds one from these lists and opens the state with it. It is
how every emulator is made (``embedded``, ``__main__``, tests, scripts driving the
backend without the HTTP edge), so a state has all of this however it is driven
and whatever was imported before. Nothing registers itself at import time: a new
job kind, expandable field or clock hook is one line here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType

from stripe_emulator.backend import coupons, customer_details, expandables, invoice_automation
from stripe_emulator.backend.invoice_lifecycle import AUTO_COLLECT_WORK, SETTLE_WORK
from stripe_emulator.backend.invoicing import AUTO_FINALIZE_WORK
from stripe_emulator.backend.state import (
    ClockAdvancedListener,
    ClockDeletedListener,
    EmulatorState,
    Registry,
    Settings,
)
from stripe_emulator.lib.expand import ExpandTable, Loader
from stripe_emulator.lib.scheduler import WorkHandler

JOBS: Mapping[str, WorkHandler] = MappingProxyType({
    SETTLE_WORK: invoice_automation.settle_bank_debit,
    AUTO_FINALIZE_WORK: invoice_automation.auto_finalize,
    AUTO_COLLECT_WORK: invoice_automation.auto_collect,
})

EXPANDABLE_FIELDS: Mapping[tuple[str, str], Loader] = MappingProxyType({
    ("customer", "test_clock"): expandables.test_clock,
    ("customer", "cash_balance"): customer_details.cash_balance,
    ("customer", "default_source"): customer_details.default_source,
    ("customer", "invoice_credit_balance"): customer_details.invoice_credit_balance,
    ("customer", "sources"): customer_details.sources,
    ("customer", "subscriptions"): customer_details.subscriptions,
    ("customer", "tax"): customer_details.tax,
    ("customer", "tax_ids"): customer_details.tax_ids,
    ("coupon", "applies_to"): coupons.applies_to,
    ("coupon", "currency_options"): coupons.currency_options,
    ("discount", "customer"): expandables.customer,
    ("discount", "source.coupon"): coupons.coupon,
    ("invoice", "amount_paid_off_stripe"): expandables.amount_paid_off_stripe,
    ("invoice", "confirmation_secret"): expandables.confirmation_secret,
    ("invoice", "customer"): expandables.customer,
    ("invoice", "discounts"): coupons.discounts,
    ("invoice", "payments"): expandables.invoice_payments,
    ("invoice", "test_clock"): expandables.test_clock,
    ("invoice", "total_discount_amounts.discount"): coupons.discount,
    ("invoice", "total_pretax_credit_amounts.discount"): coupons.discount,
    ("invoiceitem", "customer"): expandables.customer,
    ("invoiceitem", "discounts"): coupons.discounts,
    ("invoiceitem", "invoice"): expandables.invoice,
    ("invoiceitem", "pricing.price_details.price"): expandables.line_price,
    ("invoiceitem", "test_clock"): expandables.test_clock,
    ("line_item", "discount_amounts.discount"): coupons.discount,
    ("line_item", "discounts"): coupons.discounts,
    ("line_item", "pretax_credit_amounts.discount"): coupons.discount,
    ("line_item", "pricing.price_details.price"): expandables.line_price,
    ("invoice_payment", "invoice"): expandables.invoice,
    ("invoice_payment", "payment.payment_intent"): expandables.payment_intent,
    ("invoice_payment", "payment.payment_record"): expandables.payment_record,
    ("credit_note", "customer"): expandables.customer,
    ("credit_note", "invoice"): expandables.invoice,
    ("credit_note", "customer_balance_transaction"): expandables.balance_transaction,
    ("customer_balance_transaction", "credit_note"): expandables.credit_note,
    ("customer_balance_transaction", "customer"): expandables.customer,
    ("customer_balance_transaction", "invoice"): expandables.invoice,
    ("payment_intent", "customer"): expandables.customer,
    ("price", "currency_options"): expandables.price_currency_options,
    ("price", "product"): expandables.product,
    ("price", "tiers"): expandables.price_tiers,
    ("product", "default_price"): expandables.price,
})

CLOCK_ADVANCED: tuple[ClockAdvancedListener, ...] = ()
CLOCK_DELETED: tuple[ClockDeletedListener, ...] = (invoice_automation.delete_clock_invoices,)


def build_registry(extra_jobs: Mapping[str, WorkHandler] | None = None) -> Registry:
    """A state's registry: the lists above, plus ``extra_jobs`` (test or bench work).

    ``extra_jobs`` may only add kinds: replacing a built-in handler would silently change
    what the emulator does, so a clash raises ``ValueError``.
    """
    extra = dict(extra_jobs or {})
    clash = sorted(extra.keys() & JOBS.keys())
    if clash:
        raise ValueError(f"extra_jobs may not replace built-in scheduled work: {clash}")
    return Registry(
        jobs=MappingProxyType({**JOBS, **extra}),
        expandables=ExpandTable(EXPANDABLE_FIELDS),
        on_clock_advanced=CLOCK_ADVANCED,
        on_clock_deleted=CLOCK_DELETED,
    )


def open_state(db_path: str | os.PathLike[str] | None = None, settings: Settings | None = None,
               *, extra_jobs: Mapping[str, WorkHandler] | None = None) -> EmulatorState:
    """The emulator's state over ``db_path`` (in memory if None) with the full registry.

    ``extra_jobs`` adds kinds of timed work (``kind -> handler(state, payload)``), for
    tests and benches that schedule their own.
    """
    return EmulatorState(db_path, settings, registry=build_registry(extra_jobs))
