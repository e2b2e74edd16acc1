"""The audit log is append-only and readable; idempotency keys are stable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from services.core.access import Actor, Role
from services.core.audit import AuditLog
from services.core.database import make_engine
from services.core.errors import InvalidInput
from services.core.idempotency import canonical_payload, idempotency_key, new_form_nonce, sub_key

CLERK = Actor("carla", Role.CLERK)


@pytest.fixture
def audit(app_database_url: str) -> AuditLog:
    return AuditLog(make_engine(app_database_url))


def test_rows_are_recorded_and_read_back(audit: AuditLog) -> None:
    audit.record(actor=CLERK, action="create_draft", outcome="success", object_id="in_1",
                 idempotency_key="k1", stripe_request_id="req_1")  # fmt: skip
    audit.record(actor=CLERK, action="void_invoice", outcome="failure", object_id="in_1",
                 reason="duplicate", error="NotAllowedInState: it is a draft")  # fmt: skip
    audit.record(actor=Actor("ann", Role.APPROVER), action="finalize_invoice",
                 outcome="success", object_id="in_2")  # fmt: skip
    table = audit.table()
    assert list(table["action"]) == ["finalize_invoice", "void_invoice", "create_draft"]
    history = audit.history("in_1")
    assert list(history["action"]) == ["create_draft", "void_invoice"]
    assert history.iloc[0]["stripe_request_id"] == "req_1"
    assert history.iloc[1]["reason"] == "duplicate"
    assert history.iloc[1]["outcome"] == "failure"
    assert list(audit.table(username="ann")["object_id"]) == ["in_2"]
    assert audit.table(since=datetime.now(UTC) + timedelta(minutes=1)).empty
    assert audit.succeeded("k1") and not audit.succeeded("k2")


def test_rows_cannot_be_changed_or_deleted(audit: AuditLog) -> None:
    audit.record(actor=CLERK, action="create_customer", outcome="success", object_id="cus_1")
    engine = audit._engine
    for statement in ("UPDATE audit_log SET outcome = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert list(audit.table()["outcome"]) == ["success"]


def test_same_submission_same_key_and_any_change_a_new_key() -> None:
    nonce = new_form_nonce()
    payload = {"customer": "cus_1", "items": [{"price_id": "price_1", "quantity": 2}]}
    key = idempotency_key(CLERK, "create_draft", payload, nonce)
    reordered = {"items": [{"quantity": 2, "price_id": "price_1"}], "customer": "cus_1"}
    assert idempotency_key(CLERK, "create_draft", reordered, nonce) == key
    assert idempotency_key(CLERK, "create_draft", payload, new_form_nonce()) != key
    assert idempotency_key(Actor("bob", Role.CLERK), "create_draft", payload, nonce) != key
    assert idempotency_key(CLERK, "create_draft", {**payload, "customer": "cus_2"}, nonce) != key
    assert len(key) <= 255 and len(sub_key(key, "item", 249)) <= 255
    assert sub_key(key, "item", 0) != sub_key(key, "item", 1)
    assert canonical_payload({"b": 1, "a": None}) == '{"a":null,"b":1}'


def test_a_form_without_nonce_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        idempotency_key(CLERK, "create_draft", {}, "  ")
    assert caught.value.field == "form_nonce"


def test_every_request_id_of_a_long_write_is_kept(audit: AuditLog) -> None:
    many = " ".join(f"req_{n:020d}" for n in range(26))  # a draft with 25 items
    audit.record(actor=CLERK, action="create_draft", outcome="success", object_id="in_long",
                 stripe_request_id=many)
    assert audit.history("in_long").iloc[-1]["stripe_request_id"] == many
