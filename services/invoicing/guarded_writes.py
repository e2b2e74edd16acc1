"""What every invoice write shares: the invoice read live, a status change, a new item.

:class:`GuardedInvoiceWrites` is the base of :class:`services.invoicing.lifecycle.Invoicing`.
Each step reads Stripe live before acting (``_current``), so a stale read-model copy can
never allow or refuse a write wrongly; refuses what the invoice's status forbids
(:func:`services.invoicing.rules.require_status`) before calling Stripe; sends an
idempotency key derived from the form's key; and leaves one audit row
(:class:`services.core.writes.WriteRecorder`). A repeated submission (same form, same key)
skips the status check and lets Stripe replay its first answer.

- ``_current``: the invoice as Stripe has it now, every line included
  (https://docs.stripe.com/api/invoices/retrieve, lines paged past the embedded ones).
- ``_transition``: finalize, send, void, mark uncollectible
  (https://docs.stripe.com/api/invoices/finalize and its siblings), with a required
  reason kept in the invoice's metadata where the action has one.
- ``_add_item``: one invoice item on a draft (https://docs.stripe.com/api/invoiceitems/create),
  within the item count and Stripe's largest amount.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import stripe

from services.core import limits
from services.core.access import Action, Actor
from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import idempotency_key, sub_key
from services.core.models import DraftItem, Invoice, as_mapping, invoice_from_stripe
from services.core.stripe_errors import stripe_call
from services.core.text import clean_text, key_safe
from services.core.writes import WriteRecorder
from services.invoicing.drafts import DraftBuilder, item_params
from services.invoicing.rules import check_draft_items, require_status, totals


class GuardedInvoiceWrites:
    """The shared steps of invoice writes; the subclass sets the three attributes."""

    _client: stripe.StripeClient
    _writes: WriteRecorder
    _drafts: DraftBuilder

    def _current(self, invoice_id: str) -> Invoice:
        """The invoice as Stripe has it now, with all its lines: what a write checks
        before acting and returns after it. :class:`NotFound` if it does not exist."""
        raw = stripe_call(lambda: self._client.v1.invoices.retrieve(invoice_id))
        if as_mapping(raw).get("deleted"):
            raise NotFound(f"Invoice {invoice_id} was deleted.", field="invoice_id")
        embedded = getattr(raw, "lines", None)
        if embedded is not None and getattr(embedded, "has_more", False):
            lines = stripe_call(
                lambda: list(
                    self._client.v1.invoices.line_items.list(
                        invoice_id, params={"limit": 100}
                    ).auto_paging_iter()
                )
            )
            return invoice_from_stripe(raw, lines)
        return invoice_from_stripe(raw)

    def _transition(
        self,
        actor: Actor,
        invoice_id: str,
        action: Action,
        operation: str,
        form_nonce: str,
        stripe_request: Callable[[str], object],
        *,
        reason: str | None = None,
        reason_field: str | None = None,
        metadata_key: str | None = None,
        check: Callable[[Invoice], None] | None = None,
    ) -> Invoice:
        refused: InvalidInput | None = None
        try:
            field = reason_field or "reason"
            # A reason kept in the invoice's metadata must fit Stripe's 500 characters.
            limit = limits.METADATA_VALUE if metadata_key is not None else None
            clean_reason = clean_text(
                reason, field=field, label=field, multiline=True, max_length=limit
            ) or None  # fmt: skip
        except InvalidInput as exc:  # refused inside the write, so it is audited
            clean_reason, refused = None, exc
        payload = {"invoice": invoice_id, "reason": clean_reason}
        key = idempotency_key(actor, operation, payload, form_nonce)
        repeated = self._writes.audit.succeeded(key)
        with self._writes.write(
            actor, action, operation, object_id=invoice_id, key=key, reason=clean_reason
        ) as w:
            if refused is not None:
                raise refused
            if reason_field is not None and clean_reason is None:
                raise InvalidInput(
                    f"Give a {reason_field} (it is kept with the invoice and in the audit log).",
                    field=reason_field,
                )
            if not repeated:
                current = self._current(invoice_id)
                require_status(current, action)
                if check is not None:  # the action's own precondition (audited if refused)
                    check(current)
            if metadata_key is not None and clean_reason is not None:
                note = clean_reason
                w.call(
                    lambda: self._client.v1.invoices.update(
                        invoice_id,
                        params={"metadata": {metadata_key: note}},
                        options={"idempotency_key": sub_key(key, "metadata")},
                    )
                )
            w.call(lambda: stripe_request(sub_key(key, "action")))
        return self._current(invoice_id)

    def _add_item(
        self,
        actor: Actor,
        invoice_id: str,
        payload: Mapping[str, object],
        make_item: Callable[[Invoice], DraftItem],
        form_nonce: str,
    ) -> Invoice:
        key = idempotency_key(
            actor, "add_item", key_safe({"invoice": invoice_id, **payload}), form_nonce
        )
        repeated = self._writes.audit.succeeded(key)
        with self._writes.write(
            actor, Action.EDIT_DRAFT, "add_item", object_id=invoice_id, key=key
        ) as w:
            invoice = self._current(invoice_id)
            item = make_item(invoice)
            if not repeated:
                require_status(invoice, Action.EDIT_DRAFT)
                check_draft_items([item], existing=len(invoice.lines))
            totals(
                [item],
                self._drafts.prices([item]),
                invoice.currency,
                existing_total=0 if repeated else invoice.total,
            )
            params = item_params(invoice.customer_id or "", invoice_id, item, invoice.currency)
            w.call(
                lambda: self._client.v1.invoice_items.create(
                    params=params,
                    options={"idempotency_key": key},
                )
            )
        return self._current(invoice_id)
