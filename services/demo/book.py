"""The demo book: who the demo customers are and what each of their invoices went through.

Pure data and planning, no Stripe calls: :func:`plan_demo_book` turns a fixed
random seed into a list of :class:`PlannedInvoice` (when it was issued, its
lines, and what happened to it afterwards, in days before "now"). The loader
in :mod:`services.demo.loader` replays that plan against the Stripe API.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """Where a demo invoice ends up."""

    DRAFT = "draft"
    OPEN_NOT_DUE = "open_not_due"
    OVERDUE = "overdue"
    PAID_OUT_OF_BAND = "paid_out_of_band"
    PAID_BY_CARD = "paid_by_card"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"
    BANK_DEBIT_PROCESSING = "bank_debit_processing"
    CARD_FAILED = "card_failed"


@dataclass(frozen=True)
class CatalogEntry:
    """A demo product with one price (amount in minor units)."""

    key: str
    name: str
    description: str
    currency: str
    unit_amount: int
    recurring_interval: str | None = None


@dataclass(frozen=True)
class DemoCustomer:
    key: str
    name: str
    email: str
    city: str
    country: str
    line1: str
    postal_code: str
    currency: str


@dataclass(frozen=True)
class PlannedLine:
    """A line from a catalog price (``catalog_key``) or a custom amount."""

    catalog_key: str | None
    quantity: int = 1
    amount: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class PlannedInvoice:
    key: str
    customer_key: str
    issued_days_ago: int
    days_until_due: int
    outcome: Outcome
    lines: tuple[PlannedLine, ...]
    #: days before now when the outcome happened (payment, void, write-off)
    settled_days_ago: int | None = None
    memo: str | None = None
    po_number: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("advisory", "Advisory hour", "Senior accountant, billed per hour", "usd", 15000),
    CatalogEntry("close", "Month-end close package", "Reconciliations and close", "usd", 250000),
    CatalogEntry("payroll", "Payroll run", "Per employee per run", "usd", 4500),
    CatalogEntry("retainer", "Audit support retainer", "Monthly retainer", "usd", 120000, "month"),
    CatalogEntry("vat", "EU VAT filing", "Quarterly VAT return", "eur", 35000),
    CatalogEntry("review", "Cross-border compliance review", "One-off review", "eur", 180000),
    CatalogEntry("tokyo", "Tokyo office support (per day)", "On-site day rate", "jpy", 85000),
)

_COMPANIES: tuple[tuple[str, str, str, str, str, str], ...] = (
    # name, domain, city, country, street, postal code
    ("Acme Logistics", "acme-logistics.com", "Chicago", "US", "220 W Kinzie St", "60654"),
    ("Birchwood Dental", "birchwooddental.com", "Portland", "US", "41 NW 23rd Ave", "97210"),
    ("Cobalt Robotics", "cobalt-robotics.io", "Austin", "US", "500 Congress Ave", "78701"),
    ("Delta Home Care", "deltahomecare.org", "Denver", "US", "1600 Broadway", "80202"),
    ("Evergreen Florists", "evergreenflorists.com", "Seattle", "US", "85 Pike St", "98101"),
    ("Fulton Street Bakery", "fultonbakery.com", "New York", "US", "9 Fulton St", "10038"),
    ("Granite Peak Outfitters", "granitepeak.co", "Boulder", "US", "1200 Pearl St", "80302"),
    ("Harbor Light Legal", "harborlightlegal.com", "Boston", "US", "1 Seaport Ln", "02210"),
    ("Ironclad Security", "ironcladsec.com", "Atlanta", "US", "191 Peachtree St", "30303"),
    ("Juniper Analytics", "juniper-analytics.com", "San Diego", "US", "600 B St", "92101"),
    ("Keystone Builders", "keystonebuilders.com", "Pittsburgh", "US", "301 Grant St", "15219"),
    ("Lakeside Veterinary", "lakesidevet.com", "Madison", "US", "22 E Mifflin St", "53703"),
    ("Meridian Travel", "meridiantravel.com", "Miami", "US", "1450 Brickell Ave", "33131"),
    ("Northwind Traders", "northwindtraders.com", "Minneapolis", "US", "80 S 8th St", "55402"),
    ("Orchard Family Clinic", "orchardclinic.org", "Sacramento", "US", "1010 K St", "95814"),
    ("Pinecrest Academy", "pinecrestacademy.edu", "Raleigh", "US", "333 Fayetteville St", "27601"),
    ("Quarry Lane Studios", "quarrylane.studio", "Nashville", "US", "150 4th Ave N", "37219"),
    ("Riverbend Brewing", "riverbendbrewing.com", "Milwaukee", "US", "700 N Water St", "53202"),
    ("Schneider Maschinenbau", "schneider-mb.de", "Stuttgart", "DE", "Königstraße 10", "70173"),
    ("Atelier Dubois", "atelier-dubois.fr", "Lyon", "FR", "12 Rue de la République", "69002"),
    ("Van Dijk Logistiek", "vandijk-logistiek.nl", "Rotterdam", "NL", "Coolsingel 40", "3011"),
    ("Rossi Alimentari", "rossi-alimentari.it", "Bologna", "IT", "Via Rizzoli 8", "40125"),
    ("Nordlicht Energie", "nordlicht-energie.de", "Hamburg", "DE", "Jungfernstieg 7", "20354"),
    ("Costa Azul Hoteles", "costaazulhoteles.es", "Valencia", "ES", "Calle de Colón 20", "46004"),
    ("Lindqvist Design", "lindqvist.design", "Dublin", "IE", "14 Dawson St", "D02"),
    ("Bauer & Söhne", "bauer-soehne.at", "Munich", "DE", "Marienplatz 2", "80331"),
    ("Sakura Foods", "sakurafoods.jp", "Tokyo", "JP", "1-1 Marunouchi, Chiyoda-ku", "1000005"),
    ("Kaze Mobility", "kaze-mobility.jp", "Osaka", "JP", "2-4 Umeda, Kita-ku", "5300001"),
    ("Hoshino Architects", "hoshino-arch.jp", "Kyoto", "JP", "55 Karasuma-dori", "6008008"),
    ("Minato Trading", "minato-trading.jp", "Yokohama", "JP", "3-1 Minatomirai", "2200012"),
)

_CURRENCY_BY_COUNTRY = {"US": "usd", "JP": "jpy"}

#: How many invoices of each outcome the book holds (150 in all).
_OUTCOME_MIX: tuple[tuple[Outcome, int], ...] = (
    (Outcome.PAID_OUT_OF_BAND, 50),
    (Outcome.PAID_BY_CARD, 6),
    (Outcome.OPEN_NOT_DUE, 26),
    (Outcome.OVERDUE, 36),
    (Outcome.DRAFT, 12),
    (Outcome.VOID, 10),
    (Outcome.UNCOLLECTIBLE, 8),
    (Outcome.BANK_DEBIT_PROCESSING, 1),
    (Outcome.CARD_FAILED, 1),
)

#: Overdue invoices spread over every aging bucket, 5 to 120 days.
_OVERDUE_DAYS = (5, 9, 14, 21, 27, 33, 38, 45, 52, 58, 64, 71, 77, 84, 89, 95, 103, 110, 120)


def demo_customers() -> list[DemoCustomer]:
    """The 30 demo customers, each billed in their home currency."""
    customers = []
    for index, (name, domain, city, country, street, postal) in enumerate(_COMPANIES):
        customers.append(
            DemoCustomer(
                key=f"c{index:02d}",
                name=name,
                email=f"accounts@{domain}",
                city=city,
                country=country,
                line1=street,
                postal_code=postal,
                currency=_CURRENCY_BY_COUNTRY.get(country, "eur"),
            )
        )
    return customers


def plan_demo_book(seed: int = 20261125) -> list[PlannedInvoice]:
    """The 150 demo invoices, the same for the same ``seed``."""
    rng = random.Random(seed)
    customers = demo_customers()
    outcomes = [outcome for outcome, count in _OUTCOME_MIX for _ in range(count)]
    rng.shuffle(outcomes)
    # The two special payments go to customers who can pay that way: US dollars.
    us_customers = [c for c in customers if c.currency == "usd"]
    plans: list[PlannedInvoice] = []
    for index, outcome in enumerate(outcomes):
        if outcome in (Outcome.BANK_DEBIT_PROCESSING, Outcome.CARD_FAILED):
            customer = us_customers[index % len(us_customers)]
        else:
            customer = customers[index % len(customers)]
        plans.append(_plan_invoice(rng, index, customer, outcome))
    return plans


def _plan_invoice(
    rng: random.Random, index: int, customer: DemoCustomer, outcome: Outcome
) -> PlannedInvoice:
    days_until_due = rng.choice((14, 30, 30, 45))
    settled: int | None = None
    if outcome is Outcome.OVERDUE:
        issued = days_until_due + _OVERDUE_DAYS[index % len(_OVERDUE_DAYS)]
    elif outcome in (Outcome.OPEN_NOT_DUE, Outcome.BANK_DEBIT_PROCESSING, Outcome.CARD_FAILED):
        issued = rng.randint(1, days_until_due - 1)
    elif outcome is Outcome.DRAFT:
        issued = rng.randint(0, 6)
    else:
        issued = rng.randint(20, 175)
        if outcome is Outcome.UNCOLLECTIBLE:
            issued = max(issued, days_until_due + 95)
            settled = issued - days_until_due - 90
        else:
            settled = max(0, issued - rng.randint(2, min(issued, days_until_due + 20)))
    return PlannedInvoice(
        key=f"i{index:03d}",
        customer_key=customer.key,
        issued_days_ago=issued,
        days_until_due=days_until_due,
        outcome=outcome,
        lines=_plan_lines(rng, customer.currency),
        settled_days_ago=settled,
        memo=rng.choice((None, "Thank you for your business.", "Services as agreed.")),
        po_number=f"PO-{4100 + index}" if rng.random() < 0.4 else None,
    )


def _plan_lines(rng: random.Random, currency: str) -> tuple[PlannedLine, ...]:
    entries = [e for e in CATALOG if e.currency == currency and e.recurring_interval is None]
    lines = []
    for entry in rng.sample(entries, k=min(len(entries), rng.randint(1, 2))):
        lines.append(PlannedLine(catalog_key=entry.key, quantity=rng.randint(1, 6)))
    if rng.random() < 0.3:
        custom = {"jpy": 12000, "eur": 4500, "usd": 7500}[currency]
        lines.append(PlannedLine(None, amount=custom, description="Travel and expenses"))
    return tuple(lines)
