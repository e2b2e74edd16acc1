"""The KPIs and aging computed in SQL equal the same figures counted invoice by invoice.

A mixed book is written into the read model as Stripe would send it (several
currencies including zero-decimal JPY, drafts, void, uncollectible, paid, open ones
partially paid, due dates on every bucket edge, invoices with no due date, a deleted
one), then every figure of ``Reports.kpis``, ``Reports.aging``, ``aging_rows`` and the
DSO period's status counts is compared with a plain Python loop over the same objects,
with days of the business time zone: UTC, Kiritimati (UTC+14) and Los Angeles (the
periods hold DST changes), as of a past day and as of "now" in the middle of a day
(an invoice due earlier that day is overdue, one due later is not yet).
Runs on SQLite and, with ``--app-database=postgresql``, on PostgreSQL.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from services.core import clock
from services.core.database import make_engine, write_transaction
from services.readmodel.store import mark_deleted, now_version, store_object
from services.reporting.receivables import AGING_BUCKETS, Reports, aging_bucket

AS_OF = date(2026, 6, 15)
DAY = 86_400
START = int(datetime.combine(AS_OF, time.min, tzinfo=UTC).timestamp())
CURRENCIES = ("usd", "eur", "jpy", "gbp")
STATUSES = ("draft", "open", "open", "open", "paid", "paid", "void", "uncollectible")
# Due dates around every bucket edge (days before the as-of day), and none at all.
DUE_OFFSETS = (None, -5, 0, 1, 2, 30, 31, 60, 61, 90, 91, 400)


def _invoice(n: int, rng: random.Random) -> dict[str, Any]:
    status = rng.choice(STATUSES)
    currency = rng.choice(CURRENCIES)
    total = rng.randrange(100, 500_000)
    created = START - rng.randrange(0, 200) * DAY + rng.randrange(0, DAY)  # up to 200 days back
    offset = rng.choice(DUE_OFFSETS)
    # Stripe's due dates carry a time of day: the due day's first, last or any second.
    moment = rng.choice((0, DAY - 1, rng.randrange(0, DAY)))
    due = None if offset is None else START - offset * DAY + moment
    paid = 0
    if status == "paid":
        paid = total
    elif status == "open" and n % 3 == 0:
        paid = rng.randrange(1, total)  # partially paid: part of it still owed
    transitions: dict[str, Any] = {"finalized_at": None if status == "draft" else created}
    if status == "paid":
        transitions["paid_at"] = min(created + rng.randrange(0, 60) * DAY, START + DAY - 1)
    return {
        "id": f"in_mix{n:04d}", "object": "invoice", "status": status,
        "number": None if status == "draft" else f"MIX-{n:04d}",
        "customer": f"cus_mix{n % 17}", "customer_name": f"Mixed {n % 17}",
        "currency": currency, "total": total, "subtotal": total, "amount_due": total,
        "amount_paid": paid, "amount_remaining": 0 if status == "void" else total - paid,
        "created": created, "due_date": due, "status_transitions": transitions,
        "collection_method": "send_invoice", "metadata": {},
        "lines": {"object": "list", "data": [], "has_more": False},
    }  # fmt: skip


@pytest.fixture(params=["UTC", "Pacific/Kiritimati", "America/Los_Angeles"])
def zone(request: pytest.FixtureRequest) -> Iterator[tzinfo]:
    found = ZoneInfo(request.param)
    clock.use_business_time_zone(found)
    yield found
    clock.use_business_time_zone(None)


@pytest.fixture(params=["a past day", "midday"])
def now(request: pytest.FixtureRequest, zone: tzinfo,
        monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Now: today's real clock (the as-of days are past), or noon of ``AS_OF`` there."""
    if request.param == "midday":
        noon = datetime.combine(AS_OF, time(12), tzinfo=zone).astimezone(UTC)
        monkeypatch.setattr(clock, "utc_now", lambda: noon)
    return clock.utc_now()


@pytest.fixture
def book(app_database_url: str, zone: tzinfo,
         now: datetime) -> Iterator[tuple[Engine, list[dict[str, Any]]]]:
    engine = make_engine(app_database_url)
    rng = random.Random(20260615)
    made = [_invoice(n, rng) for n in range(600)]
    with write_transaction(engine) as conn:
        for invoice in made:
            store_object(conn, "invoice", invoice, now_version())
        mark_deleted(conn, "invoice", made[-1]["id"], now_version())  # gone from Stripe
    try:
        yield engine, made[:-1]
    finally:
        engine.dispose()


def _reference(as_of: date) -> float:
    """The as-of instant: now when ``as_of`` is today there, else the end of the day."""
    zone, now = clock.business_zone(), clock.utc_now()
    if now.astimezone(zone).date() == as_of:
        return now.timestamp()
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=zone).timestamp()


def _days_overdue(invoice: dict[str, Any], as_of: date) -> int:
    """0 until the due moment has passed, then calendar days there, at least 1."""
    if invoice["status"] != "open" or invoice["due_date"] is None:
        return 0
    if invoice["due_date"] >= _reference(as_of):
        return 0
    due_day = datetime.fromtimestamp(invoice["due_date"], clock.business_zone()).date()
    return max((as_of - due_day).days, 1)


def _by_hand(made: list[dict[str, Any]], as_of: date, collection_days: int,
             dso_days: int) -> dict[str, Any]:
    """Every figure, one invoice at a time."""
    end = as_of + timedelta(days=1)
    collect_from, dso_from = (as_of - timedelta(days=n - 1) for n in (collection_days, dso_days))

    def day(seconds: int | None) -> date | None:
        return None if seconds is None else datetime.fromtimestamp(
            seconds, clock.business_zone()).date()

    sums: dict[str, defaultdict[str, int]] = {k: defaultdict(int) for k in (
        "outstanding", "overdue", "collected", "invoiced")}
    behind: dict[str, set[str]] = {k: set() for k in ("outstanding", "overdue", "collected",
                                                      "dso")}
    aging: Counter[tuple[str, str]] = Counter()
    aging_count: Counter[tuple[str, str]] = Counter()
    period_status: Counter[str] = Counter()
    for invoice in made:
        status, currency, created = invoice["status"], invoice["currency"], day(invoice["created"])
        assert created is not None
        if status == "open":
            late = _days_overdue(invoice, as_of)
            sums["outstanding"][currency] += invoice["amount_remaining"]
            behind["outstanding"].add(invoice["id"])
            behind["dso"].add(invoice["id"])
            aging[(currency, aging_bucket(late))] += invoice["amount_remaining"]
            aging_count[(currency, aging_bucket(late))] += 1
            if late > 0:
                sums["overdue"][currency] += invoice["amount_remaining"]
                behind["overdue"].add(invoice["id"])
        paid_day = day(invoice["status_transitions"].get("paid_at"))
        if status == "paid" and created < end and paid_day and collect_from <= paid_day < end:
            sums["collected"][currency] += invoice["amount_paid"]
            behind["collected"].add(invoice["id"])
        if status in ("open", "paid", "uncollectible") and dso_from <= created < end:
            sums["invoiced"][currency] += invoice["total"]
            behind["dso"].add(invoice["id"])
            period_status[status] += 1
    dso = {c: round(sums["outstanding"].get(c, 0) / amount * dso_days)
           for c, amount in sums["invoiced"].items() if amount > 0}
    return {"sums": sums, "behind": behind, "dso": dso, "aging": aging,
            "aging_count": aging_count, "period_status": period_status}


@pytest.mark.parametrize(("as_of", "collection_days", "dso_days"),
                         [(AS_OF, 30, 90), (AS_OF - timedelta(days=45), 7, 30),
                          (AS_OF + timedelta(days=31), 60, 365)])
def test_kpis_in_sql_equal_the_invoice_by_invoice_figures(
    book: tuple[Engine, list[dict[str, Any]]], as_of: date, collection_days: int, dso_days: int
) -> None:
    engine, made = book
    expected = _by_hand(made, as_of, collection_days, dso_days)
    reports = Reports(engine)
    kpis = {k.key: k for k in reports.kpis(as_of, collection_days=collection_days,
                                           dso_days=dso_days)}
    for key in ("outstanding", "overdue", "collected"):
        assert kpis[key].values_by_currency == dict(expected["sums"][key]), key
        assert kpis[key].invoices == len(expected["behind"][key]), key
        rows = reports.kpi_rows(as_of, key, collection_days=collection_days, dso_days=dso_days)
        assert set(rows["invoice_id"]) == expected["behind"][key], key
    assert kpis["dso"].values_by_currency == expected["dso"]
    assert kpis["dso"].invoices == len(expected["behind"]["dso"])
    dso_rows = reports.kpi_rows(as_of, "dso", collection_days=collection_days, dso_days=dso_days)
    assert set(dso_rows["invoice_id"]) == expected["behind"]["dso"]
    assert reports.period_status_counts(as_of, dso_days=dso_days) == dict(
        expected["period_status"])
    # the book really is mixed: every currency owes, something is overdue and partly paid
    assert set(kpis["outstanding"].values_by_currency) == set(CURRENCIES)
    assert any(i["status"] == "open" and 0 < i["amount_paid"] < i["total"] for i in made)


@pytest.mark.parametrize("as_of", [AS_OF, AS_OF - timedelta(days=61), AS_OF + timedelta(days=1)])
def test_aging_in_sql_equals_the_invoice_by_invoice_buckets(
    book: tuple[Engine, list[dict[str, Any]]], as_of: date
) -> None:
    engine, made = book
    expected = _by_hand(made, as_of, 30, 90)
    reports = Reports(engine)
    aging = reports.aging(as_of)
    assert list(aging["currency"].unique()) == sorted(CURRENCIES)
    for row in aging.itertuples():
        if row.bucket == "total":
            cells = [(row.currency, b) for b in AGING_BUCKETS]
            assert row.amount_remaining == sum(expected["aging"][c] for c in cells)
            assert row.count == sum(expected["aging_count"][c] for c in cells)
        else:
            assert row.amount_remaining == expected["aging"][(row.currency, row.bucket)]
            assert row.count == expected["aging_count"][(row.currency, row.bucket)]
    for currency in CURRENCIES:
        open_ones = [i for i in made if i["status"] == "open" and i["currency"] == currency]
        for bucket in (*AGING_BUCKETS, "overdue", "total"):
            rows = reports.aging_rows(as_of, bucket=bucket, currency=currency)
            wanted = {
                i["id"] for i in open_ones
                if bucket == "total"
                or (bucket == "overdue" and _days_overdue(i, as_of) > 0)
                or aging_bucket(_days_overdue(i, as_of)) == bucket
            }
            assert set(rows["invoice_id"]) == wanted, (currency, bucket)
            assert list(rows["days_overdue"]) == [
                _days_overdue(next(i for i in open_ones if i["id"] == found), as_of)
                for found in rows["invoice_id"]
            ]


def test_an_unknown_bucket_or_kpi_is_refused(
    book: tuple[Engine, list[dict[str, Any]]]
) -> None:
    reports = Reports(book[0])
    with pytest.raises(ValueError, match="bucket must be one of"):
        reports.aging_rows(AS_OF, bucket="100+", currency="usd")
    with pytest.raises(ValueError, match="key must be"):
        reports.kpi_rows(AS_OF, "revenue")
    with pytest.raises(ValueError, match="at least one day"):
        reports.kpis(AS_OF, dso_days=0)
