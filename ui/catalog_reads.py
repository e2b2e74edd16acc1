"""Cached reads of tax rates, coupons and an invoice's Stripe figures (see :mod:`ui.caching`).

Filed under the areas whose writes change them: tax rates and coupons under
"catalog", an invoice's breakdown under "invoices". All answer from the read model
(no Stripe request), except that a breakdown of an invoice not stored yet re-reads it
once.
"""

from __future__ import annotations

from services.core.rates_and_coupons import Coupon, TaxRate
from services.invoicing.breakdown import InvoiceBreakdown
from ui import runtime
from ui.caching import cached_view


@cached_view("catalog", ttl="5m", spinner="Loading tax rates…", max_entries=4)
def tax_rates(include_archived: bool) -> list[TaxRate]:
    """Tax rates, active first; archived ones too when ``include_archived``."""
    return runtime.services().catalog.taxes.tax_rates(include_archived)


@cached_view("catalog", ttl="5m", spinner="Loading coupons…", max_entries=4)
def coupons(include_invalid: bool) -> list[Coupon]:
    """Coupons not deleted; used-up ones too when ``include_invalid``."""
    return runtime.services().catalog.taxes.coupons(include_invalid)


@cached_view("invoices", ttl="1m", spinner="Loading the invoice's totals…")
def invoice_breakdown(invoice_id: str) -> InvoiceBreakdown:
    """One invoice's lines, discounts, taxes and totals as Stripe computed them."""
    return runtime.services().invoices.previews.saved(invoice_id)
