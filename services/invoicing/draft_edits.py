"""Changing a saved draft: its lines, terms, tax rates and discounts.

Each change is one audited write with an idempotency key from the form, made with
Stripe's draft endpoints: invoice update (https://docs.stripe.com/api/invoices/update:
memo = ``description``, ``footer``, ``metadata[po_number]``, ``days_until_due``,
``default_tax_rates``, ``discounts``), and the line endpoints ``add_lines``,
``update_lines`` and ``remove_lines`` (https://docs.stripe.com/api/invoices/add_lines).
Everything is checked before the first call (:class:`InvalidInput` naming the field):
texts, amounts in the invoice's currency, quantities, tax rates (active) and coupons
(redeemable, in the currency). The invoice's status is read from Stripe live before a
change (a stale copy must not allow editing a finalized invoice); a repeated
submission (same key) skips that and lets Stripe replay its first answer.

A discount already on the invoice or line is kept as ``{"discount": "di_…"}`` while its
coupon stays chosen (sending the coupon again would redeem it a second time).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import stripe
from stripe.params import InvoiceUpdateParams

from services.core import limits
from services.core.access import Action, Actor
from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import idempotency_key
from services.core.models import DraftItem, Invoice, as_mapping, invoice_from_stripe, object_id
from services.core.money import parse_amount
from services.core.stripe_errors import stripe_call
from services.core.text import clean_text, key_safe
from services.core.writes import Write, WriteRecorder
from services.invoicing.drafts import MAX_DAYS_UNTIL_DUE
from services.invoicing.rules import check_draft_items, require_status
from services.invoicing.tax_and_discount_checks import (
    check_coupons,
    check_tax_rates,
    known_coupons,
    known_tax_rates,
)
from services.readmodel.sync import ReadModelSync

MAX_QUANTITY = 1_000_000


class DraftEdits:
    """Changes to saved drafts (``Action.EDIT_DRAFT``: clerks and up)."""

    def __init__(
        self, client: stripe.StripeClient, writes: WriteRecorder, read_model: ReadModelSync
    ) -> None:
        self._client = client
        self._writes = writes
        self._read_model = read_model

    # -- terms ------------------------------------------------------------------------------
    def update_terms(
        self,
        actor: Actor,
        invoice_id: str,
        *,
        memo: str | None,
        footer: str | None,
        po_number: str | None,
        days_until_due: int,
        default_tax_rates: Sequence[str],
        coupons: Sequence[str],
        form_nonce: str,
    ) -> Invoice:
        """Set the draft's memo, footer, PO number, days until due (0-365), default tax
        rates and invoice coupons, all at once (empty texts clear them)."""
        payload = {"invoice": invoice_id, "memo": memo, "footer": footer, "po": po_number,
                   "days": days_until_due, "rates": list(default_tax_rates),
                   "coupons": list(coupons)}

        def change(w: Write, key: str, current: Mapping[str, Any] | None) -> Any:
            params: InvoiceUpdateParams = {
                "description": clean_text(memo, field="memo", label="memo", multiline=True,
                                          max_length=limits.INVOICE_MEMO),
                "footer": clean_text(footer, field="footer", label="footer", multiline=True,
                                     max_length=limits.INVOICE_FOOTER),
                "metadata": {"po_number": clean_text(
                    po_number, field="po_number", label="PO number",
                    max_length=limits.METADATA_VALUE)},
                "days_until_due": _days(days_until_due),
                "default_tax_rates": list(default_tax_rates) or "",
            }
            if current is not None:
                self._check_choices(current, default_tax_rates, coupons, prefix="")
                kept = _discount_entries(current.get("discounts"), coupons)
                if kept is not None:
                    params["discounts"] = kept or ""  # type: ignore[typeddict-item]
            return w.call(lambda: self._client.v1.invoices.update(
                invoice_id, params=params, options={"idempotency_key": key}))

        return self._edit(actor, invoice_id, "edit_draft_terms", payload, form_nonce, change)

    # -- lines ------------------------------------------------------------------------------
    def add_line(
        self,
        actor: Actor,
        invoice_id: str,
        *,
        price_id: str | None,
        quantity: int,
        amount_text: str | None,
        description: str | None,
        tax_rates: Sequence[str],
        coupons: Sequence[str],
        form_nonce: str,
    ) -> Invoice:
        """Add a line: ``quantity`` × ``price_id`` (a one-time price in the invoice's
        currency), or a custom ``amount_text`` in the invoice's currency with a
        ``description``; with the line's own tax rates and coupons."""
        payload = {"invoice": invoice_id, "price": price_id, "quantity": quantity,
                   "amount": amount_text, "description": description,
                   "rates": list(tax_rates), "coupons": list(coupons)}

        def change(w: Write, key: str, current: Mapping[str, Any] | None) -> Any:
            line: dict[str, Any]
            if price_id:
                line = {"pricing": {"price": price_id}, "quantity": _quantity(quantity)}
                check_draft_items([DraftItem(price_id=price_id, quantity=line["quantity"])])
            else:
                line = {"amount": self._amount(amount_text, current),
                        "description": clean_text(description, field="description",
                                                  label="description", required=True,
                                                  max_length=limits.LINE_DESCRIPTION)}
            if tax_rates:
                line["tax_rates"] = list(tax_rates)
            if coupons:
                line["discounts"] = [{"coupon": coupon} for coupon in coupons]
            if current is not None:
                self._check_choices(current, tax_rates, coupons, prefix="line.")
            return w.call(lambda: self._client.v1.invoices.add_lines(
                invoice_id, params={"lines": [line]},  # type: ignore[list-item]
                options={"idempotency_key": key}))

        return self._edit(actor, invoice_id, "add_line", payload, form_nonce, change)

    def update_line(
        self,
        actor: Actor,
        invoice_id: str,
        line_id: str,
        *,
        quantity: int | None,
        amount_text: str | None,
        description: str | None,
        tax_rates: Sequence[str],
        coupons: Sequence[str],
        form_nonce: str,
    ) -> Invoice:
        """Change one line (``il_…``): the quantity of a price line, or the amount and
        description of a custom line; its own tax rates (empty: the invoice's defaults)
        and coupons."""
        payload = {"invoice": invoice_id, "line": line_id, "quantity": quantity,
                   "amount": amount_text, "description": description,
                   "rates": list(tax_rates), "coupons": list(coupons)}

        def change(w: Write, key: str, current: Mapping[str, Any] | None) -> Any:
            line: dict[str, Any] = {"id": line_id, "tax_rates": list(tax_rates) or ""}
            if quantity is not None:
                line["quantity"] = _quantity(quantity)
            if amount_text is not None:
                line["amount"] = self._amount(amount_text, current)
            if description is not None:
                line["description"] = clean_text(description, field="description",
                                                 label="description", required=True,
                                                 max_length=limits.LINE_DESCRIPTION)
            if current is not None:
                found = self._line(invoice_id, line_id)
                self._check_choices(current, tax_rates, coupons, prefix="line.")
                kept = _discount_entries(found.get("discounts"), coupons)
                if kept is not None:
                    line["discounts"] = kept or ""
            return w.call(lambda: self._client.v1.invoices.update_lines(
                invoice_id, params={"lines": [line]},  # type: ignore[list-item]
                options={"idempotency_key": key}))

        return self._edit(actor, invoice_id, "update_line", payload, form_nonce, change)

    def remove_line(self, actor: Actor, invoice_id: str, line_id: str, *,
                    form_nonce: str) -> Invoice:
        """Take one line (``il_…``) off the draft; its invoice item is deleted."""
        payload = {"invoice": invoice_id, "line": line_id}

        def change(w: Write, key: str, current: Mapping[str, Any] | None) -> Any:
            if current is not None:
                self._line(invoice_id, line_id)
            return w.call(lambda: self._client.v1.invoices.remove_lines(
                invoice_id, params={"lines": [{"id": line_id, "behavior": "delete"}]},
                options={"idempotency_key": key}))

        return self._edit(actor, invoice_id, "remove_line", payload, form_nonce, change)

    # -- internals --------------------------------------------------------------------------
    def _edit(
        self,
        actor: Actor,
        invoice_id: str,
        operation: str,
        payload: Mapping[str, object],
        form_nonce: str,
        change: Callable[[Write, str, Mapping[str, Any] | None], Any],
    ) -> Invoice:
        """One audited edit: the live status check (skipped for a repeat), then ``change``."""
        key = idempotency_key(actor, operation, key_safe(payload), form_nonce)
        repeated = self._writes.audit.succeeded(key)
        with self._writes.write(actor, Action.EDIT_DRAFT, operation, object_id=invoice_id,
                                key=key) as w:
            current = None if repeated else self._live(invoice_id)
            answer = change(w, key, current)
        return invoice_from_stripe(answer)

    def _live(self, invoice_id: str) -> Mapping[str, Any]:
        """The draft as Stripe has it now (its discounts expanded); refuses a non-draft."""
        if not (invoice_id or "").startswith("in_"):
            raise InvalidInput("Choose the draft to change.", field="invoice_id")
        raw = as_mapping(stripe_call(lambda: self._client.v1.invoices.retrieve(
            invoice_id, params={"expand": ["discounts"]})))
        if raw.get("deleted"):
            raise NotFound(f"Invoice {invoice_id} was deleted.", field="invoice_id")
        require_status(invoice_from_stripe(raw), Action.EDIT_DRAFT)
        return raw

    def _line(self, invoice_id: str, line_id: str) -> Mapping[str, Any]:
        """The draft's line ``line_id`` with its discounts expanded, or :class:`NotFound`."""
        lines = stripe_call(lambda: list(self._client.v1.invoices.line_items.list(
            invoice_id, params={"limit": 100, "expand": ["data.discounts"]}).auto_paging_iter()))
        for line in lines:
            if line.id == line_id:
                return as_mapping(line)
        raise NotFound(f"Line {line_id} is not on this draft (it may have been removed).",
                       field="line_id")

    def _amount(self, amount_text: str | None, current: Mapping[str, Any] | None) -> int:
        currency = str((current or {}).get("currency") or "usd")
        try:
            amount = parse_amount(amount_text or "", currency)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="amount") from exc
        check_draft_items([DraftItem(amount=amount, description="line")])
        return amount

    def _check_choices(self, current: Mapping[str, Any], rates: Sequence[str],
                       coupons: Sequence[str], *, prefix: str) -> None:
        engine = self._read_model.engine
        currency = str(current.get("currency") or "")
        already = {c for c in _coupons_of(current.get("discounts"))}
        check_tax_rates(list(rates), known_tax_rates(engine),
                        field=f"{prefix}tax_rates" if prefix else "default_tax_rates")
        new = [coupon for coupon in coupons if coupon not in already]
        check_coupons(new, known_coupons(engine), currency, field=f"{prefix}discounts")


def _days(days_until_due: int) -> int:
    if isinstance(days_until_due, bool) or not isinstance(days_until_due, int) \
            or not 0 <= days_until_due <= MAX_DAYS_UNTIL_DUE:
        raise InvalidInput(f"Days until due must be a whole number from 0 to "
                           f"{MAX_DAYS_UNTIL_DUE}.", field="days_until_due")
    return days_until_due


def _quantity(quantity: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) \
            or not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"The quantity must be a whole number from 1 to {MAX_QUANTITY:,}.",
                           field="quantity")
    return quantity


def _coupons_of(discounts: Any) -> dict[str, str]:
    """Coupon id → discount id, for expanded discounts (``source.coupon`` or ``coupon``)."""
    found: dict[str, str] = {}
    for discount in discounts or []:
        data = as_mapping(discount) if not isinstance(discount, str) else {"id": discount}
        source = data.get("source") or {}
        coupon = object_id(source.get("coupon")) if isinstance(source, Mapping) else None
        coupon = coupon or object_id(data.get("coupon"))
        if coupon and data.get("id"):
            found[str(coupon)] = str(data["id"])
    return found


def _discount_entries(discounts: Any, coupons: Sequence[str]) -> list[dict[str, str]] | None:
    """The ``discounts`` parameter for ``coupons``: existing discounts kept by id, new
    coupons added; None when nothing changes (the parameter is then not sent)."""
    existing = _coupons_of(discounts)
    if list(existing) == list(coupons):
        return None
    return [{"discount": existing[c]} if c in existing else {"coupon": c} for c in coupons]
