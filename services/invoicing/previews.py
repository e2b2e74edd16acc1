"""What an invoice will total, as Stripe computes it: ``POST /v1/invoices/create_preview``.

The New-invoice page shows subtotal, each discount, each tax and the total from
Stripe's own preview (https://docs.stripe.com/api/invoices/create_preview), never
from our arithmetic, so the draft saved afterwards shows the same figures to the
cent. The preview is asked for ``customer_details`` rather than the customer: a
preview for a customer sweeps in their pending invoice items, which the dashboard's
drafts leave out (``pending_invoice_items_behavior=exclude``). Stripe's preview has
no ``default_tax_rates``, so each item carries its effective rates: its own, or the
invoice's defaults (Stripe applies them per line the same way). Nothing is kept in
Stripe. Answers are remembered per content (a page rerun asks nothing new).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

import stripe
from stripe.params import InvoiceCreatePreviewParams

from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import canonical_payload
from services.core.models import DraftItem, Price, price_from_stripe
from services.core.stripe_errors import stripe_call
from services.invoicing.breakdown import InvoiceBreakdown, breakdown_from_stripe
from services.invoicing.drafts import currency_code
from services.invoicing.rules import totals
from services.invoicing.tax_and_discount_checks import (
    check_invoice_choices,
    known_coupons,
    known_tax_rates,
)
from services.readmodel.copies import copy_or_reread
from services.readmodel.invoice_detail import invoice_with_lines, stored_invoice
from services.readmodel.sync import ReadModelSync

REMEMBERED = 64  # previews kept per process (each a few kilobytes)
#: Discounts expanded so each discount amount is named by its coupon.
PREVIEW_EXPAND = ["total_discount_amounts.discount"]


def preview_item(
    item: DraftItem, currency: str, default_tax_rates: Sequence[str]
) -> dict[str, Any]:
    """One ``invoice_items[]`` entry of the preview: a price × quantity or a custom amount
    (minor units of ``currency``), with its effective tax rates and its own coupons."""
    entry: dict[str, Any]
    if item.price_id is not None:
        entry = {"price": item.price_id, "quantity": item.quantity}
    else:
        entry = {"amount": item.amount, "currency": currency,
                 "description": (item.description or "").strip()}
    rates = list(item.tax_rates or default_tax_rates)
    if rates:
        entry["tax_rates"] = rates
    if item.coupons:
        entry["discounts"] = [{"coupon": coupon} for coupon in item.coupons]
    return entry


class DraftPreviews:
    """Stripe's preview of a draft that is not saved yet."""

    def __init__(self, client: stripe.StripeClient, read_model: ReadModelSync) -> None:
        self._client = client
        self._read_model = read_model
        self._answers: OrderedDict[str, InvoiceBreakdown] = OrderedDict()
        self._lock = threading.Lock()

    def saved(self, invoice_id: str) -> InvoiceBreakdown:
        """The figures of a saved invoice (any status) as Stripe computed them, from the
        read model (re-read once when not stored yet). :class:`NotFound` for an unknown
        or deleted invoice."""
        if invoice_with_lines(self._read_model, invoice_id) is None:
            raise NotFound(f"There is no invoice {invoice_id}.", field="invoice_id")
        engine = self._read_model.engine
        found = stored_invoice(engine, invoice_id)
        if found is None:  # deleted between the two reads
            raise NotFound(f"There is no invoice {invoice_id}.", field="invoice_id")
        return breakdown_from_stripe(found.data, lines=found.lines,
                                     tax_rates=known_tax_rates(engine),
                                     coupons=known_coupons(engine))

    def new_invoice(
        self,
        *,
        items: Sequence[DraftItem],
        currency: str,
        default_tax_rates: Sequence[str] = (),
        coupons: Sequence[str] = (),
    ) -> InvoiceBreakdown:
        """Stripe's figures for a draft with ``items`` in ``currency``, the invoice's
        ``default_tax_rates`` and ``coupons``. :class:`InvalidInput` (naming the field)
        for an item, tax rate or coupon that cannot go on it; Stripe's refusals as the
        project's errors. Makes one Stripe request per new content. Each item is first
        held to the rules creating the draft applies (one currency, one-time active
        prices, Stripe's largest amount per line and per invoice: ``rules.totals``, prices
        as stored in the read model), so the preview refuses what saving would."""
        code = currency_code(currency)
        totals(items, self._stored_prices(items), code)
        if not items:
            return InvoiceBreakdown(code, 0, (), 0, (), 0, 0, 0, 0, (), tuple(default_tax_rates))
        engine = self._read_model.engine
        check_invoice_choices(engine, code, default_tax_rates=default_tax_rates,
                              coupons=coupons, items=items)
        params: InvoiceCreatePreviewParams = {
            "customer_details": {"tax_exempt": "none"},
            "currency": code,
            "invoice_items": cast(Any, [preview_item(i, code, default_tax_rates)
                                        for i in items]),
            "expand": PREVIEW_EXPAND,
        }
        if coupons:
            params["discounts"] = [{"coupon": coupon} for coupon in coupons]
        remembered = canonical_payload({"params": params})
        with self._lock:
            if remembered in self._answers:
                self._answers.move_to_end(remembered)
                return self._answers[remembered]
        answer = stripe_call(lambda: self._client.v1.invoices.create_preview(params=params))
        found = breakdown_from_stripe(answer, tax_rates=known_tax_rates(engine),
                                      coupons=known_coupons(engine))
        found = replace(found, default_tax_rate_ids=tuple(default_tax_rates))
        with self._lock:
            self._answers[remembered] = found
            while len(self._answers) > REMEMBERED:
                self._answers.popitem(last=False)
        return found

    def _stored_prices(self, items: Sequence[DraftItem]) -> dict[str, Price]:
        """The items' prices from the read model (re-read once when not stored yet)."""
        found: dict[str, Price] = {}
        for price_id in sorted({item.price_id for item in items if item.price_id}):
            data = copy_or_reread(self._read_model, "price", price_id)
            if data is None:
                raise InvalidInput(f"There is no price {price_id} in Stripe.", field="price_id")
            found[price_id] = price_from_stripe(data)
        return found
