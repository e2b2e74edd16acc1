"""Views cached before Stripe's events changed the read model are cleared on the next page
run: a customer made in Stripe and applied by a catch-up (as another dashboard process or
the periodic task would) shows at once, not after the cached list's time to live."""

from __future__ import annotations

import stripe

from tests.services.conftest import services_for
from ui import read_model_watch, reads, runtime


def test_an_event_applied_outside_the_page_clears_its_cached_views(  # type: ignore[no-untyped-def]
    fresh_emulator, app_database_url
):
    running = fresh_emulator()
    services = services_for(running.base_url, app_database_url, backfill=True)
    runtime.install_services_factory(lambda: services, replace=True)
    client = stripe.StripeClient("sk_test_emulator", base_addresses={"api": running.base_url})
    try:
        read_model_watch.note_changes()  # the marker this process starts from
        reads.customers_table.clear()
        before = reads.customers_table().value
        assert read_model_watch.note_changes() is False  # nothing changed: the cache stays
        assert reads.customers_table().value.equals(before)

        made = client.v1.customers.create(params={"name": "Made Elsewhere GmbH"})
        services.upkeep.catch_up()  # Stripe's event applied outside any page run
        assert made.id not in set(reads.customers_table().value["customer_id"])  # cached

        assert read_model_watch.note_changes() is True  # the next page run notices ...
        assert made.id in set(reads.customers_table().value["customer_id"])  # ... reads anew
        assert read_model_watch.note_changes() is False
    finally:
        services.close()
