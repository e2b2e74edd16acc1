"""State survives a restart with the same db file; concurrent writers lose nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import client_for
from tests.emulator.helpers import tag


def test_everything_survives_a_restart(fresh_emulator, tmp_path):
    db = tmp_path / "emulator.sqlite3"
    first = fresh_emulator(db)
    client = client_for(first)
    clock = client.v1.test_helpers.test_clocks.create({"frozen_time": 1_700_000_000})
    customer = client.v1.customers.create({"name": "Durable", "test_clock": clock.id})
    product = client.v1.products.create({"name": "Durable product"})
    price = client.v1.prices.create({"currency": "usd", "unit_amount": 99,
                                     "product": product.id, "lookup_key": f"d_{tag()}"})
    endpoint = client.v1.webhook_endpoints.create({"url": "http://127.0.0.1:9/x",
                                                   "enabled_events": ["invoice.paid"]})
    key = tag()
    keyed = httpx.post(f"{first.base_url}/v1/customers", data={"name": "Keyed"},
                       headers={"Authorization": "Bearer sk_test_d", "Idempotency-Key": key})
    events_before = [e.id for e in client.v1.events.list({"limit": 100}).data]
    first.stop()

    second = fresh_emulator(db)
    again = client_for(second)
    assert again.v1.customers.retrieve(customer.id).name == "Durable"
    assert again.v1.products.retrieve(product.id).name == "Durable product"
    assert again.v1.prices.retrieve(price.id).lookup_key == price.lookup_key
    assert again.v1.webhook_endpoints.retrieve(endpoint.id).url == "http://127.0.0.1:9/x"
    assert again.v1.test_helpers.test_clocks.retrieve(clock.id).frozen_time == 1_700_000_000
    assert [e.id for e in again.v1.events.list({"limit": 100}).data] == events_before
    replay = httpx.post(f"{second.base_url}/v1/customers", data={"name": "Keyed"},
                        headers={"Authorization": "Bearer sk_test_d", "Idempotency-Key": key})
    assert replay.json()["id"] == keyed.json()["id"]
    assert replay.headers["Idempotent-Replayed"] == "true"
    new_customer = again.v1.customers.create()
    assert new_customer.invoice_prefix != customer.invoice_prefix


def test_concurrent_creates_and_updates_lose_no_write(stripe_client):
    marker = tag()
    shared = stripe_client.v1.customers.create({"name": "Shared"})

    def worker(n: int) -> list[str]:
        made = [stripe_client.v1.customers.create({"metadata": {"batch": marker}}).id
                for _ in range(10)]
        stripe_client.v1.customers.update(shared.id, {"metadata": {f"w{n}": str(n)}})
        return made

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = [cid for ids in pool.map(worker, range(8)) for cid in ids]
    assert len(set(created)) == 80
    found = stripe_client.v1.customers.search({"query": f"metadata['batch']:'{marker}'",
                                               "limit": 100})
    assert {c.id for c in found.auto_paging_iter()} == set(created)
    metadata = stripe_client.v1.customers.retrieve(shared.id).metadata.to_dict()
    assert metadata == {f"w{n}": str(n) for n in range(8)}
    prefixes = {stripe_client.v1.customers.retrieve(c).invoice_prefix for c in created[:40]}
    assert len(prefixes) == 40
