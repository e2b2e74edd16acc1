"""Building draft invoices: the draft and its items as one retry-safe write.

Used by :mod:`services.invoicing.lifecycle` for New invoice and Duplicate. Everything
that can be known before Stripe is checked first (customer, terms, the 250-item
limit, item shapes, one currency, one-time active prices); then the draft is
created and its items attached, each call with a key derived from the form's
key, so submitting the same form again after an interruption finishes the
draft instead of making a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import stripe
from stripe.params import InvoiceCreateParams, InvoiceItemCreateParams

from services.core import limits
from services.core.errors import DashboardError, InvalidInput, NotFound
from services.core.idempotency import sub_key
from services.core.models import DraftItem, Invoice, Price, price_from_stripe
from services.core.money import normalise_currency
from services.core.stripe_errors import stripe_call
from services.core.text import clean_text
from services.core.writes import Write
from services.invoicing.rules import check_draft_items, totals

MAX_DAYS_UNTIL_DUE = 365
_METADATA_LABELS = {"po_number": "PO number", "duplicated_from": "source invoice"}


class DraftBuilder:
    """Creates drafts with their items."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def create(
        self,
        w: Write,
        key: str,
        *,
        customer_id: str,
        items: Sequence[DraftItem],
        days_until_due: int,
        memo: str | None,
        footer: str | None,
        metadata: dict[str, str],
        currency: str | None,
        default_tax_rates: Sequence[str] = (),
        coupons: Sequence[str] = (),
        check_choices: Callable[[str], None] | None = None,
    ) -> str:
        """Create the draft and its items; returns the draft's id.

        Every text (memo, footer, metadata values such as the PO number, custom line
        descriptions: control characters and Stripe's lengths, :mod:`services.core.limits`)
        and every amount (currency rules, line and invoice totals within Stripe's limit)
        is checked before the first Stripe call, so a refusal leaves no draft behind.
        """
        clean_memo = clean_text(memo, field="memo", label="memo", multiline=True,
                                max_length=limits.INVOICE_MEMO)  # fmt: skip
        clean_footer = clean_text(footer, field="footer", label="footer", multiline=True,
                                  max_length=limits.INVOICE_FOOTER)  # fmt: skip
        clean_metadata = limits.check_metadata(
            {
                name: clean_text(value, field=name, label=_METADATA_LABELS.get(name, name))
                for name, value in metadata.items()
            },
            labels=_METADATA_LABELS,
        )
        if not (customer_id or "").startswith("cus_"):
            raise InvalidInput("Choose the customer to invoice.", field="customer_id")
        if not isinstance(days_until_due, int) or not 0 <= days_until_due <= MAX_DAYS_UNTIL_DUE:
            raise InvalidInput(
                f"Days until due must be a whole number from 0 to {MAX_DAYS_UNTIL_DUE}.",
                field="days_until_due",
            )
        check_draft_items(items)
        prices = self.prices(items)
        code = self._invoice_currency(currency, prices, customer_id)
        totals(items, prices, code)
        if check_choices is not None:  # tax rates and coupons, once the currency is known
            check_choices(code)
        params: InvoiceCreateParams = {
            "customer": customer_id,
            "collection_method": "send_invoice",
            "days_until_due": days_until_due,
            "currency": code,
            "auto_advance": False,
            "pending_invoice_items_behavior": "exclude",
            "metadata": {k: v for k, v in clean_metadata.items() if v},
        }
        if default_tax_rates:
            params["default_tax_rates"] = list(default_tax_rates)
        if coupons:
            params["discounts"] = [{"coupon": coupon} for coupon in coupons]
        if clean_memo:
            params["description"] = clean_memo
        if clean_footer:
            params["footer"] = clean_footer
        draft = w.call(
            lambda: self._client.v1.invoices.create(
                params=params,
                options={"idempotency_key": sub_key(key, "draft")},
            )
        )
        w.object_id = draft.id
        for position, item in enumerate(items):
            try:
                w.call(
                    partial(
                        self._client.v1.invoice_items.create,
                        params=item_params(customer_id, draft.id, item, code),
                        options={"idempotency_key": sub_key(key, "item", position)},
                    )
                )
            except DashboardError as exc:
                raise type(exc)(
                    f"Draft {draft.id} was created but item {position + 1} failed: {exc} "
                    "Submitting the same form again finishes it without doubling anything.",
                    field=exc.field or f"items[{position}]",
                    retryable=exc.retryable,
                    request_id=exc.request_id,
                    resumable=True,
                ) from exc
        return draft.id

    def _invoice_currency(
        self, currency: str | None, prices: dict[str, Price], customer_id: str
    ) -> str:
        if currency:
            return currency_code(currency)
        if prices:
            return next(iter(prices.values())).currency
        raw = stripe_call(lambda: self._client.v1.customers.retrieve(customer_id))
        customer_currency = getattr(raw, "currency", None)
        if not customer_currency:
            raise InvalidInput("Choose the invoice's currency.", field="currency")
        return str(customer_currency)

    def prices(self, items: Sequence[DraftItem]) -> dict[str, Price]:
        ids = sorted({item.price_id for item in items if item.price_id})
        prices: dict[str, Price] = {}
        for price_id in ids:
            try:
                raw = stripe_call(partial(self._client.v1.prices.retrieve, price_id))
            except NotFound as exc:
                raise InvalidInput(
                    f"There is no price {price_id} in Stripe.", field="price_id"
                ) from exc
            prices[price_id] = price_from_stripe(raw)
        return prices

    def items_of(self, source: Invoice) -> list[DraftItem]:
        """The source's lines as draft items; archived prices become custom amounts."""
        items: list[DraftItem] = []
        for line in source.lines:
            price = self._usable_price(line.price_id)
            if price is not None and line.unit_amount == price.unit_amount:
                items.append(DraftItem(price_id=price.id, quantity=line.quantity))
            else:
                description = line.description or "Item"
                items.append(DraftItem(amount=line.amount, description=description))
        return items

    def _usable_price(self, price_id: str | None) -> Price | None:
        if not price_id:
            return None
        try:
            price = price_from_stripe(
                stripe_call(lambda: self._client.v1.prices.retrieve(price_id))
            )
        except NotFound:
            return None
        usable = price.active and price.type == "one_time" and price.unit_amount is not None
        return price if usable else None


def currency_code(currency: str) -> str:
    try:
        return normalise_currency(currency)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="currency") from exc


def item_params(
    customer_id: str, invoice_id: str, item: DraftItem, currency: str
) -> InvoiceItemCreateParams:
    """Stripe's parameters for one draft item: a catalog price, or a custom amount, with
    the item's own tax rates and coupons.

    ``item.amount`` is in minor units of ``currency``
    (https://docs.stripe.com/api/invoiceitems/create).
    """
    params: InvoiceItemCreateParams = {"customer": customer_id, "invoice": invoice_id}
    if item.price_id is not None:
        params["pricing"] = {"price": item.price_id}
        params["quantity"] = item.quantity
    else:
        if item.amount is None:
            raise InvalidInput("A custom line needs an amount", field="amount")
        params["amount"] = item.amount
        params["currency"] = currency
        params["description"] = (item.description or "").strip()
    if item.tax_rates:
        params["tax_rates"] = list(item.tax_rates)
    if item.coupons:
        params["discounts"] = [{"coupon": coupon} for coupon in item.coupons]
    return params
