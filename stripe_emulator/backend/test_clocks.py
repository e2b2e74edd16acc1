"""Test clock use cases: create (past times allowed), advance (runs due work), delete.

Advancing moves the clock forward through every job scheduled on it (see
``lib.scheduler``), setting the clock to each job's due time before running it,
then to the target; ``test_helpers.test_clock.advancing`` and ``.ready`` are
emitted. The advance completes within the call, so the answer already says
``status: ready`` (a client that polls until ready stops at once).

Other backends react to advances or deletions through the state's registry
(``state.registry.on_clock_advanced`` / ``on_clock_deleted``), listed in
``backend.registry``.
"""

from __future__ import annotations

import copy
from typing import Any

from stripe_emulator.backend.customers import (
    delete_customer,
    referenced_customer,
    save_customer,
)
from stripe_emulator.backend.events import emit_event
from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.errors import InvalidRequestError
from stripe_emulator.lib.ids import new_id
from stripe_emulator.lib.pagination import list_page
from stripe_emulator.lib.storage import Where
from stripe_emulator.models.base import deleted_stub, public
from stripe_emulator.models.customer import CUSTOMERS
from stripe_emulator.models.test_clock import MAX_ADVANCE_SECONDS, TEST_CLOCKS, new_test_clock


def create_test_clock(state: EmulatorState, fields: dict[str, Any]) -> dict[str, Any]:
    """A new clock; with ``customer``, that existing customer joins it (for good)."""
    customer = referenced_customer(state, fields["customer"]) if fields.get("customer") \
        else None
    if customer is not None and customer.get("test_clock"):
        raise InvalidRequestError(
            f"Customer {customer['id']} is already attached to test clock "
            f"{customer['test_clock']}.", param="customer")
    clock = new_test_clock(clock_id=new_id("clock"), created=state.now(),
                           frozen_time=fields["frozen_time"], name=fields.get("name"))
    state.store.insert(TEST_CLOCKS, clock)
    emit_event(state, "test_helpers.test_clock.created", clock)
    if customer is not None:
        before = copy.deepcopy(customer)
        customer["test_clock"] = clock["id"]
        save_customer(state, customer, before)
    return clock


def retrieve_test_clock(state: EmulatorState, clock_id: str) -> dict[str, Any]:
    return state.store.require(TEST_CLOCKS, clock_id)


def list_test_clocks(state: EmulatorState, params: dict[str, Any], url: str) -> dict[str, Any]:
    return list_page(state.store, TEST_CLOCKS, Where(), params, url, public)


def advance_test_clock(state: EmulatorState, clock_id: str, frozen_time: int) -> dict[str, Any]:
    clock = state.store.require(TEST_CLOCKS, clock_id)
    start = int(clock["frozen_time"])
    if frozen_time <= start:
        raise InvalidRequestError(
            f"The test clock's frozen_time can only move forward: {frozen_time} is not after "
            f"its current frozen_time {start}.",
            param="frozen_time",
        )
    if frozen_time > start + MAX_ADVANCE_SECONDS:
        raise InvalidRequestError(
            "Cannot advance a test clock more than two years at a time.", param="frozen_time"
        )
    clock["status"] = "advancing"
    clock["status_details"] = {"advancing": {"target_frozen_time": frozen_time}}
    state.store.update(TEST_CLOCKS, clock)
    emit_event(state, "test_helpers.test_clock.advancing", clock)

    def move_to(due_at: float) -> None:
        current = state.store.require(TEST_CLOCKS, clock_id)
        current["frozen_time"] = max(int(current["frozen_time"]), int(due_at))
        state.store.update(TEST_CLOCKS, current)

    state.scheduler.run_due_on_clock(clock_id, frozen_time, move_to)
    clock = state.store.require(TEST_CLOCKS, clock_id)
    clock.update(frozen_time=frozen_time, status="ready", status_details={})
    state.store.update(TEST_CLOCKS, clock)
    for listener in state.registry.on_clock_advanced:
        listener(state, copy.deepcopy(clock), start)
    emit_event(state, "test_helpers.test_clock.ready", clock)
    return clock


def delete_test_clock(state: EmulatorState, clock_id: str) -> dict[str, Any]:
    """Delete the clock and the objects attached to it."""
    clock = state.store.require(TEST_CLOCKS, clock_id)
    for listener in state.registry.on_clock_deleted:
        listener(state, clock)
    attached = state.store.select(CUSTOMERS, Where().eq("deleted", 0).eq("test_clock", clock_id))
    for customer in attached:
        delete_customer(state, customer["id"])
    state.scheduler.drop_clock(clock_id)
    state.store.delete(TEST_CLOCKS, clock_id)
    emit_event(state, "test_helpers.test_clock.deleted", clock)
    return deleted_stub("test_helpers.test_clock", clock_id)
