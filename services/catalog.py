"""The catalog: products and their prices (tax rates and coupons: :attr:`Catalog.taxes`).

Create a product, give it prices (one-time or recurring, the amount as the user
typed it), list products with their prices (as dataclasses or one table row per
price) and archive what is no longer sold. Prices cannot be deleted or
changed in Stripe, only archived. Writes go to Stripe; reads answer from the read
model (:mod:`services.readmodel.catalog_queries`), so the Catalog page and the
New-invoice price picker make no Stripe request.
"""

from __future__ import annotations

import pandas as pd
import stripe
from stripe.params import PriceCreateParams, ProductCreateParams

from services.core import limits
from services.core.access import Action, Actor
from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import idempotency_key
from services.core.models import Price, Product, price_from_stripe, product_from_stripe
from services.core.money import normalise_currency, parse_amount
from services.core.text import clean_text, key_safe
from services.core.writes import WriteRecorder
from services.readmodel.catalog_queries import catalog_products
from services.readmodel.copies import copy_or_reread
from services.readmodel.sync import ReadModelSync
from services.tax_rates_and_coupons import TaxRatesAndCoupons

RECURRING_INTERVALS = ("day", "week", "month", "year")

PRODUCT_TABLE_COLUMNS = [
    "product_id", "product", "description", "product_active", "price_id", "price",
    "unit_amount", "currency", "type", "interval", "nickname", "price_active",
]  # fmt: skip


class Catalog:
    """Products and prices: written to Stripe, read from the read model."""

    def __init__(
        self, client: stripe.StripeClient, writes: WriteRecorder, read_model: ReadModelSync
    ) -> None:
        self._client = client
        self._writes = writes
        self._read_model = read_model
        #: Tax rates and coupons (same client, audit and read model).
        self.taxes = TaxRatesAndCoupons(client, writes, read_model)

    def create_product(
        self, actor: Actor, *, name: str, description: str | None, form_nonce: str
    ) -> Product:
        """A new active product named ``name``."""
        stripped_name = name.strip() if isinstance(name, str) else name
        stripped_description = (
            (description.strip() or None) if isinstance(description, str) else description
        )
        payload = {"name": stripped_name, "description": stripped_description}
        key = idempotency_key(actor, "create_product", key_safe(payload), form_nonce)
        with self._writes.write(actor, Action.MANAGE_CATALOG, "create_product", key=key) as w:
            clean_name = clean_text(
                name, field="name", label="product name", max_length=limits.PRODUCT_NAME
            )
            clean_description = clean_text(
                description, field="description", label="product description", multiline=True,
                max_length=limits.PRODUCT_DESCRIPTION,
            )  # fmt: skip
            if not clean_name:
                raise InvalidInput("Give the product a name.", field="name")
            params: ProductCreateParams = {"name": clean_name}
            if clean_description:
                params["description"] = clean_description
            created = w.call(
                lambda: self._client.v1.products.create(
                    params=params,
                    options={"idempotency_key": key},
                )
            )
            w.object_id = created.id
        return product_from_stripe(created)

    def create_price(
        self,
        actor: Actor,
        *,
        product_id: str,
        amount_text: str,
        currency: str,
        recurring_interval: str | None,
        nickname: str | None,
        form_nonce: str,
    ) -> Price:
        """A price for ``product_id``: ``amount_text`` in ``currency``, one-time or
        recurring every ``recurring_interval`` (day, week, month, year)."""
        payload = {
            "product": product_id,
            "amount": amount_text,
            "currency": currency,
            "interval": recurring_interval,
            "nickname": nickname,
        }
        key = idempotency_key(actor, "create_price", key_safe(payload), form_nonce)
        with self._writes.write(
            actor, Action.MANAGE_CATALOG, "create_price", object_id=product_id, key=key
        ) as w:
            params = _price_params(product_id, amount_text, currency, recurring_interval, nickname)
            created = w.call(
                lambda: self._client.v1.prices.create(
                    params=params,
                    options={"idempotency_key": key},
                )
            )
            w.object_id = created.id
        return price_from_stripe(created)

    def products(self, include_archived: bool = False) -> list[Product]:
        """Products (newest first), each with its prices; archived ones only when asked."""
        return catalog_products(self._read_model.engine, include_archived=include_archived)

    def products_table(self, include_archived: bool = False) -> pd.DataFrame:
        """One row per price (a product without prices gets one row with no price)."""
        rows: list[dict[str, object]] = []
        for product in self.products(include_archived):
            base: dict[str, object] = {
                "product_id": product.id,
                "product": product.name,
                "description": product.description,
                "product_active": product.active,
            }
            if not product.prices:
                rows.append(base)
            for price in product.prices:
                rows.append(
                    base
                    | {
                        "price_id": price.id,
                        "price": price.display,
                        "unit_amount": price.unit_amount,
                        "currency": price.currency,
                        "type": price.type,
                        "interval": price.interval,
                        "nickname": price.nickname,
                        "price_active": price.active,
                    }
                )
        frame = pd.DataFrame(rows, columns=PRODUCT_TABLE_COLUMNS)
        frame["unit_amount"] = frame["unit_amount"].astype("Int64")
        return frame

    def get_price(self, price_id: str) -> Price:
        """One price by id, archived or not; :class:`NotFound` for unknown ones (a price
        not stored yet is re-read from Stripe once)."""
        data = copy_or_reread(self._read_model, "price", price_id)
        if data is None:
            raise NotFound(f"There is no price {price_id}.", field="price_id")
        return price_from_stripe(data)

    def archive_product(self, actor: Actor, product_id: str, *, form_nonce: str) -> Product:
        """Stop offering a product (it stays on existing invoices)."""
        key = idempotency_key(actor, "archive_product", {"product": product_id}, form_nonce)
        with self._writes.write(
            actor, Action.MANAGE_CATALOG, "archive_product", object_id=product_id, key=key
        ) as w:
            updated = w.call(
                lambda: self._client.v1.products.update(
                    product_id, params={"active": False}, options={"idempotency_key": key}
                )
            )
        return product_from_stripe(updated)

    def archive_price(self, actor: Actor, price_id: str, *, form_nonce: str) -> Price:
        """Stop offering a price (it cannot be deleted or changed)."""
        key = idempotency_key(actor, "archive_price", {"price": price_id}, form_nonce)
        with self._writes.write(
            actor, Action.MANAGE_CATALOG, "archive_price", object_id=price_id, key=key
        ) as w:
            updated = w.call(
                lambda: self._client.v1.prices.update(
                    price_id, params={"active": False}, options={"idempotency_key": key}
                )
            )
        return price_from_stripe(updated)


def _price_params(
    product_id: str,
    amount_text: str,
    currency: str,
    recurring_interval: str | None,
    nickname: str | None,
) -> PriceCreateParams:
    """Stripe's parameters for a new price, checked first (https://docs.stripe.com/api/prices/create)."""
    if not (product_id or "").startswith("prod_"):
        raise InvalidInput("Choose the product this price belongs to.", field="product_id")
    clean_nickname = clean_text(
        nickname, field="nickname", label="price nickname", max_length=limits.PRICE_NICKNAME
    )
    try:
        code = normalise_currency(currency)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="currency") from exc
    try:
        unit_amount = parse_amount(amount_text, code)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="amount") from exc
    params: PriceCreateParams = {
        "product": product_id,
        "currency": code,
        "unit_amount": unit_amount,
    }
    if recurring_interval:
        if recurring_interval not in RECURRING_INTERVALS:
            raise InvalidInput(
                f"Billing interval must be one of {', '.join(RECURRING_INTERVALS)}.",
                field="recurring_interval",
            )
        params["recurring"] = {"interval": recurring_interval}
    if clean_nickname:
        params["nickname"] = clean_nickname
    return params
