"""Writes that cannot be half-done: the intent is noted before Stripe is asked.

- no note, no request: a database that cannot take the intent stops the write;
- a crash between Stripe's answer and the audit row leaves the intent open; the same
  form submitted again finishes it with Stripe's replayed answer (nothing made twice)
  and writes the audit row;
- an interrupted write is named to its user with the object it had reached.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from services.container import Services
from services.core.errors import StripeUnavailable
from services.core.idempotency import new_form_nonce
from services.core.models import DraftItem
from tests.services.conftest import ADMIN, CLERK, unique


def _customers_named(services: Services, name: str) -> list[str]:
    found = services.client.v1.customers.search(params={"query": f"name:'{name}'"})
    return [customer.id for customer in found.data]


def test_nothing_is_sent_to_stripe_when_the_intent_cannot_be_noted(services: Services) -> None:
    with services.engine.begin() as conn:
        conn.execute(text("DROP TABLE write_intents"))  # the database refuses the note
    name = unique("Never Made")
    with pytest.raises(StripeUnavailable, match="nothing was sent to Stripe"):
        services.customers.create(CLERK, name=name, email="never@example.com",
                                  description=None, address=None, form_nonce=new_form_nonce())
    assert _customers_named(services, name) == []
    assert services.audit.table(username=CLERK.username).iloc[0]["outcome"] == "failure"


def test_a_crash_before_the_audit_row_is_finished_by_the_same_submission(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, nonce = unique("Half Made"), new_form_nonce()
    original = services.audit.record
    calls = {"n": 0}

    def crash_once(**row) -> None:  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt  # the process dies right after Stripe answered
        original(**row)

    monkeypatch.setattr(services.audit, "record", crash_once)
    with pytest.raises(KeyboardInterrupt):
        services.customers.create(CLERK, name=name, email="half@example.com",
                                  description=None, address=None, form_nonce=nonce)
    later = datetime.now(UTC) + timedelta(minutes=2)
    [open_write] = services.intents.unfinished(CLERK.username, now=later)
    assert open_write.operation == "create_customer"

    again = services.customers.create(CLERK, name=name, email="half@example.com",
                                      description=None, address=None, form_nonce=nonce)

    assert _customers_named(services, name) == [again.id]  # made once
    row = services.audit.table(username=CLERK.username).iloc[0]
    assert (row["action"], row["outcome"], row["object_id"]) == (
        "create_customer", "success", again.id
    )
    assert services.intents.unfinished(CLERK.username, now=later) == []


def test_an_interrupted_draft_is_named_with_the_draft_it_reached(
    services: Services, make_customer, make_price, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    customer, price = make_customer(), make_price("5")
    create_item = services.client.v1.invoice_items.create

    def die_on_the_item(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # the server is killed while the lines are added

    monkeypatch.setattr(services.client.v1.invoice_items, "create", die_on_the_item)
    with pytest.raises(KeyboardInterrupt):
        services.invoices.create_draft(
            ADMIN, customer_id=customer.id, items=[DraftItem(price_id=price.id, quantity=2)],
            days_until_due=30, memo=None, footer=None, po_number=None, currency=None,
            form_nonce=new_form_nonce(),
        )  # fmt: skip
    monkeypatch.setattr(services.client.v1.invoice_items, "create", create_item)
    [open_write] = services.intents.unfinished(
        ADMIN.username, now=datetime.now(UTC) + timedelta(minutes=2)
    )
    assert open_write.operation == "create_draft"
    assert (open_write.object_id or "").startswith("in_")


def test_an_error_after_part_of_a_write_reached_stripe_says_the_same_form_resumes_it(
    services: Services, make_customer, make_price, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The pages keep the form's nonce after a ``resumable`` error (ui.forms.run_write),
    so the same submission finishes the draft; a refusal before Stripe is not resumable."""
    import stripe

    from services.core.errors import InvalidInput

    customer, price = make_customer(), make_price("5")
    items = [DraftItem(price_id=price.id, quantity=1)]
    with pytest.raises(InvalidInput) as refused:
        services.invoices.create_draft(
            ADMIN, customer_id=customer.id, items=items, days_until_due=30, memo="x" * 1501,
            footer=None, po_number=None, currency=None, form_nonce=new_form_nonce(),
        )  # fmt: skip
    assert not refused.value.resumable

    def unreachable(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise stripe.APIConnectionError("connection reset by peer")

    create_item = services.client.v1.invoice_items.create
    monkeypatch.setattr(services.client.v1.invoice_items, "create", unreachable)
    nonce = new_form_nonce()
    with pytest.raises(StripeUnavailable) as cut_short:
        services.invoices.create_draft(
            ADMIN, customer_id=customer.id, items=items, days_until_due=30, memo=None,
            footer=None, po_number=None, currency=None, form_nonce=nonce,
        )  # fmt: skip
    assert cut_short.value.resumable
    monkeypatch.setattr(services.client.v1.invoice_items, "create", create_item)
    finished = services.invoices.create_draft(
        ADMIN, customer_id=customer.id, items=items, days_until_due=30, memo=None,
        footer=None, po_number=None, currency=None, form_nonce=nonce,
    )  # fmt: skip
    drafts = services.client.v1.invoices.list(params={"customer": customer.id}).data
    assert [d.id for d in drafts] == [finished.id] and finished.total == 500
