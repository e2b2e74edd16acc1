"""Products and their prices, tax rates and coupons for the views, read from the read model.

Newest product first, each with its prices (active ones first, then newest first);
archived products, prices and tax rates only when asked, deleted ones never (a
deleted coupon is gone from Stripe too). No Stripe request is made.
"""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, Engine, and_, select

from services.core.models import Price, Product, price_from_stripe, product_from_stripe
from services.core.rates_and_coupons import (
    Coupon,
    TaxRate,
    coupon_from_stripe,
    tax_rate_from_stripe,
)
from services.readmodel.tables import coupons, prices, products, tax_rates


def _live(
    active: ColumnElement[bool], deleted: ColumnElement[bool], include_archived: bool
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [deleted.is_(False)]
    if not include_archived:
        found.append(active.is_(True))
    return found


def catalog_prices(engine: Engine, *, include_archived: bool) -> list[Price]:
    """Every price (active ones only unless ``include_archived``), active first, newest first."""
    statement = (
        select(prices.c.data)
        .where(and_(*_live(prices.c.active, prices.c.deleted, include_archived)))
        .order_by(prices.c.active.desc(), prices.c.created.desc(), prices.c.id.desc())
    )
    with engine.connect() as conn:
        return [price_from_stripe(json.loads(data)) for data in conn.scalars(statement)]


def catalog_products(engine: Engine, *, include_archived: bool) -> list[Product]:
    """Products newest first, each with its prices (archived ones only when asked)."""
    statement = (
        select(products.c.data)
        .where(and_(*_live(products.c.active, products.c.deleted, include_archived)))
        .order_by(products.c.created.desc(), products.c.id.desc())
    )
    with engine.connect() as conn:
        raw_products = [json.loads(data) for data in conn.scalars(statement)]
    by_product: dict[str, list[Price]] = {}
    for price in catalog_prices(engine, include_archived=include_archived):
        by_product.setdefault(price.product_id, []).append(price)
    return [product_from_stripe(raw, tuple(by_product.get(raw["id"], ()))) for raw in raw_products]


def catalog_tax_rates(engine: Engine, *, include_archived: bool) -> list[TaxRate]:
    """Tax rates, active first, then newest first (archived ones only when asked)."""
    statement = (
        select(tax_rates.c.data)
        .where(and_(*_live(tax_rates.c.active, tax_rates.c.deleted, include_archived)))
        .order_by(tax_rates.c.active.desc(), tax_rates.c.created.desc(), tax_rates.c.id)
    )
    with engine.connect() as conn:
        return [tax_rate_from_stripe(json.loads(data)) for data in conn.scalars(statement)]


def catalog_coupons(engine: Engine, *, include_invalid: bool) -> list[Coupon]:
    """Coupons not deleted, still redeemable first, then newest first (those used up or
    past their redeem-by date only when ``include_invalid``)."""
    statement = (
        select(coupons.c.data)
        .where(and_(*_live(coupons.c.valid, coupons.c.deleted, include_invalid)))
        .order_by(coupons.c.valid.desc(), coupons.c.created.desc(), coupons.c.id)
    )
    with engine.connect() as conn:
        return [coupon_from_stripe(json.loads(data)) for data in conn.scalars(statement)]
