"""Tax rates and coupons: create, archive or delete in Stripe, list from the read model.

A tax rate (https://docs.stripe.com/api/tax_rates/create) cannot be deleted and its
percentage and inclusiveness cannot change once made; it is archived
(``active=false``: no longer offered for new invoices, still on the invoices that
use it). A coupon (https://docs.stripe.com/api/coupons/create) here is always
``duration=once`` (one-off invoices have no later periods); only its name and
metadata could change, so a wrong coupon is deleted
(https://docs.stripe.com/api/coupons/delete): discounts already made from it stay.
Every write checks its input first (:class:`InvalidInput` naming the field, nothing
sent), carries an idempotency key from the form and stores what Stripe returned in
the read model. Reads answer from the read model, never from Stripe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeVar

import stripe
from stripe.params import CouponCreateParams, TaxRateCreateParams

from services.core.access import Action, Actor
from services.core.clock import business_today
from services.core.errors import InvalidInput
from services.core.idempotency import idempotency_key
from services.core.money import normalise_currency, parse_amount
from services.core.rates_and_coupons import (
    Coupon,
    TaxRate,
    coupon_from_stripe,
    tax_rate_from_stripe,
)
from services.core.text import clean_text, key_safe
from services.core.writes import WriteRecorder
from services.readmodel.catalog_queries import catalog_coupons, catalog_tax_rates
from services.readmodel.sync import ReadModelSync

#: Stripe's maxLength of these fields (API specification, 2026-10-28.endive).
TAX_DISPLAY_NAME = 50
TAX_JURISDICTION = 50
TAX_DESCRIPTION = 5000
COUPON_NAME = 40
#: Stripe refuses a ``redeem_by`` more than five years ahead.
REDEEM_BY_HORIZON = timedelta(days=5 * 365)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_PERCENT = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{1,4})?$")
T = TypeVar("T")


class TaxRatesAndCoupons:
    """Tax rates and coupons: written to Stripe, read from the read model."""

    def __init__(
        self, client: stripe.StripeClient, writes: WriteRecorder, read_model: ReadModelSync
    ) -> None:
        self._client = client
        self._writes = writes
        self._read_model = read_model

    # -- reads ------------------------------------------------------------------------------
    def tax_rates(self, include_archived: bool = False) -> list[TaxRate]:
        """Tax rates (active first, newest first); archived ones only when asked."""
        return catalog_tax_rates(self._read_model.engine, include_archived=include_archived)

    def coupons(self, include_invalid: bool = False) -> list[Coupon]:
        """Coupons not deleted (still redeemable first); used-up ones only when asked."""
        return catalog_coupons(self._read_model.engine, include_invalid=include_invalid)

    # -- tax rates --------------------------------------------------------------------------
    def create_tax_rate(
        self,
        actor: Actor,
        *,
        display_name: str,
        percentage_text: str,
        inclusive: bool,
        country: str | None,
        jurisdiction: str | None,
        description: str | None,
        form_nonce: str,
    ) -> TaxRate:
        """A new active tax rate, e.g. "VAT" 20 % exclusive in "DE".

        ``percentage_text`` is typed by the user ("20", "8.25", "19 %"): more than 0 and at
        most 100, up to four decimals. :class:`InvalidInput` names ``display_name``,
        ``percentage``, ``country``, ``jurisdiction`` or ``description``.
        """
        payload = {"display_name": display_name, "percentage": percentage_text,
                   "inclusive": bool(inclusive), "country": country,
                   "jurisdiction": jurisdiction, "description": description}
        created = self._create(
            actor, "create_tax_rate", payload, form_nonce,
            lambda key: self._client.v1.tax_rates.create(
                params=tax_rate_params(display_name, percentage_text, inclusive, country,
                                       jurisdiction, description),
                options={"idempotency_key": key}))
        return tax_rate_from_stripe(created)

    def archive_tax_rate(self, actor: Actor, tax_rate_id: str, *, form_nonce: str) -> TaxRate:
        """Stop offering a tax rate (``active=false``); invoices that use it keep it."""
        key = idempotency_key(actor, "archive_tax_rate", {"tax_rate": tax_rate_id}, form_nonce)
        with self._writes.write(actor, Action.MANAGE_CATALOG, "archive_tax_rate",
                                object_id=tax_rate_id, key=key) as w:
            if not (tax_rate_id or "").startswith("txr_"):
                raise InvalidInput("Choose the tax rate to archive.", field="tax_rate_id")
            updated = w.call(lambda: self._client.v1.tax_rates.update(
                tax_rate_id, params={"active": False}, options={"idempotency_key": key}))
        return tax_rate_from_stripe(updated)

    # -- coupons ----------------------------------------------------------------------------
    def create_coupon(
        self,
        actor: Actor,
        *,
        name: str,
        percent_off_text: str | None,
        amount_off_text: str | None,
        currency: str | None,
        max_redemptions: int | None,
        redeem_by: date | None,
        form_nonce: str,
        today: date | None = None,
    ) -> Coupon:
        """A new coupon used once per invoice: ``percent_off_text`` ("10", "12.5") or
        ``amount_off_text`` in ``currency`` (minor units are computed per currency), never
        both; at most ``max_redemptions`` invoices; redeemable until the end of
        ``redeem_by`` (UTC). :class:`InvalidInput` names ``name``, ``percent_off``,
        ``amount_off``, ``currency``, ``max_redemptions`` or ``redeem_by``.
        """
        payload = {"name": name, "percent_off": percent_off_text, "amount_off": amount_off_text,
                   "currency": currency, "max_redemptions": max_redemptions,
                   "redeem_by": redeem_by}
        created = self._create(
            actor, "create_coupon", payload, form_nonce,
            lambda key: self._client.v1.coupons.create(
                params=coupon_params(name, percent_off_text, amount_off_text, currency,
                                     max_redemptions, redeem_by,
                                     today or business_today()),
                options={"idempotency_key": key}))
        return coupon_from_stripe(created)

    def delete_coupon(self, actor: Actor, coupon_id: str, *, form_nonce: str) -> None:
        """Delete a coupon: no new invoice can use it; discounts already given stay."""
        key = idempotency_key(actor, "delete_coupon", {"coupon": coupon_id}, form_nonce)
        if self._writes.audit.succeeded(key):
            return  # the same submission already deleted it
        with self._writes.write(actor, Action.MANAGE_CATALOG, "delete_coupon",
                                object_id=coupon_id, key=key) as w:
            if not (coupon_id or "").strip():
                raise InvalidInput("Choose the coupon to delete.", field="coupon_id")
            w.call(lambda: self._client.v1.coupons.delete(
                coupon_id, options={"idempotency_key": key}))

    def _create(
        self,
        actor: Actor,
        operation: str,
        payload: Mapping[str, object],
        form_nonce: str,
        create: Callable[[str], T],
    ) -> T:
        """One audited create: ``create(key)`` checks the input, then calls Stripe."""
        key = idempotency_key(actor, operation, key_safe(payload), form_nonce)
        with self._writes.write(actor, Action.MANAGE_CATALOG, operation, key=key) as w:
            created = w.call(lambda: create(key))
            w.object_id = getattr(created, "id", None)
        return created


def parse_percentage(text: str | None, *, field: str, label: str) -> float:
    """``"20"``, ``"8.25"``, ``"19 %"`` → the number; more than 0, at most 100, at most
    four decimals, ASCII digits only; :class:`InvalidInput` naming ``field`` otherwise."""
    raw = (text or "").strip().removesuffix("%").strip()
    if not _PERCENT.match(raw):
        raise InvalidInput(
            f"Type the {label} as a number such as 20 or 8.25 (at most four decimals).",
            field=field)
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refused it
        raise InvalidInput(f"Type the {label} as a number.", field=field) from exc
    if not Decimal(0) < value <= Decimal(100):
        raise InvalidInput(f"The {label} must be more than 0 and at most 100.", field=field)
    return float(value)


def tax_rate_params(
    display_name: str,
    percentage_text: str,
    inclusive: bool,
    country: str | None,
    jurisdiction: str | None,
    description: str | None,
) -> TaxRateCreateParams:
    """Stripe's parameters for a new tax rate, every field checked first."""
    name = clean_text(display_name, field="display_name", label="display name",
                      required=True, max_length=TAX_DISPLAY_NAME)
    percentage = parse_percentage(percentage_text, field="percentage", label="percentage")
    place = clean_text(jurisdiction, field="jurisdiction", label="jurisdiction",
                       max_length=TAX_JURISDICTION)
    note = clean_text(description, field="description", label="description",
                      multiline=True, max_length=TAX_DESCRIPTION)
    code = clean_text(country, field="country", label="country")
    if code and not _COUNTRY.match(code):
        raise InvalidInput("The country is a two-letter code such as DE or FR.",
                           field="country")
    params: TaxRateCreateParams = {"display_name": name, "percentage": percentage,
                                   "inclusive": bool(inclusive)}
    if code:
        params["country"] = code.upper()
    if place:
        params["jurisdiction"] = place
    if note:
        params["description"] = note
    return params


def coupon_params(
    name: str,
    percent_off_text: str | None,
    amount_off_text: str | None,
    currency: str | None,
    max_redemptions: int | None,
    redeem_by: date | None,
    today: date,
) -> CouponCreateParams:
    """Stripe's parameters for a new ``duration=once`` coupon, every field checked first."""
    label = clean_text(name, field="name", label="coupon name", required=True,
                       max_length=COUPON_NAME)
    params: CouponCreateParams = {"name": label, "duration": "once"}
    percent, amount = (percent_off_text or "").strip(), (amount_off_text or "").strip()
    if percent and amount:
        raise InvalidInput("Give either a percentage off or an amount off, not both.",
                           field="percent_off")
    if percent:
        params["percent_off"] = parse_percentage(percent, field="percent_off",
                                                 label="percentage off")
    elif amount:
        try:
            code = normalise_currency(currency or "")
        except ValueError as exc:
            raise InvalidInput(str(exc), field="currency") from exc
        try:
            minor = parse_amount(amount, code)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="amount_off") from exc
        if minor <= 0:
            raise InvalidInput("The amount off must be more than zero.", field="amount_off")
        params["amount_off"], params["currency"] = minor, code
    else:
        raise InvalidInput("Give a percentage off or an amount off.", field="percent_off")
    if max_redemptions is not None:
        if not isinstance(max_redemptions, int) or isinstance(max_redemptions, bool) \
                or max_redemptions < 1:
            raise InvalidInput("Maximum redemptions must be a whole number of 1 or more.",
                               field="max_redemptions")
        params["max_redemptions"] = max_redemptions
    if redeem_by is not None:
        if redeem_by < today:
            raise InvalidInput("The redeem-by date has passed.", field="redeem_by")
        until = datetime.combine(redeem_by, time(23, 59, 59), tzinfo=UTC)
        if until - datetime.combine(today, time(0), tzinfo=UTC) > REDEEM_BY_HORIZON:
            raise InvalidInput("Stripe allows a redeem-by date at most five years ahead.",
                               field="redeem_by")
        params["redeem_by"] = int(until.timestamp())
    return params
