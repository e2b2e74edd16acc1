"""Builds every service once per process (the composition root calls this).

``app.py`` caches the result with ``st.cache_resource``; tests build their
own against the emulator.
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe
from sqlalchemy import Engine

from services.audit import AuditLog
from services.catalog import Catalog
from services.client import make_stripe_client
from services.connection import Connection
from services.customers import Customers
from services.database import make_engine
from services.events import PaymentEvents
from services.invoicing import Invoicing
from services.lookup import Lookup
from services.reports import Reports
from services.settings import Mode, Settings
from services.writes import WriteRecorder


@dataclass(frozen=True)
class Services:
    settings: Settings
    client: stripe.StripeClient
    engine: Engine
    catalog: Catalog
    customers: Customers
    invoices: Invoicing
    reports: Reports
    lookup: Lookup
    audit: AuditLog
    connection: Connection
    events: PaymentEvents

    @property
    def mode(self) -> Mode:
        return self.settings.mode


def build_services(settings: Settings, *, engine: Engine | None = None) -> Services:
    """Every service wired to one Stripe client and one app database."""
    client = make_stripe_client(settings)
    engine = engine if engine is not None else make_engine(settings.database_url)
    audit = AuditLog(engine)
    writes = WriteRecorder(audit)
    customers = Customers(client, writes, include_test_clocks=settings.mode is not Mode.LIVE)
    return Services(
        settings=settings,
        client=client,
        engine=engine,
        catalog=Catalog(client, writes),
        customers=customers,
        invoices=Invoicing(client, writes),
        reports=Reports(client),
        lookup=Lookup(client, customers),
        audit=audit,
        connection=Connection(client, settings),
        events=PaymentEvents(engine, client, settings.webhook_secret, smtp_url=settings.smtp_url),
    )
