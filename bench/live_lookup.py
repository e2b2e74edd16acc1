"""The old lookup box, for benches only: every query asked of Stripe's search and lists.

:class:`LiveLookup` is ``services/reporting/lookup.py`` as of commit ``fd2c4f7``, with the
customer searches of ``services/customers/records.py`` at that commit folded in,
recreated from git history so ``bench.read_model_bench`` can time the old way against the
read model in one process; nothing in the product imports it. The query text is
classified (``parse_query``: an id, an invoice number, an email, an amount or a name);
ids are retrieved, invoice numbers and amounts found by invoice search, emails by
customer list and search then that customer's invoices, names by customer search. It
returns today's ``LookupResult`` rows, best first. Only imports were adapted; the logic
is as it was. Importable from ``bench.live_reports`` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import stripe

from services.core.errors import NotFound
from services.core.models import (
    Customer,
    Invoice,
    as_mapping,
    customer_from_stripe,
    invoice_from_stripe,
    price_from_stripe,
    product_from_stripe,
)
from services.core.money import currency_exponent, format_amount, parse_amount
from services.core.stripe_errors import stripe_call
from services.customers.records import looks_like_email
from services.reporting.lookup import LookupResult

__all__ = ["LiveLookup", "parse_query"]

ID_KINDS = {"in_": "invoice", "cus_": "customer", "prod_": "product", "price_": "price"}
_ID = re.compile(r"^(in|cus|prod|price)_[A-Za-z0-9]+$")
_INVOICE_NUMBER = re.compile(r"^[A-Za-z0-9]{1,12}-\d{4,}$")
_AMOUNT = re.compile(
    r"^(?:(?P<pre>[A-Za-z]{3})\s*)?(?P<number>\d[\d,\s]*(?:\.\d+)?|\.\d+)"
    r"(?:\s*(?P<post>[A-Za-z]{3}))?$"
)
RESULT_LIMIT = 20


@dataclass(frozen=True)
class AmountReading:
    """One way to read typed amount text: minor units of ``currency`` if one was
    typed, else of any currency with ``exponent`` decimals."""

    minor_units: int
    currency: str | None
    exponent: int

    def fits(self, invoice_currency: str) -> bool:
        if self.currency is not None:
            return invoice_currency == self.currency
        return currency_exponent(invoice_currency) == self.exponent


@dataclass(frozen=True)
class ParsedQuery:
    """What the text looks like (id | invoice_number | email | amount | name | empty)."""

    kind: str
    text: str
    id_kind: str | None = None
    amounts: tuple[AmountReading, ...] = ()


def search_literal(text: str) -> str:
    """``text`` quoted for Stripe's search language."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_query(text: str) -> ParsedQuery:
    """Classify the search text (no Stripe call)."""
    query = (text or "").strip()
    if not query:
        return ParsedQuery("empty", "")
    if _ID.match(query):
        prefix = query.split("_", 1)[0] + "_"
        return ParsedQuery("id", query, id_kind=ID_KINDS[prefix])
    if looks_like_email(query):
        return ParsedQuery("email", query)
    if _INVOICE_NUMBER.match(query):
        return ParsedQuery("invoice_number", query.upper())
    amounts = _amount_readings(query)
    if amounts:
        return ParsedQuery("amount", query, amounts=amounts)
    return ParsedQuery("name", query)


def _amount_readings(query: str) -> tuple[AmountReading, ...]:
    found = _AMOUNT.match(query)
    if found is None or (found.group("pre") and found.group("post")):
        return ()
    code = (found.group("pre") or found.group("post") or "").lower() or None
    number = found.group("number")
    samples = ((code, None),) if code else (("usd", 2), ("jpy", 0), ("kwd", 3))
    readings = []
    for sample, exponent in samples:
        try:
            minor = parse_amount(number, sample)
        except ValueError:
            continue
        if exponent is None:
            readings.append(AmountReading(minor, sample, currency_exponent(sample)))
        else:
            readings.append(AmountReading(minor, None, exponent))
    return tuple(readings)


class LiveLookup:
    """Ranked answers to one query string, asked of Stripe (the old ``Lookup``)."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client

    def search(self, text: str) -> list[LookupResult]:
        parsed = parse_query(text)
        if parsed.kind == "empty":
            return []
        handler = {
            "id": self._by_id,
            "invoice_number": self._by_number,
            "email": self._by_email,
            "amount": self._by_amount,
            "name": self._by_name,
        }[parsed.kind]
        results = handler(parsed)
        best: dict[str, LookupResult] = {}
        for result in results:
            if result.object_id not in best or best[result.object_id].score < result.score:
                best[result.object_id] = result
        return sorted(best.values(), key=lambda r: (-r.score, r.title))[:RESULT_LIMIT]

    def _by_id(self, parsed: ParsedQuery) -> list[LookupResult]:
        retrieve: dict[str, Callable[[str], object]] = {
            "invoice": self._client.v1.invoices.retrieve,
            "customer": self._client.v1.customers.retrieve,
            "product": self._client.v1.products.retrieve,
            "price": self._client.v1.prices.retrieve,
        }
        try:
            raw = stripe_call(partial(retrieve[parsed.id_kind or ""], parsed.text))
        except NotFound:
            return []
        if as_mapping(raw).get("deleted"):
            return []
        if parsed.id_kind == "invoice":
            return [_invoice_result(invoice_from_stripe(raw), 1.0)]
        if parsed.id_kind == "customer":
            return [_customer_result(customer_from_stripe(raw), 1.0)]
        if parsed.id_kind == "product":
            product = product_from_stripe(raw)
            state = "active" if product.active else "archived"
            return [LookupResult("product", product.id, product.name, f"Product · {state}", 1.0)]
        price = price_from_stripe(raw)
        title = price.nickname or price.display
        return [LookupResult("price", price.id, title, f"Price · {price.display}", 1.0)]

    def _by_number(self, parsed: ParsedQuery) -> list[LookupResult]:
        found = self._search_invoices(f"number:{search_literal(parsed.text)}")
        return [
            _invoice_result(i, 0.95 if (i.number or "").upper() == parsed.text else 0.6)
            for i in found
        ]

    def _by_email(self, parsed: ParsedQuery) -> list[LookupResult]:
        results: list[LookupResult] = []
        for customer in self._customers_by_email(parsed.text, limit=5):
            results.append(_customer_result(customer, 0.9))
            listing = stripe_call(
                partial(
                    self._client.v1.invoices.list,
                    params={"customer": customer.id, "limit": RESULT_LIMIT},
                )
            )
            for rank, raw in enumerate(listing.data):
                results.append(_invoice_result(invoice_from_stripe(raw), 0.8 - rank * 0.001))
        return results

    def _by_amount(self, parsed: ParsedQuery) -> list[LookupResult]:
        results: list[LookupResult] = []
        for reading in parsed.amounts:
            query = f"total:{reading.minor_units}"
            if reading.currency is not None:
                query += f" AND currency:{search_literal(reading.currency)}"
            for invoice in self._search_invoices(query):
                if reading.fits(invoice.currency):
                    results.append(_invoice_result(invoice, 0.7))
        return results

    def _by_name(self, parsed: ParsedQuery) -> list[LookupResult]:
        wanted = parsed.text.lower()
        results = []
        operator = "~" if len(parsed.text) >= 3 else ":"  # ~ needs three characters
        for customer in self._search_customers(f"name{operator}{search_literal(parsed.text)}",
                                               RESULT_LIMIT):
            name = (customer.name or "").lower()
            score = 0.85 if name == wanted else 0.75 if name.startswith(wanted) else 0.6
            results.append(_customer_result(customer, score))
        return results

    def _customers_by_email(self, email: str, limit: int) -> list[Customer]:
        """Exact-email matches (the list filter is case-sensitive, search is not)."""
        found: dict[str, Customer] = {}
        listed = stripe_call(
            lambda: self._client.v1.customers.list(params={"email": email, "limit": limit})
        )
        for raw in listed.data:
            found[raw.id] = customer_from_stripe(raw)
        for customer in self._search_customers(f"email:{search_literal(email)}", limit):
            found.setdefault(customer.id, customer)
        return list(found.values())[:limit]

    def _search_customers(self, query: str, limit: int) -> list[Customer]:
        result = stripe_call(
            lambda: self._client.v1.customers.search(
                params={"query": query, "limit": min(max(limit, 1), 100)}
            )
        )
        return [customer_from_stripe(raw) for raw in result.data][:limit]

    def _search_invoices(self, query: str) -> list[Invoice]:
        result = stripe_call(
            lambda: self._client.v1.invoices.search(params={"query": query, "limit": RESULT_LIMIT})
        )
        return [invoice_from_stripe(raw) for raw in result.data]


def _invoice_result(invoice: Invoice, score: float) -> LookupResult:
    title = f"Invoice {invoice.number or invoice.id}"
    who = invoice.customer_name or invoice.customer_email or invoice.customer_id or ""
    amount = format_amount(invoice.total, invoice.currency) if invoice.currency else ""
    return LookupResult("invoice", invoice.id, title, f"{who} · {amount} · {invoice.status}", score)


def _customer_result(customer: Customer, score: float) -> LookupResult:
    return LookupResult(
        "customer",
        customer.id,
        customer.name or customer.email or customer.id,
        f"Customer · {customer.email or 'no email'}",
        score,
    )
