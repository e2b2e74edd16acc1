"""Status rules, item checks and totals, decided before any call to Stripe."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from services.core.access import Action, Role
from services.core.errors import InvalidInput, NotAllowedInState
from services.core.models import DraftItem, Invoice, Price
from services.invoicing.rules import (
    MAX_INVOICE_ITEMS,
    available_actions,
    check_draft_items,
    require_status,
    totals,
)

INVOICE = Invoice(
    id="in_1", number=None, status="draft", customer_id="cus_1", customer_name="Acme",
    customer_email="ap@acme.test", currency="usd", subtotal=0, total=0, amount_due=0,
    amount_paid=0, amount_remaining=0, created=datetime(2026, 1, 1, tzinfo=UTC),
    due_date=date(2026, 1, 31), finalized_at=None, paid_at=None, voided_at=None,
    marked_uncollectible_at=None, hosted_invoice_url=None, invoice_pdf=None, memo=None,
    footer=None, po_number=None, collection_method="send_invoice", lines=(), livemode=False,
)  # fmt: skip
GOLD = Price("price_gold", "prod_1", 1000, "usd", "one_time", None, None, None, True)


def _in(status: str) -> Invoice:
    return replace(INVOICE, status=status)


@pytest.mark.parametrize(
    ("status", "admin_actions"),
    [
        ("draft", {Action.EDIT_DRAFT, Action.DELETE_DRAFT, Action.FINALIZE_INVOICE,
                   Action.CREATE_DRAFT}),
        ("open", {Action.SEND_INVOICE, Action.RECORD_PAYMENT, Action.VOID_INVOICE,
                  Action.MARK_UNCOLLECTIBLE, Action.RESEND_PAYMENT_NOTICE, Action.CREATE_DRAFT}),
        ("uncollectible", {Action.RECORD_PAYMENT, Action.VOID_INVOICE, Action.CREATE_DRAFT}),
        ("paid", {Action.CREATE_DRAFT}),
        ("void", {Action.CREATE_DRAFT}),
    ],
)  # fmt: skip
def test_available_actions_follow_status_and_role(status: str, admin_actions: set) -> None:
    assert set(available_actions(_in(status), Role.ADMIN)) == admin_actions
    assert available_actions(_in(status), Role.VIEWER) == []
    clerk = set(available_actions(_in(status), Role.CLERK))
    assert Action.FINALIZE_INVOICE not in clerk and Action.VOID_INVOICE not in clerk
    assert clerk <= admin_actions


def test_card_collected_invoices_are_not_sent() -> None:
    automatic = replace(_in("open"), collection_method="charge_automatically")
    assert Action.SEND_INVOICE not in available_actions(automatic, Role.ADMIN)
    with pytest.raises(NotAllowedInState, match="cannot be sent by email"):
        require_status(automatic, Action.SEND_INVOICE)


@pytest.mark.parametrize(
    ("status", "action", "words"),
    [
        ("open", Action.FINALIZE_INVOICE, "already finalized"),
        ("paid", Action.VOID_INVOICE, "paid invoices cannot be voided"),
        ("draft", Action.VOID_INVOICE, "drafts are deleted, not voided"),
        ("draft", Action.SEND_INVOICE, "must finalize it first"),
        ("uncollectible", Action.MARK_UNCOLLECTIBLE, "already marked uncollectible"),
        ("open", Action.DELETE_DRAFT, "only drafts can be deleted"),
        ("paid", Action.RECORD_PAYMENT, "already paid"),
        ("void", Action.RECORD_PAYMENT, "it is void"),
        ("open", Action.EDIT_DRAFT, "can no longer be edited"),
    ],
)
def test_forbidden_transitions_are_refused_in_words(status: str, action: Action, words: str):
    with pytest.raises(NotAllowedInState) as caught:
        require_status(_in(status), action)
    assert words in str(caught.value)
    assert caught.value.field == "invoice_id"


def test_more_than_250_items_is_refused() -> None:
    check_draft_items([DraftItem(price_id="price_gold")] * MAX_INVOICE_ITEMS)
    with pytest.raises(InvalidInput, match="at most 250 items") as caught:
        check_draft_items([DraftItem(price_id="price_gold")] * (MAX_INVOICE_ITEMS + 1))
    assert caught.value.field == "items"
    with pytest.raises(InvalidInput, match="would have 251"):
        check_draft_items([DraftItem(price_id="price_gold")], existing=250)


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (DraftItem(), "items[0]"),
        (DraftItem(price_id="price_gold", amount=100), "items[0]"),
        (DraftItem(price_id="price_gold", quantity=0), "items[0].quantity"),
        (DraftItem(amount=-5, description="credit"), "items[0].amount"),
        (DraftItem(amount=500), "items[0].description"),
        (DraftItem(amount=500, quantity=3, description="x"), "items[0].quantity"),
    ],
)
def test_malformed_items_name_the_field(item: DraftItem, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_draft_items([item])
    assert caught.value.field == field


def test_totals_add_prices_and_custom_amounts() -> None:
    items = [DraftItem(price_id="price_gold", quantity=3), DraftItem(amount=250, description="Fee")]
    result = totals(items, {"price_gold": GOLD}, "usd")
    assert (result.subtotal, result.total, result.count, result.display) == (
        3250, 3250, 2, "$32.50",
    )  # fmt: skip


def test_totals_refuse_mixed_currency_and_subscription_prices() -> None:
    with pytest.raises(InvalidInput, match="one invoice has one currency"):
        totals([DraftItem(price_id="price_gold")], {"price_gold": GOLD}, "eur")
    monthly = replace(GOLD, type="recurring", interval="month")
    with pytest.raises(InvalidInput, match="subscription price"):
        totals([DraftItem(price_id="price_gold")], {"price_gold": monthly}, "usd")


def test_a_line_above_stripes_limit_is_refused_naming_its_quantity() -> None:
    big = replace(GOLD, id="price_big", unit_amount=1_234_000)  # $12,340.00 x 100
    items = [DraftItem(price_id=GOLD.id, quantity=1), DraftItem(price_id=big.id, quantity=100)]
    with pytest.raises(InvalidInput) as caught:
        totals(items, {GOLD.id: GOLD, big.id: big}, "usd")
    assert caught.value.field == "items[1].quantity"
    assert "$1,234,000.00" in str(caught.value)


def test_an_invoice_total_above_stripes_limit_is_refused_naming_the_line() -> None:
    items = [DraftItem(amount=99_999_999, description="a"), DraftItem(amount=2, description="b")]
    with pytest.raises(InvalidInput) as caught:
        totals(items, {}, "usd")
    assert caught.value.field == "items[1].amount"
    with pytest.raises(InvalidInput) as caught:
        totals([DraftItem(price_id=GOLD.id, quantity=1)], {GOLD.id: GOLD}, "usd",
               existing_total=99_999_000)
    assert caught.value.field == "items[0].quantity"
    assert totals(items[:1], {}, "usd").total == 99_999_999


@pytest.mark.parametrize("text", ["Setup\x00", "bell\x07", "\ud800"])
def test_a_custom_line_description_with_control_characters_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_draft_items([DraftItem(amount=100, description=text)])
    assert caught.value.field == "items[0].description"
