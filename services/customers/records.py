"""Customers: who invoices are addressed to; the customer id keys everything else.

Create and update in Stripe, with every text checked before Stripe sees it (the
email's shape, and each field's length against :mod:`services.core.limits`). Every
read (one customer, find by email or name, pages, the whole table) answers from the
read model (:mod:`services.readmodel.customer_queries`), so the pages that show
customers make no Stripe request; a customer not stored yet is re-read once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import stripe

from services.core import limits
from services.core.access import Action, Actor
from services.core.errors import InvalidInput, NotFound
from services.core.idempotency import idempotency_key
from services.core.models import Address, Customer, customer_from_stripe
from services.core.text import clean_text, key_safe, optional_text
from services.core.writes import WriteRecorder
from services.readmodel.copies import copy_or_reread
from services.readmodel.customer_queries import (
    count_customers,
    customer_page,
    customers_named,
    customers_with_email,
    newest_customers,
)
from services.readmodel.sync import ReadModelSync

PAGE_SIZE = 100
#: How many customers :meth:`Customers.table` lists (the newest): the Customers list
#: and the pickers; beyond it they search (:meth:`Customers.find`).
NEWEST_CUSTOMERS = 1000
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


class Customers:
    """Customers: written to Stripe, read from the read model."""

    def __init__(
        self,
        client: stripe.StripeClient,
        writes: WriteRecorder,
        read_model: ReadModelSync,
        *,
        include_test_clocks: bool = False,
    ) -> None:
        self._client = client
        self._writes = writes
        self._read_model = read_model
        self._engine = read_model.engine
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
        key = idempotency_key(actor, "create_customer", key_safe(payload), form_nonce)
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
        key = idempotency_key(actor, "update_customer", key_safe(payload), form_nonce)
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

    # -- reading (the read model; no Stripe request once the object is stored) ----------
    def get(self, customer_id: str) -> Customer:
        """One customer; :class:`NotFound` for unknown or deleted ones.

        Read from the read model; a customer not stored yet (made a moment ago
        elsewhere) is re-read from Stripe once.
        """
        data = copy_or_reread(self._read_model, "customer", customer_id)
        if data is None:
            raise NotFound(
                f"There is no customer {customer_id} (it may have been deleted).",
                field="customer_id",
            )
        return customer_from_stripe(data)

    def find(self, text: str, limit: int = 20) -> list[Customer]:
        """Customers whose email is ``text`` (any case) or whose name contains it."""
        query = (text or "").strip()
        if not query:
            return []
        if looks_like_email(query):
            return self.find_by_email(query, limit)
        return customers_named(
            self._engine, query, limit=limit, include_test_clocks=self._include_test_clocks
        )

    def find_by_email(self, email: str, limit: int = 20) -> list[Customer]:
        """Exact-email matches, in any case, newest first."""
        return customers_with_email(
            self._engine, email, limit=limit, include_test_clocks=self._include_test_clocks
        )

    def page(
        self,
        limit: int = 100,
        starting_after: str | None = None,
        *,
        test_clock: str | None = None,
    ) -> CustomerPage:
        """One page of customers, newest first (those on ``test_clock`` when given)."""
        customers, more = customer_page(
            self._engine,
            limit=min(max(limit, 1), PAGE_SIZE),
            starting_after=starting_after,
            test_clock=test_clock,
            include_test_clocks=self._include_test_clocks,
        )
        return CustomerPage(customers, customers[-1].id if more and customers else None)

    def count(self) -> int:
        """How many customers :meth:`table` would list without its limit."""
        return count_customers(self._engine, include_test_clocks=self._include_test_clocks)

    def table(self, limit: int = NEWEST_CUSTOMERS) -> pd.DataFrame:
        """Up to ``limit`` customers as a table, newest first (those on test clocks
        included outside live mode)."""
        found = newest_customers(
            self._engine, limit=limit, include_test_clocks=self._include_test_clocks
        )
        rows = [
            {
                "customer_id": c.id,
                "name": c.name,
                "email": c.email,
                "description": c.description,
                "address": c.address.one_line if c.address else None,
                "currency": c.currency,
                "created": c.created,
            }
            for c in found
        ]
        return pd.DataFrame(rows, columns=CUSTOMER_TABLE_COLUMNS)


def _customer_params(
    name: str,
    email: str,
    description: str | None,
    address: Address | None,
    *,
    creating: bool,
) -> dict[str, object]:
    clean_name = clean_text(name, field="name", label="customer's name",
                            max_length=limits.CUSTOMER_NAME)  # fmt: skip
    clean_email = clean_text(email, field="email", label="email address",
                             max_length=limits.CUSTOMER_EMAIL)  # fmt: skip
    clean_description = clean_text(
        description, field="description", label="description", multiline=True,
        max_length=limits.CUSTOMER_DESCRIPTION,
    )  # fmt: skip
    clean_address = _clean_address(address) if address is not None else None
    if not clean_name:
        raise InvalidInput("Enter the customer's name.", field="name")
    if not clean_email:
        raise InvalidInput("Enter the customer's email address.", field="email")
    if not looks_like_email(clean_email):
        raise InvalidInput(
            f"{clean_email!r} is not an email address (expected name@example.com).",
            field="email",
        )
    params: dict[str, object] = {"name": clean_name, "email": clean_email}
    if clean_description or not creating:
        params["description"] = clean_description
    if clean_address is not None:
        if clean_address.country and not _COUNTRY.match(clean_address.country):
            raise InvalidInput(
                "Country must be a two-letter code such as US or DE.", field="address.country"
            )
        parts = clean_address.to_params()
        params["address"] = parts if not creating else {k: v for k, v in parts.items() if v}
    return params


_ADDRESS_LABELS = {
    "line1": "address line 1",
    "line2": "address line 2",
    "city": "city",
    "state": "state or region",
    "postal_code": "postal code",
    "country": "country",
}


def _clean_address(address: Address) -> Address:
    """Each part of ``address`` checked (``address.<part>`` names a refused one) and stripped."""
    parts = {
        part: optional_text(
            getattr(address, part),
            field=f"address.{part}",
            label=label,
            max_length=limits.ADDRESS_PART,
        )
        for part, label in _ADDRESS_LABELS.items()
    }
    return Address(**parts)
