"""Builders shared by the invoice tests: customers, catalog prices, drafts with lines."""

from __future__ import annotations

from typing import Any

import pytest
import stripe


def customer(client: stripe.StripeClient, **fields: Any) -> Any:
    fields.setdefault("name", "Acme Ltd")
    fields.setdefault("email", "billing@acme.test")
    return client.v1.customers.create(fields)


def price(client: stripe.StripeClient, unit_amount: int = 1250, currency: str = "usd",
          **fields: Any) -> Any:
    product = client.v1.products.create({"name": "Consulting hour"})
    return client.v1.prices.create({"currency": currency, "unit_amount": unit_amount,
                                    "product": product.id, **fields})


def draft(client: stripe.StripeClient, customer_id: str, amounts: tuple[int, ...] = (),
          **fields: Any) -> Any:
    """A draft for ``customer_id`` with one amount-only item per entry of ``amounts``."""
    invoice = client.v1.invoices.create({"customer": customer_id, **fields})
    for amount in amounts:
        client.v1.invoice_items.create({"invoice": invoice.id, "amount": amount,
                                        "currency": invoice.currency,
                                        "description": f"Work {amount}"})
    return client.v1.invoices.retrieve(invoice.id)


def open_invoice(client: stripe.StripeClient, amounts: tuple[int, ...] = (5000,),
                 **fields: Any) -> Any:
    """A finalized invoice for a new customer."""
    buyer = customer(client)
    return client.v1.invoices.finalize_invoice(draft(client, buyer.id, amounts, **fields).id)


def refusal(call: Any, error_class: type[stripe.StripeError] = stripe.InvalidRequestError
            ) -> stripe.StripeError:
    """Run ``call`` expecting ``error_class``; returns the error for more assertions."""
    with pytest.raises(error_class) as caught:
        call()
    return caught.value
