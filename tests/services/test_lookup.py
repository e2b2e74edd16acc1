"""The lookup box, as a finance user uses it: one text → ranked results from the read model.

Objects are made through the services (their answers are stored in the read model at
once), on the shared emulator and the app database of the run (SQLite or PostgreSQL).
No search sends a request to Stripe, so what was just made is found at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import stripe
from alembic import command
from alembic.config import Config

from services.container import Services
from services.core.database import MIGRATIONS
from services.core.idempotency import new_form_nonce
from services.core.models import Customer, DraftItem, Invoice
from services.readmodel.store import now_version, store_object
from services.reporting.lookup import RESULT_LIMIT, LookupResult
from tests.services.conftest import ADMIN, unique

EXACT = 0.95  # the page opens the best result at once from this score


@pytest.fixture
def stripe_requests(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every request to Stripe from now on: the SDK's HTTP client and ``raw_request``."""
    sent: list[str] = []
    http = stripe.HTTPClient.request_with_retries
    raw = services.client.raw_request

    def over_http(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(f"{method.upper()} {url}")
        return http(self, method, url, *args, **kwargs)

    def raw_request(method: str, path: str, **params: Any) -> Any:
        sent.append(f"raw {method.upper()} {path}")
        return raw(method, path, **params)

    monkeypatch.setattr(stripe.HTTPClient, "request_with_retries", over_http)
    monkeypatch.setattr(services.client, "raw_request", raw_request)
    yield sent


@pytest.fixture
def draft(services: Services) -> Callable[..., Invoice]:
    """A draft (or, with ``finalize``, an open invoice) of custom-amount lines."""

    def make(customer: Customer, *lines: tuple[int, str], currency: str = "usd",
             po_number: str | None = None, finalize: bool = False) -> Invoice:
        invoice = services.invoices.create_draft(
            ADMIN, customer_id=customer.id, currency=currency, po_number=po_number,
            items=[DraftItem(amount=amount, description=text) for amount, text in lines],
            days_until_due=30, memo=None, footer=None, form_nonce=new_form_nonce(),
        )  # fmt: skip
        if finalize:
            invoice = services.invoices.finalize(ADMIN, invoice.id, form_nonce=new_form_nonce())
        return invoice

    return make


def ids(results: list[LookupResult]) -> list[str]:
    return [result.object_id for result in results]


def test_ids_are_found_without_asking_stripe(
    services: Services, make_invoice, make_price, stripe_requests: list[str]
) -> None:
    invoice = make_invoice("open")
    price = make_price("12")
    assert stripe_requests  # the recorder sees what the services send
    stripe_requests.clear()
    for object_id, kind in [
        (invoice.id, "invoice"),
        (invoice.customer_id, "customer"),
        (price.product_id, "product"),
        (price.id, "price"),
    ]:
        results = services.lookup.search(object_id)
        assert [(r.kind, r.object_id, r.score) for r in results] == [(kind, object_id, 1.0)]
    assert services.lookup.search("in_doesnotexist") == []
    assert stripe_requests == []


def test_a_line_or_invoice_item_id_opens_its_invoice(services: Services, make_invoice) -> None:
    invoice = make_invoice("draft")
    line = invoice.lines[0]
    assert line.invoice_item_id
    for typed in (line.id, line.invoice_item_id):
        results = services.lookup.search(typed)
        assert [(r.kind, r.object_id, r.score) for r in results] == [("invoice", invoice.id, 1.0)]


def test_an_invoice_finalized_a_moment_ago_is_found_by_its_number_in_any_case(
    services: Services, make_customer, draft, stripe_requests: list[str]
) -> None:
    invoice = draft(make_customer(), (12_000, "Audit"), finalize=True)
    number = invoice.number or ""
    prefix, digits = number.split("-")
    stripe_requests.clear()
    for typed in (number, number.lower(), f"  {number.lower()} ", f"{prefix}-{int(digits)}"):
        results = services.lookup.search(typed)
        assert results[0].object_id == invoice.id, typed
        assert results[0].title == f"Invoice {number}"
        assert results[0].score >= EXACT
    assert stripe_requests == []


def test_the_numeric_tail_of_a_number_finds_it_ranked_below_an_exact_number(
    services: Services, make_customer, draft
) -> None:
    invoice = draft(make_customer(), (5_000, "Setup"), finalize=True)
    tail = (invoice.number or "").split("-")[1]
    results = services.lookup.search(tail)
    assert ids(results) == [invoice.id]
    assert results[0].score < EXACT  # a guess, not opened at once


def test_a_tail_many_invoices_share_lists_none_of_them(services: Services) -> None:
    with services.engine.begin() as conn:
        for n in range(6):
            store_object(conn, "invoice", _stored_invoice(f"in_tail{n}", number=f"PFX{n}-0001"),
                         now_version())
    assert services.lookup.search("0001") == []
    assert ids(services.lookup.search("pfx3-0001")) == ["in_tail3"]


def test_an_email_in_any_case_finds_the_customer_then_their_invoices(
    services: Services, make_customer, make_invoice
) -> None:
    customer = make_customer()
    first = make_invoice("open", customer=customer)
    second = make_invoice("draft", customer=customer)
    results = services.lookup.search((customer.email or "").upper())
    assert (results[0].kind, results[0].object_id) == ("customer", customer.id)
    assert {r.object_id for r in results[1:]} == {first.id, second.id}
    assert all(r.kind == "invoice" for r in results[1:])


def test_part_of_an_email_finds_the_customer(services: Services) -> None:
    customer = services.customers.create(
        ADMIN, name=unique("Payables"), email="ap.team@initrode-industries.example",
        description=None, address=None, form_nonce=new_form_nonce(),
    )  # fmt: skip
    assert customer.id in ids(services.lookup.search("initrode-industries"))
    assert customer.id in ids(services.lookup.search("AP.TEAM@"))


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [("sohne", "Müller & Söhne GmbH"), ("SÖHNE", "Müller & Söhne GmbH"),
     ("muller", "Müller & Söhne GmbH"), ("cafe", "Café Lumière SARL"),
     ("lumiere", "Café Lumière SARL"), ("Initeck", "Initech Holdings"),
     ("initehc holdings", "Initech Holdings"), ("Holdngs", "Initech Holdings")],
)  # fmt: skip
def test_names_ignore_case_and_accents_and_forgive_one_typo(
    services: Services, make_customer, typed: str, wanted: str
) -> None:
    made = {name: make_customer(name).id for name in
            ("Müller & Söhne GmbH", "Café Lumière SARL", "Initech Holdings", "Globex")}
    results = services.lookup.search(typed)
    assert results and results[0].object_id == made[wanted], typed
    assert made["Globex"] not in ids(results)


def test_a_typo_is_one_letter_not_two(services: Services, make_customer) -> None:
    make_customer("Initech Holdings")
    assert services.lookup.search("Inetack") == []


def test_the_exact_name_ranks_above_longer_ones(services: Services, make_customer) -> None:
    word = unique("Initech").split()[1]
    exact = make_customer(f"Initech {word}")
    longer = make_customer(f"Initech {word} Holdings")
    results = services.lookup.search(f"Initech {word}")
    assert ids(results[:2]) == [exact.id, longer.id]
    assert results[0].score > results[1].score
    assert services.lookup.search(unique("Nobody")) == []
    assert services.lookup.search("   ") == []


def test_product_names_ignore_accents_and_forgive_a_typo(
    services: Services, make_price
) -> None:
    price = make_price("40", name="Crème brûlée workshop")
    for typed in ("creme brulee", "Crème Brûlée Workshop", "wokrshop"):
        found = services.lookup.search(typed)
        assert ("product", price.product_id) in {(r.kind, r.object_id) for r in found}, typed


def test_amounts_as_people_type_them_find_invoices_with_that_total(
    services: Services, make_customer, draft, stripe_requests: list[str]
) -> None:
    customer = make_customer()
    euros = draft(customer, (100_000, "Licence"), (23_456, "Support"), currency="eur")
    rent = draft(customer, (360_000, "Office rent"), currency="eur")
    yen = draft(customer, (1_235, "Shipping"), currency="jpy")
    dollars = draft(customer, (9_900, "Seat"), currency="usd")
    stripe_requests.clear()
    for typed, wanted in [
        ("1234.56", euros), ("1,234.56", euros), ("1.234,56", euros), ("€1 234,56", euros),
        ("EUR 1234.56", euros), ("€3,600", rent), ("3600 EUR", rent), ("3.600,00 €", rent),
        ("¥1,235", yen), ("1235 JPY", yen), ("1,235", yen), ("$99", dollars),
        ("99.00 usd", dollars), ("99", dollars),
    ]:  # fmt: skip
        found = ids(services.lookup.search(typed))
        assert wanted.id in found, typed
        assert len(found) == 1, typed
    for typed in ("3600 USD", "$3,600", "12.35", "1234.56 GBP", "99 EUR"):
        assert services.lookup.search(typed) == [], typed
    assert stripe_requests == []


def test_what_is_left_to_pay_finds_the_invoice_too(services: Services) -> None:
    with services.engine.begin() as conn:
        partly = _stored_invoice("in_partly", number="PART-0001", total=50_000,
                                 amount_remaining=20_000, status="open")
        store_object(conn, "invoice", partly, now_version())
    results = services.lookup.search("200.00")
    assert ids(results) == ["in_partly"]
    assert "amount remaining" in results[0].subtitle
    assert ids(services.lookup.search("500")) == ["in_partly"]


def test_po_numbers_are_found_whole_in_any_case_and_in_part(
    services: Services, make_customer, draft
) -> None:
    invoice = draft(make_customer(), (7_000, "Parts"), po_number="PO-4711/Lager", finalize=True)
    results = services.lookup.search("po-4711/lager")
    assert ids(results) == [invoice.id]
    assert "PO PO-4711/Lager" in results[0].subtitle
    assert invoice.id in ids(services.lookup.search("4711"))


def test_other_metadata_values_are_found_once_the_read_model_has_them(
    services: Services, make_customer, draft
) -> None:
    invoice = draft(make_customer(), (7_000, "Works"))
    services.client.v1.invoices.update(  # set in Stripe's dashboard, say
        invoice.id, params={"metadata": {"project": "Hafenstraße Umbau", "cost_centre": "K-17"}}
    )
    services.read_model.refresh("invoice", invoice.id)  # what the event does
    for typed in ("Hafenstrasse umbau", "hafenstraße", "k-17"):
        assert ids(services.lookup.search(typed)) == [invoice.id], typed


def test_words_from_a_line_description_find_the_invoice(
    services: Services, make_customer, draft
) -> None:
    invoice = draft(make_customer(), (1_000, "Gründungsberatung Q3"), (2_000, "Travel"))
    results = services.lookup.search("grundungsberatung")
    assert ids(results) == [invoice.id]
    assert "line description" in results[0].subtitle


def test_an_exact_number_ranks_above_text_that_contains_it(
    services: Services, make_customer, draft
) -> None:
    customer = make_customer()
    numbered = draft(customer, (3_000, "Hosting"), finalize=True)
    number = numbered.number or ""
    mentioning = draft(customer, (3_100, f"Credit for {number}"), po_number=f"{number}-R")
    results = services.lookup.search(number)
    assert ids(results) == [numbered.id, mentioning.id]
    assert results[0].score >= EXACT > results[1].score


def test_deleted_customers_are_not_found(services: Services, make_customer) -> None:
    customer = make_customer("Vandelay Industries")
    services.client.v1.customers.delete(customer.id)
    services.read_model.refresh("customer", customer.id)
    assert services.lookup.search("Vandelay Industries") == []
    assert services.lookup.search(customer.id) == []


def test_at_most_result_limit_results_best_first(services: Services) -> None:
    with services.engine.begin() as conn:
        for n in range(RESULT_LIMIT + 5):
            store_object(conn, "invoice", _stored_invoice(f"in_many{n:02d}", number=f"M{n}-0042",
                                                          total=4_200, created=1_700_000_000 + n),
                         now_version())
    results = services.lookup.search("$42")
    assert len(results) == RESULT_LIMIT
    assert ids(results)[:2] == ["in_many24", "in_many23"]  # among equals, newest first
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_among_many_equal_matches_the_newest_invoices_are_listed(services: Services) -> None:
    with services.engine.begin() as conn:
        for n in range(RESULT_LIMIT + 10):
            invoice = _stored_invoice(f"in_rent{n:02d}", number=f"R{n}-0001",
                                      created=1_700_000_000 + n * 86_400)
            invoice["lines"]["data"][0]["description"] = f"Hafenmiete Lager {n}"
            store_object(conn, "invoice", invoice, now_version())
    results = services.lookup.search("hafenmiete")
    assert ids(results) == [f"in_rent{n:02d}" for n in range(RESULT_LIMIT + 9, 9, -1)]


def test_rows_stored_before_the_lookup_migration_are_found_after_it(
    services: Services, app_database_url: str
) -> None:
    with services.engine.begin() as conn:
        store_object(conn, "invoice", _stored_invoice(
            "in_older", number="OLD-0001", metadata={"project": "Südflügel"}), now_version())
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with services.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0005")  # the schema before the lookup's columns
        command.upgrade(config, "head")
    assert ids(services.lookup.search("sudflugel")) == ["in_older"]
    assert ids(services.lookup.search("ii_olderitem")) == ["in_older"]


def _stored_invoice(invoice_id: str, *, number: str, total: int = 1_000,
                    amount_remaining: int | None = None, status: str = "open",
                    created: int = 1_700_000_000,
                    metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """An invoice as Stripe sends it, for the read model (made elsewhere, in Stripe)."""
    line = {"id": f"il_{invoice_id[3:]}line", "object": "line_item", "amount": total,
            "currency": "usd", "description": "Stored elsewhere",
            "parent": {"invoice_item_details": {"invoice_item": f"ii_{invoice_id[3:]}item"}}}
    remaining = total if amount_remaining is None else amount_remaining
    return {
        "id": invoice_id, "object": "invoice", "number": number, "status": status,
        "customer": "cus_elsewhere", "customer_name": "Elsewhere Ltd", "currency": "usd",
        "total": total, "subtotal": total, "amount_due": total, "amount_paid": total - remaining,
        "amount_remaining": remaining, "created": created, "metadata": metadata or {},
        "lines": {"object": "list", "data": [line], "has_more": False},
    }  # fmt: skip
