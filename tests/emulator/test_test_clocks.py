"""Test clocks: backdating, clock customers, advancing (running due work), deletion;
and real-time timers of the scheduler.

The scheduler tests run test-only kinds of work, given to their own emulator with
``extra_jobs`` (a state runs only the kinds it was built with).
"""

from __future__ import annotations

import threading

import pytest
import stripe

from stripe_emulator.backend.events import emit_event
from stripe_emulator.embedded import start_emulator
from stripe_emulator.models.customer import CUSTOMERS
from tests.conftest import FAST_SETTLEMENT_SECONDS, FAST_WEBHOOK_RETRY_SECONDS, client_for
from tests.emulator.helpers import events_about, tag, wait_for

PAST = 1_700_000_000  # 2023-11-14
DAY = 86_400

_ran: list[tuple[str, int, str | None]] = []
_ran_lock = threading.Lock()


def _touch_customer(state, payload):
    """Test work: record when it ran (clock time) and emit an automatic event."""
    customer = state.store.require(CUSTOMERS, payload["customer"])
    with _ran_lock:
        _ran.append((payload["label"], state.now(customer["test_clock"]), customer["id"]))
    emit_event(state, "customer.updated", customer, previous=customer)


def _failing_job(state, payload):
    """Test work that changes a customer and then fails: its change must be undone."""
    customer = state.store.require(CUSTOMERS, payload["customer"])
    customer["name"] = "half-done"
    state.store.update(CUSTOMERS, customer)
    raise RuntimeError("job failed")


TEST_JOBS = {"tests.touch_customer": _touch_customer, "tests.failing_job": _failing_job}


@pytest.fixture(scope="module")
def jobs_emulator():
    """An emulator that also runs this module's test work."""
    with start_emulator(settlement_delay_seconds=FAST_SETTLEMENT_SECONDS,
                        webhook_retry_base_seconds=FAST_WEBHOOK_RETRY_SECONDS,
                        extra_jobs=TEST_JOBS) as running:
        yield running


@pytest.fixture
def jobs_client(jobs_emulator):
    return client_for(jobs_emulator)


def _ran_labels(customer_id):
    with _ran_lock:
        return [(label, when) for label, when, cid in _ran if cid == customer_id]


def test_clock_shape_and_backdated_customer(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST, "name": "Q4"})
    assert set(clock.to_dict()) == {"id", "object", "created", "deletes_after", "frozen_time",
                                    "livemode", "name", "status", "status_details"}
    assert clock.id.startswith("clock_") and clock.object == "test_helpers.test_clock"
    assert (clock.frozen_time, clock.status, clock.name) == (PAST, "ready", "Q4")
    customer = stripe_client.v1.customers.create({"test_clock": clock.id, "email": "c@q4.test"})
    assert customer.created == PAST and customer.test_clock == clock.id
    expanded = stripe_client.v1.customers.retrieve(customer.id, {"expand": ["test_clock"]})
    assert expanded.test_clock.frozen_time == PAST


def test_clock_customers_are_listed_only_when_asked(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    email = f"{tag()}@clock.test"
    customer = stripe_client.v1.customers.create({"test_clock": clock.id, "email": email})
    assert stripe_client.v1.customers.list({"email": email}).data == []
    on_clock = stripe_client.v1.customers.list({"test_clock": clock.id}).data
    assert [c.id for c in on_clock] == [customer.id]


def test_advance_runs_due_work_at_its_time_and_only_forward(jobs_client, jobs_emulator):
    clock = jobs_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    customer = jobs_client.v1.customers.create({"test_clock": clock.id})
    scheduler = jobs_emulator.state.scheduler
    for label, due in (("later", PAST + 3 * DAY), ("soon", PAST + DAY)):
        scheduler.schedule("tests.touch_customer", due,
                           {"customer": customer.id, "label": label}, test_clock=clock.id)
    advanced = jobs_client.v1.test_helpers.test_clocks.advance(clock.id,
                                                            {"frozen_time": PAST + 2 * DAY})
    assert (advanced.status, advanced.frozen_time) == ("ready", PAST + 2 * DAY)
    assert _ran_labels(customer.id) == [("soon", PAST + DAY)]
    jobs_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + 5 * DAY})
    assert _ran_labels(customer.id) == [("soon", PAST + DAY), ("later", PAST + 3 * DAY)]
    automatic = events_about(jobs_client, customer.id, "customer.updated")[0]
    assert automatic.request.id is None and automatic.request.idempotency_key is None
    assert automatic.created == PAST + 3 * DAY
    clock_events = [e.type for e in jobs_client.v1.events.list(
        {"type": "test_helpers.test_clock.*", "limit": 100}).data if e.data.object.id == clock.id]
    assert clock_events[:2] == ["test_helpers.test_clock.ready",
                                "test_helpers.test_clock.advancing"]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        jobs_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST})
    assert (caught.value.http_status, caught.value.param) == (400, "frozen_time")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        jobs_client.v1.test_helpers.test_clocks.advance(clock.id,
                                                     {"frozen_time": PAST + 800 * DAY})
    assert caught.value.param == "frozen_time"


def test_real_time_work_runs_after_its_delay(jobs_client, jobs_emulator):
    customer = jobs_client.v1.customers.create({"name": "Timer"})
    due = jobs_emulator.state.clock.real_now() + 0.2
    jobs_emulator.state.scheduler.schedule("tests.touch_customer", due,
                                           {"customer": customer.id, "label": "settle"})
    assert _ran_labels(customer.id) == []
    wait_for(lambda: _ran_labels(customer.id))
    assert _ran_labels(customer.id)[0][0] == "settle"


def test_cancelled_work_does_not_run(jobs_client, jobs_emulator):
    customer = jobs_client.v1.customers.create({"name": "Cancelled"})
    clock = jobs_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    jobs_emulator.state.scheduler.schedule("tests.touch_customer", PAST + 10,
                                           {"customer": customer.id, "label": "x"},
                                           test_clock=clock.id, key=customer.id)
    jobs_emulator.state.scheduler.cancel("tests.touch_customer", customer.id)
    jobs_client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": PAST + DAY})
    assert _ran_labels(customer.id) == []


def test_list_retrieve_and_delete_with_attached_customers(stripe_client):
    clock = stripe_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    customer = stripe_client.v1.customers.create({"test_clock": clock.id})
    assert clock.id in {c.id for c in stripe_client.v1.test_helpers.test_clocks.list(
        {"limit": 100}).auto_paging_iter()}
    assert stripe_client.v1.test_helpers.test_clocks.retrieve(clock.id).id == clock.id
    stub = stripe_client.v1.test_helpers.test_clocks.delete(clock.id).to_dict()
    assert stub == {"id": clock.id, "object": "test_helpers.test_clock", "deleted": True}
    assert stripe_client.v1.customers.retrieve(customer.id).to_dict()["deleted"] is True
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.test_helpers.test_clocks.retrieve(clock.id)
    assert (caught.value.http_status, caught.value.code) == (404, "resource_missing")


def test_frozen_time_is_required_and_clock_must_exist(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.test_helpers.test_clocks.create({"name": "no time"})
    assert (caught.value.code, caught.value.param) == ("parameter_missing", "frozen_time")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.customers.create({"test_clock": "clock_missing"})
    assert (caught.value.http_status, caught.value.param) == (400, "test_clock")


def test_a_failing_job_is_rolled_back_alone(jobs_client, jobs_emulator):
    clock = jobs_client.v1.test_helpers.test_clocks.create({"frozen_time": PAST})
    customer = jobs_client.v1.customers.create({"test_clock": clock.id, "name": "Intact"})
    scheduler = jobs_emulator.state.scheduler
    scheduler.schedule("tests.failing_job", PAST + 10, {"customer": customer.id},
                       test_clock=clock.id)
    scheduler.schedule("tests.touch_customer", PAST + 20,
                       {"customer": customer.id, "label": "after"}, test_clock=clock.id)
    advanced = jobs_client.v1.test_helpers.test_clocks.advance(clock.id,
                                                               {"frozen_time": PAST + 30})
    assert advanced.status == "ready"
    assert jobs_client.v1.customers.retrieve(customer.id).name == "Intact"
    assert _ran_labels(customer.id) == [("after", PAST + 20)]
