"""Customers: who invoices are addressed to; the customer id keys everything else.

Create and update with the email checked before Stripe sees it, fetch one,
find by email (exact list filter plus case-insensitive search) or by name
(Stripe search), and page through all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import stripe
from stripe.params import CustomerListParams

from services.core.access import Action, Actor
from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import idempotency_key
from services.core.models import Address, Customer, as_mapping, customer_from_stripe
from services.core.stripe_errors import stripe_call
from services.core.writes import WriteRecorder

PAGE_SIZE = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")

CUSTOMER_TABLE_COLUMNS = [
    "customer_id", "name", "email", "description", "address", "currency", "created",
]  # fmt: skip


@dataclass(frozen=True)
class CustomerPage:
    """One page of customers; ``next_cursor`` is ``None`` on the last page."""

    customers: list[Customer]
    next_cursor: str | None


def looks_like_email(text: str) -> bool:
    """True for ``name@domain.tld`` (what the forms accept)."""
    return bool(_EMAIL.match((text or "").strip()))


def search_literal(text: str) -> str:
    """``text`` quoted for Stripe's search language."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Customers:
    """Customers in Stripe."""

    def __init__(
        self,
        client: stripe.StripeClient,
        writes: WriteRecorder,
        *,
        include_test_clocks: bool = False,
    ) -> None:
        self._client = client
        self._writes = writes
        # Stripe leaves customers on test clocks out of plain lists; in test mode (and the
        # emulator's demo book, which is backdated with clocks) they are real customers too.
        self._include_test_clocks = include_test_clocks

    def create(
        self,
        actor: Actor,
        *,
        name: str,
        email: str,
        description: str | None,
        address: Address | None,
        form_nonce: str,
    ) -> Customer:
        """A new customer; ``name`` and a valid ``email`` are required."""
        payload = {"name": name, "email": email, "description": description, "address": address}
        key = idempotency_key(actor, "create_customer", payload, form_nonce)
        with self._writes.write(actor, Action.MANAGE_CUSTOMERS, "create_customer", key=key) as w:
            params = _customer_params(name, email, description, address, creating=True)
            created = w.call(
                lambda: self._client.v1.customers.create(
                    params=params,  # type: ignore[arg-type]
                    options={"idempotency_key": key},
                )
            )
            w.object_id = created.id
        return customer_from_stripe(created)

    def update(
        self,
        actor: Actor,
        customer_id: str,
        *,
        name: str,
        email: str,
        description: str | None,
        address: Address | None,
        form_nonce: str,
    ) -> Customer:
        """Change a customer's details (``address=None`` leaves the address as it is)."""
        payload = {
            "customer": customer_id,
            "name": name,
            "email": email,
            "description": description,
            "address": address,
        }
        key = idempotency_key(actor, "update_customer", payload, form_nonce)
        with self._writes.write(
            actor, Action.MANAGE_CUSTOMERS, "update_customer", object_id=customer_id, key=key
        ) as w:
            params = _customer_params(name, email, description, address, creating=False)
            updated = w.call(
                lambda: self._client.v1.customers.update(
                    customer_id,
                    params=params,  # type: ignore[arg-type]
                    options={"idempotency_key": key},
                )
            )
        return customer_from_stripe(updated)

    def get(self, customer_id: str) -> Customer:
        """One customer; :class:`NotFound` for unknown or deleted ones."""
        raw = stripe_call(lambda: self._client.v1.customers.retrieve(customer_id))
        if as_mapping(raw).get("deleted"):
            raise NotFound(f"Customer {customer_id} was deleted.", field="customer_id")
        return customer_from_stripe(raw)

    def find(self, text: str, limit: int = 20) -> list[Customer]:
        """Customers whose email is ``text`` (any case) or whose name contains it."""
        query = (text or "").strip()
        if not query:
            return []
        if looks_like_email(query):
            return self.find_by_email(query, limit)
        return self.search(_name_query(query), limit)

    def find_by_email(self, email: str, limit: int = 20) -> list[Customer]:
        """Exact-email matches (the list filter is case-sensitive, search is not)."""
        found: dict[str, Customer] = {}
        listed = stripe_call(
            lambda: self._client.v1.customers.list(params={"email": email, "limit": limit})
        )
        for raw in listed.data:
            found[raw.id] = customer_from_stripe(raw)
        for customer in self.search(f"email:{search_literal(email)}", limit):
            found.setdefault(customer.id, customer)
        return list(found.values())[:limit]

    def search(self, query: str, limit: int = 20) -> list[Customer]:
        """Customers matching a Stripe search ``query`` (e.g. ``name~"acme"``)."""
        result = stripe_call(
            lambda: self._client.v1.customers.search(
                params={"query": query, "limit": min(max(limit, 1), 100)}
            )
        )
        return [customer_from_stripe(raw) for raw in result.data][:limit]

    def page(
        self,
        limit: int = 100,
        starting_after: str | None = None,
        *,
        test_clock: str | None = None,
    ) -> CustomerPage:
        """One page of customers, newest first (those on ``test_clock`` when given)."""
        params: CustomerListParams = {"limit": min(max(limit, 1), 100)}
        if starting_after:
            params["starting_after"] = starting_after
        if test_clock:
            params["test_clock"] = test_clock
        listed = stripe_call(
            lambda: self._client.v1.customers.list(params=params)
        )
        customers = [customer_from_stripe(raw) for raw in listed.data]
        cursor = customers[-1].id if listed.has_more and customers else None
        return CustomerPage(customers, cursor)

    def table(self, limit: int = 1000) -> pd.DataFrame:
        """Up to ``limit`` customers as a table, newest first (test-clock ones included
        in test mode)."""
        rows: list[dict[str, object]] = []
        for clock in (None, *self._test_clock_ids()):
            rows.extend(self._table_rows(limit - len(rows), test_clock=clock))
            if len(rows) >= limit:
                break
        table = pd.DataFrame(rows, columns=CUSTOMER_TABLE_COLUMNS)
        return table.sort_values("created", ascending=False, kind="stable", ignore_index=True)

    def _test_clock_ids(self) -> list[str]:
        if not self._include_test_clocks:
            return []
        clocks = stripe_call(
            lambda: self._client.v1.test_helpers.test_clocks.list(params={"limit": 100})
        )
        return [clock.id for clock in clocks.auto_paging_iter()]

    def _table_rows(self, limit: int, *, test_clock: str | None) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        cursor: str | None = None
        while len(rows) < limit:
            page = self.page(min(PAGE_SIZE, limit - len(rows)), cursor, test_clock=test_clock)
            rows.extend(
                {
                    "customer_id": c.id,
                    "name": c.name,
                    "email": c.email,
                    "description": c.description,
                    "address": c.address.one_line if c.address else None,
                    "currency": c.currency,
                    "created": c.created,
                }
                for c in page.customers
            )
            cursor = page.next_cursor
            if cursor is None:
                break
        return rows


def _name_query(text: str) -> str:
    # `~` (substring) needs at least three characters; shorter text matches whole words.
    operator = "~" if len(text) >= 3 else ":"
    return f"name{operator}{search_literal(text)}"


def _customer_params(
    name: str,
    email: str,
    description: str | None,
    address: Address | None,
    *,
    creating: bool,
) -> dict[str, object]:
    clean_name = (name or "").strip()
    clean_email = (email or "").strip()
    if not clean_name:
        raise InvalidInput("Enter the customer's name.", field="name")
    if not clean_email:
        raise InvalidInput("Enter the customer's email address.", field="email")
    if len(clean_email) > 512 or not looks_like_email(clean_email):
        raise InvalidInput(
            f"{clean_email!r} is not an email address (expected name@example.com).",
            field="email",
        )
    params: dict[str, object] = {"name": clean_name, "email": clean_email}
    clean_description = (description or "").strip()
    if clean_description or not creating:
        params["description"] = clean_description
    if address is not None:
        if address.country and not _COUNTRY.match(address.country.strip()):
            raise InvalidInput(
                "Country must be a two-letter code such as US or DE.", field="address.country"
            )
        parts = address.to_params()
        params["address"] = parts if not creating else {k: v for k, v in parts.items() if v}
    return params
