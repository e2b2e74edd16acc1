"""Every write × every role: refused with PermissionDenied (and audited) unless the
matrix in services.core.access allows it, whatever a page shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from services.container import Services
from services.core.access import Action, Actor, Role, can
from services.core.errors import PermissionDenied
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from services.invoicing.credit_notes import CreditNoteRequest
from tests.services.conftest import ACTORS, unique


@dataclass(frozen=True)
class Operation:
    name: str
    action: Action
    needs: str  # what must exist first: nothing, product, price, customer, credit_note,
    # or an invoice status
    run: Callable[[Services, Actor, dict], object]


def _nonce() -> str:
    return new_form_nonce()


OPERATIONS = [
    Operation("create_product", Action.MANAGE_CATALOG, "nothing",
              lambda s, a, w: s.catalog.create_product(a, name=unique("P"), description=None,
                                                        form_nonce=_nonce())),
    Operation("create_price", Action.MANAGE_CATALOG, "product",
              lambda s, a, w: s.catalog.create_price(
                  a, product_id=w["product"], amount_text="5", currency="usd",
                  recurring_interval="month", nickname=None, form_nonce=_nonce())),
    Operation("archive_product", Action.MANAGE_CATALOG, "product",
              lambda s, a, w: s.catalog.archive_product(a, w["product"], form_nonce=_nonce())),
    Operation("archive_price", Action.MANAGE_CATALOG, "price",
              lambda s, a, w: s.catalog.archive_price(a, w["price"], form_nonce=_nonce())),
    Operation("create_customer", Action.MANAGE_CUSTOMERS, "nothing",
              lambda s, a, w: s.customers.create(a, name=unique("C"), email="c@example.com",
                                                 description=None, address=None,
                                                 form_nonce=_nonce())),
    Operation("update_customer", Action.MANAGE_CUSTOMERS, "customer",
              lambda s, a, w: s.customers.update(a, w["customer"], name=unique("C2"),
                                                 email="c2@example.com", description="x",
                                                 address=None, form_nonce=_nonce())),
    Operation("create_draft", Action.CREATE_DRAFT, "price",
              lambda s, a, w: s.invoices.create_draft(
                  a, customer_id=w["customer"], items=[DraftItem(price_id=w["price"])],
                  days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
                  form_nonce=_nonce())),
    Operation("duplicate_invoice", Action.CREATE_DRAFT, "open",
              lambda s, a, w: s.invoices.duplicate(a, w["invoice"], form_nonce=_nonce())),
    Operation("add_item", Action.EDIT_DRAFT, "draft",
              lambda s, a, w: s.invoices.add_custom_item(a, w["invoice"], amount_text="1",
                                                         description="extra",
                                                         form_nonce=_nonce())),
    Operation("remove_item", Action.EDIT_DRAFT, "draft",
              lambda s, a, w: s.invoices.remove_item(a, w["invoice"], w["item"],
                                                     form_nonce=_nonce())),
    Operation("delete_draft", Action.DELETE_DRAFT, "draft",
              lambda s, a, w: s.invoices.delete_draft(a, w["invoice"], form_nonce=_nonce())),
    Operation("finalize_invoice", Action.FINALIZE_INVOICE, "draft",
              lambda s, a, w: s.invoices.finalize(a, w["invoice"], form_nonce=_nonce())),
    Operation("send_invoice", Action.SEND_INVOICE, "open",
              lambda s, a, w: s.invoices.send(a, w["invoice"], form_nonce=_nonce())),
    Operation("record_payment", Action.RECORD_PAYMENT, "open",
              lambda s, a, w: s.invoices.record_payment(a, w["invoice"], note="cash",
                                                        form_nonce=_nonce())),
    Operation("issue_credit_note", Action.ISSUE_CREDIT_NOTE, "open",
              lambda s, a, w: s.invoices.credit_notes.issue(
                  a, CreditNoteRequest(w["invoice"], "order_change", "reduce_owed",
                                       amount_text="1"), form_nonce=_nonce())),
    Operation("void_credit_note", Action.VOID_CREDIT_NOTE, "credit_note",
              lambda s, a, w: s.invoices.credit_notes.void(a, w["credit_note"],
                                                           form_nonce=_nonce())),
    Operation("void_invoice", Action.VOID_INVOICE, "open",
              lambda s, a, w: s.invoices.void(a, w["invoice"], reason="wrong",
                                              form_nonce=_nonce())),
    Operation("mark_uncollectible", Action.MARK_UNCOLLECTIBLE, "open",
              lambda s, a, w: s.invoices.mark_uncollectible(a, w["invoice"], reason="gone",
                                                            form_nonce=_nonce())),
]  # fmt: skip


@pytest.fixture
def world(services: Services, make_customer, make_price, make_invoice, request) -> dict:  # type: ignore[no-untyped-def]
    """Just what the operation under test needs, made by an admin."""
    needs = request.param
    if needs == "nothing":
        return {}
    if needs in ("draft", "open"):
        invoice = make_invoice(needs)
        return {"invoice": invoice.id, "item": invoice.lines[0].invoice_item_id}
    if needs == "credit_note":
        note = services.client.v1.credit_notes.create({"invoice": make_invoice("open").id,
                                                       "amount": 100})
        return {"credit_note": note.id}
    price = make_price()
    return {"product": price.product_id, "price": price.id, "customer": make_customer().id}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    ("operation", "world"),
    [(op, op.needs) for op in OPERATIONS],
    ids=[op.name for op in OPERATIONS],
    indirect=["world"],
)
def test_role_may_or_may_not(services: Services, operation: Operation, role: Role, world: dict):
    actor = ACTORS[role]
    if can(role, operation.action):
        operation.run(services, actor, world)
        row = services.audit.table(username=actor.username).iloc[0]
        assert (row["action"], row["outcome"]) == (operation.name, "success")
    else:
        with pytest.raises(PermissionDenied) as caught:
            operation.run(services, actor, world)
        assert str(role) in str(caught.value)
        row = services.audit.table(username=actor.username).iloc[0]
        assert (row["action"], row["outcome"]) == (operation.name, "failure")
        assert "PermissionDenied" in row["error"]
        assert row["stripe_request_id"] is None


def test_every_write_action_is_covered() -> None:
    covered = {op.action for op in OPERATIONS}
    not_here = {Action.VIEW, Action.RESEND_PAYMENT_NOTICE, Action.VIEW_AUDIT_LOG,
                Action.MANAGE_USERS, Action.MANAGE_SETTINGS}  # fmt: skip
    assert covered | not_here == set(Action)
