"""HTTP edge of ``/v1/test_helpers/test_clocks``."""

from __future__ import annotations

from typing import Any

from stripe_emulator.backend import test_clocks
from stripe_emulator.lib.params import LIST_FIELDS, Int, Schema, Str
from stripe_emulator.lib.routing import ApiCall, Route, delete, get, post
from stripe_emulator.models.base import public

CREATE = Schema(frozen_time=Int(required=True, minimum=0), name=Str(max_length=300),
                customer=Str())
ADVANCE = Schema(frozen_time=Int(required=True, minimum=0))
RETRIEVE = Schema()
LIST = Schema(**LIST_FIELDS)


def create_test_clock(call: ApiCall) -> dict[str, Any]:
    return public(test_clocks.create_test_clock(call.state, call.params(CREATE)))


def retrieve_test_clock(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return public(test_clocks.retrieve_test_clock(call.state, call.path_params["id"]))


def list_test_clocks(call: ApiCall) -> dict[str, Any]:
    return test_clocks.list_test_clocks(call.state, call.params(LIST), call.path)


def advance_test_clock(call: ApiCall) -> dict[str, Any]:
    frozen_time = call.params(ADVANCE)["frozen_time"]
    return public(test_clocks.advance_test_clock(call.state, call.path_params["id"], frozen_time))


def delete_test_clock(call: ApiCall) -> dict[str, Any]:
    call.params(RETRIEVE)
    return test_clocks.delete_test_clock(call.state, call.path_params["id"])


ROUTES: list[Route] = [
    post("/v1/test_helpers/test_clocks/{id}/advance", advance_test_clock),
    post("/v1/test_helpers/test_clocks", create_test_clock),
    get("/v1/test_helpers/test_clocks", list_test_clocks),
    get("/v1/test_helpers/test_clocks/{id}", retrieve_test_clock),
    delete("/v1/test_helpers/test_clocks/{id}", delete_test_clock),
]
