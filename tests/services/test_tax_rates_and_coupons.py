"""Tax rates and coupons: made in Stripe, listed from the read model, refused before Stripe.

Every refusal names its field and sends nothing to Stripe; every write is in the
audit trail and in the read model at once (read your writes), and an event about a
tax rate or coupon made outside the dashboard brings it in too.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.container import Services
from services.core.errors import InvalidInput, PermissionDenied
from services.core.idempotency import new_form_nonce
from tests.services.conftest import CLERK, VIEWER, unique
from tests.services.stripe_requests import record_stripe_requests


def _vat(services: Services, **changes: object):  # type: ignore[no-untyped-def]
    fields = {"display_name": "VAT", "percentage_text": "20", "inclusive": False,
              "country": "de", "jurisdiction": "DE", "description": unique("Standard"),
              "form_nonce": new_form_nonce(), **changes}
    return services.catalog.taxes.create_tax_rate(CLERK, **fields)  # type: ignore[arg-type]


def test_a_tax_rate_is_made_listed_and_archived(services: Services) -> None:
    rate = _vat(services, percentage_text="8.25 %")
    assert (rate.percentage, rate.inclusive, rate.country, rate.active) == (8.25, False, "DE",
                                                                            True)
    assert rate.label == "VAT 8.25% (excl.) · DE · DE"
    assert rate.id in [r.id for r in services.catalog.taxes.tax_rates()]  # no event needed
    stripe_copy = services.client.v1.tax_rates.retrieve(rate.id)
    assert (stripe_copy.percentage, stripe_copy.jurisdiction) == (8.25, "DE")

    archived = services.catalog.taxes.archive_tax_rate(CLERK, rate.id,
                                                       form_nonce=new_form_nonce())
    assert archived.active is False
    assert rate.id not in [r.id for r in services.catalog.taxes.tax_rates()]
    assert rate.id in [r.id for r in services.catalog.taxes.tax_rates(include_archived=True)]
    rows = services.audit.history(rate.id)
    assert list(rows["action"]) == ["create_tax_rate", "archive_tax_rate"] or \
        sorted(rows["action"]) == ["archive_tax_rate", "create_tax_rate"]


def test_the_same_tax_rate_form_submitted_twice_makes_one_rate(services: Services) -> None:
    nonce, name = new_form_nonce(), unique("GST")[:50]
    first = _vat(services, display_name=name, description="Goods", form_nonce=nonce)
    second = _vat(services, display_name=name, description="Goods", form_nonce=nonce)
    assert first.id == second.id


@pytest.mark.parametrize(("changes", "field"), [
    ({"display_name": "  "}, "display_name"),
    ({"display_name": "V" * 51}, "display_name"),
    ({"percentage_text": "0"}, "percentage"),
    ({"percentage_text": "100.5"}, "percentage"),
    ({"percentage_text": "twenty"}, "percentage"),
    ({"percentage_text": "1.23456"}, "percentage"),
    ({"percentage_text": "２０"}, "percentage"),
    ({"country": "Germany"}, "country"),
    ({"jurisdiction": "J" * 51}, "jurisdiction"),
    ({"description": "bell\x07"}, "description"),
])
def test_a_bad_tax_rate_is_refused_before_stripe(
    services: Services, monkeypatch: pytest.MonkeyPatch, changes: dict, field: str
) -> None:
    seen = record_stripe_requests(monkeypatch)
    with pytest.raises(InvalidInput) as caught:
        _vat(services, **changes)
    assert caught.value.field == field
    assert [sent for sent in seen.sent if sent[0] != "GET"] == []


def test_a_viewer_may_not_make_tax_rates(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        services.catalog.taxes.create_tax_rate(
            VIEWER, display_name="VAT", percentage_text="20", inclusive=False, country=None,
            jurisdiction=None, description=None, form_nonce=new_form_nonce())


def test_coupons_percent_and_amount_off_and_deletion(services: Services) -> None:
    taxes = services.catalog.taxes
    ten = taxes.create_coupon(
        CLERK, name="Ten off", percent_off_text="10", amount_off_text=None, currency=None,
        max_redemptions=3, redeem_by=date.today() + timedelta(days=30),
        form_nonce=new_form_nonce())
    five = taxes.create_coupon(
        CLERK, name="Five euros", percent_off_text="", amount_off_text="5.00", currency="EUR",
        max_redemptions=None, redeem_by=None, form_nonce=new_form_nonce())
    assert (ten.percent_off, ten.duration, ten.max_redemptions, ten.label) == (
        10.0, "once", 3, "Ten off (10% off)")
    assert (five.amount_off, five.currency, five.off_text) == (500, "eur", "€5.00 off")
    assert five.usable_in("eur") and not five.usable_in("usd") and ten.usable_in("jpy")
    listed = {c.id for c in taxes.coupons()}
    assert {ten.id, five.id} <= listed
    assert services.client.v1.coupons.retrieve(ten.id).redeem_by is not None

    taxes.delete_coupon(CLERK, five.id, form_nonce=new_form_nonce())
    assert five.id not in {c.id for c in taxes.coupons(include_invalid=True)}


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"),
    ({"name": "N" * 41}, "name"),
    ({"percent_off_text": "", "amount_off_text": ""}, "percent_off"),
    ({"percent_off_text": "10", "amount_off_text": "5"}, "percent_off"),
    ({"percent_off_text": "101"}, "percent_off"),
    ({"percent_off_text": "", "amount_off_text": "5", "currency": "euros"}, "currency"),
    ({"percent_off_text": "", "amount_off_text": "5.001", "currency": "eur"}, "amount_off"),
    ({"percent_off_text": "", "amount_off_text": "0", "currency": "eur"}, "amount_off"),
    ({"max_redemptions": 0}, "max_redemptions"),
    ({"redeem_by": date(2000, 1, 1)}, "redeem_by"),
    ({"redeem_by": date.today() + timedelta(days=6 * 365)}, "redeem_by"),
])
def test_a_bad_coupon_is_refused_before_stripe(
    services: Services, monkeypatch: pytest.MonkeyPatch, changes: dict, field: str
) -> None:
    fields = {"name": "Spring", "percent_off_text": "10", "amount_off_text": None,
              "currency": None, "max_redemptions": None, "redeem_by": None, **changes}
    seen = record_stripe_requests(monkeypatch)
    with pytest.raises(InvalidInput) as caught:
        services.catalog.taxes.create_coupon(CLERK, form_nonce=new_form_nonce(), **fields)
    assert caught.value.field == field
    assert [sent for sent in seen.sent if sent[0] != "GET"] == []


def test_rates_and_coupons_made_outside_the_dashboard_arrive_by_events(
    services: Services,
) -> None:
    rate = services.client.v1.tax_rates.create({"display_name": "QST", "percentage": 9.975,
                                                "inclusive": False})
    coupon = services.client.v1.coupons.create({"percent_off": 15, "name": "Outside"})
    services.upkeep.catch_up()
    assert rate.id in {r.id for r in services.catalog.taxes.tax_rates()}
    assert coupon.id in {c.id for c in services.catalog.taxes.coupons()}
    services.client.v1.tax_rates.update(rate.id, {"active": False})
    services.client.v1.coupons.delete(coupon.id)
    services.upkeep.catch_up()
    assert rate.id not in {r.id for r in services.catalog.taxes.tax_rates()}
    assert coupon.id not in {c.id for c in services.catalog.taxes.coupons(include_invalid=True)}
