"""Products and their prices for the views, read from the read model in SQL.

Newest product first, each with its prices (active ones first, then newest first);
archived products and prices only when asked, deleted ones never. No Stripe request
is made.
"""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, Engine, and_, select

from services.core.models import Price, Product, price_from_stripe, product_from_stripe
from services.readmodel.tables import prices, products


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
