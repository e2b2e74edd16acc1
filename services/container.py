"""Builds every service once per process (the composition root calls this).

``app.py`` caches the result with ``st.cache_resource``; tests build their
own against the emulator.
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe
from sqlalchemy import Engine

from services.catalog import Catalog
from services.core.audit import AuditLog
from services.core.client import make_stripe_client
from services.core.clock import use_business_time_zone
from services.core.connection import Connection
from services.core.database import make_engine
from services.core.health import HealthCheck
from services.core.intents import WriteIntents
from services.core.settings import Mode, Settings
from services.core.writes import WriteRecorder
from services.customers.records import Customers
from services.invoicing.invoice_pdf import InvoicePdfs
from services.invoicing.lifecycle import Invoicing
from services.payments.events import PaymentEvents
from services.readmodel.sync import ReadModelSync
from services.readmodel.upkeep import ReadModelUpkeep
from services.reporting.lookup import Lookup
from services.reporting.receivables import Reports


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
    read_model: ReadModelSync
    upkeep: ReadModelUpkeep
    health: HealthCheck
    intents: WriteIntents
    pdfs: InvoicePdfs

    @property
    def mode(self) -> Mode:
        return self.settings.mode

    def close(self) -> None:
        """Dispose of the services: stop the payment-event worker thread, release the read
        model's rate limiter and close the app database's connections. Idempotent; for a
        process or test that is done with them (``st.cache_resource``'s ``on_release``)."""
        self.events.close()
        self.read_model.close()
        self.engine.dispose()


def build_services(settings: Settings, *, engine: Engine | None = None) -> Services:
    """Every service wired to one Stripe client and one app database."""
    use_business_time_zone(settings.time_zone)  # the one "today" of every page
    client = make_stripe_client(settings)
    engine = engine if engine is not None else make_engine(settings.database_url)
    audit = AuditLog(engine)
    outside_live = settings.mode is not Mode.LIVE
    read_model = ReadModelSync(
        client,
        engine,
        requests_per_second=settings.read_rate,
        include_test_clocks=outside_live,
    )
    intents = WriteIntents(engine)
    writes = WriteRecorder(audit, on_written=read_model.store_written, intents=intents)
    customers = Customers(client, writes, read_model, include_test_clocks=outside_live)
    events = PaymentEvents(
        engine,
        client,
        settings.webhook_secret,
        smtp_url=settings.smtp_url,
        read_model=read_model,
        audit=audit,
    )
    return Services(
        settings=settings,
        client=client,
        engine=engine,
        catalog=Catalog(client, writes, read_model),
        customers=customers,
        invoices=Invoicing(client, writes, read_model),
        reports=Reports(engine),
        lookup=Lookup(engine),
        audit=audit,
        connection=Connection(client, settings),
        events=events,
        read_model=read_model,
        upkeep=ReadModelUpkeep(read_model, events),
        health=HealthCheck(engine, client),
        intents=intents,
        pdfs=InvoicePdfs(read_model, api_base=settings.stripe_api_base),
    )
