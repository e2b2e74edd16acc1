"""Every write leaves an audit row, for successes and for failures alike."""

from __future__ import annotations

import pytest

from services.container import Services
from services.core.errors import InvalidInput, NotAllowedInState, NotFound
from services.core.idempotency import new_form_nonce
from tests.services.conftest import APPROVER, CLERK


def test_success_row_carries_key_and_stripe_request_id(services: Services, make_invoice):
    invoice = make_invoice("draft")
    services.invoices.finalize(APPROVER, invoice.id, form_nonce=new_form_nonce())
    row = services.audit.history(invoice.id).iloc[-1]
    assert (row["username"], row["role"], row["action"], row["outcome"]) == (
        "april.approver", "approver", "finalize_invoice", "success",
    )  # fmt: skip
    assert row["idempotency_key"].startswith("dash-finalize_invoice-")
    assert row["stripe_request_id"].startswith("req_")
    assert row["error"] is None
    assert row["at"].tzinfo is not None


def test_stripe_refusal_is_recorded_with_its_request_id(services: Services):
    with pytest.raises(NotFound):
        services.customers.update(
            CLERK, "cus_doesnotexist", name="X", email="x@example.com", description=None,
            address=None, form_nonce=new_form_nonce(),
        )  # fmt: skip
    row = services.audit.history("cus_doesnotexist").iloc[-1]
    assert (row["action"], row["outcome"]) == ("update_customer", "failure")
    assert row["error"].startswith("NotFound:")
    assert row["stripe_request_id"].startswith("req_")


def test_refusals_before_stripe_are_recorded(services: Services, make_invoice):
    paid = make_invoice("paid")
    with pytest.raises(NotAllowedInState):
        services.invoices.void(APPROVER, paid.id, reason="oops", form_nonce=new_form_nonce())
    row = services.audit.history(paid.id).iloc[-1]
    assert (row["action"], row["outcome"], row["reason"]) == ("void_invoice", "failure", "oops")
    assert "paid invoices cannot be voided" in row["error"]

    with pytest.raises(InvalidInput):
        services.customers.create(
            CLERK, name="No Mail", email="not-an-email", description=None, address=None,
            form_nonce=new_form_nonce(),
        )  # fmt: skip
    row = services.audit.table(username=CLERK.username).iloc[0]
    assert (row["action"], row["outcome"]) == ("create_customer", "failure")
    assert "not an email address" in row["error"]
