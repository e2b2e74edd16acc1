"""Tax rates and coupons chosen for an invoice or a line, checked before anything is sent.

Checked against the read model (the same copy the pickers show): each tax rate must
exist and be active (Stripe refuses an archived one on a new invoice or line:
https://docs.stripe.com/api/tax_rates/object#tax_rate_object-active), each coupon
must exist, still be redeemable (``valid``) and, for an amount off, be in the
invoice's currency (https://docs.stripe.com/api/coupons/object#coupon_object-currency).
A refusal is :class:`InvalidInput` naming the field (``default_tax_rates``,
``discounts``, ``items[2].tax_rates`` ...), raised before the first write.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from services.core.errors import InvalidInput
from services.core.models import DraftItem
from services.core.rates_and_coupons import Coupon, TaxRate
from services.readmodel.catalog_queries import catalog_coupons, catalog_tax_rates

#: Stripe applies at most this many tax rates to one invoice or line.
MAX_TAX_RATES = 10
#: At most this many coupons on one invoice or line (Stripe's limit for ``discounts``).
MAX_COUPONS = 20


def known_tax_rates(engine: Engine) -> dict[str, TaxRate]:
    """Every stored tax rate by id, archived ones too (to name them on old invoices)."""
    return {rate.id: rate for rate in catalog_tax_rates(engine, include_archived=True)}


def known_coupons(engine: Engine) -> dict[str, Coupon]:
    """Every stored coupon not deleted, by id, used-up ones too."""
    return {coupon.id: coupon for coupon in catalog_coupons(engine, include_invalid=True)}


def check_tax_rates(rate_ids: Sequence[str], rates: dict[str, TaxRate], *, field: str) -> None:
    """Each of ``rate_ids`` exists and is active; no repeats; at most ten."""
    _check_count(rate_ids, MAX_TAX_RATES, "tax rate", field)
    for rate_id in rate_ids:
        rate = rates.get(rate_id)
        if rate is None:
            raise InvalidInput(f"There is no tax rate {rate_id}.", field=field)
        if not rate.active:
            raise InvalidInput(f"The tax rate {rate.label} is archived; choose another.",
                               field=field)


def check_coupons(
    coupon_ids: Sequence[str], coupons: dict[str, Coupon], currency: str, *, field: str
) -> None:
    """Each of ``coupon_ids`` exists, is still redeemable and fits ``currency``."""
    _check_count(coupon_ids, MAX_COUPONS, "coupon", field)
    for coupon_id in coupon_ids:
        coupon = coupons.get(coupon_id)
        if coupon is None:
            raise InvalidInput(f"There is no coupon {coupon_id}.", field=field)
        if not coupon.valid:
            raise InvalidInput(f"The coupon {coupon.label} can no longer be redeemed.",
                               field=field)
        if not coupon.usable_in(currency):
            raise InvalidInput(
                f"The coupon {coupon.label} takes an amount off in "
                f"{(coupon.currency or '').upper()}; this invoice is in {currency.upper()}.",
                field=field)


def _check_count(ids: Sequence[str], limit: int, what: str, field: str) -> None:
    if len(ids) > limit:
        raise InvalidInput(f"At most {limit} {what}s can apply.", field=field)
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"The same {what} is chosen twice.", field=field)


def check_invoice_choices(
    engine: Engine,
    currency: str,
    *,
    default_tax_rates: Sequence[str],
    coupons: Sequence[str],
    items: Sequence[DraftItem] = (),
) -> None:
    """The invoice's and every item's tax rates and coupons (see the module doc)."""
    rates, known = known_tax_rates(engine), known_coupons(engine)
    check_tax_rates(default_tax_rates, rates, field="default_tax_rates")
    check_coupons(coupons, known, currency, field="discounts")
    for position, item in enumerate(items):
        check_tax_rates(item.tax_rates, rates, field=f"items[{position}].tax_rates")
        check_coupons(item.coupons, known, currency, field=f"items[{position}].discounts")
