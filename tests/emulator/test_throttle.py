"""A realistic Stripe: ``latency_ms`` and ``rate_limit`` (lib/throttle.py), through the real
SDK over HTTP.

Latency is asynchronous (concurrent requests overlap); the rate limiter has separate read,
write and search budgets, answers Stripe's 429 ``rate_limit`` (``stripe.RateLimitError``),
refuses without taking anything, and refills over time. Stripe's SDK does not retry a
rate-limited request by itself (as with real Stripe); a caller that backs off gets through.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import stripe

from stripe_emulator.embedded import RunningEmulator
from stripe_emulator.lib.errors import RateLimitError
from stripe_emulator.lib.throttle import (
    LIVE_MODE_MESSAGE,
    PRESETS,
    SEARCH_RATE,
    TEST_MODE_MESSAGE,
    RateLimits,
    Throttle,
    is_search,
    parse_rate_limit,
)
from tests.conftest import TEST_API_KEY, client_for

Start = Callable[..., RunningEmulator]


def _list(client: stripe.StripeClient) -> None:
    client.v1.customers.list({"limit": 1})


def _search(client: stripe.StripeClient) -> None:
    client.v1.customers.search({"query": "email:'nobody@example.com'"})


def _create(client: stripe.StripeClient) -> None:
    client.v1.customers.create({"name": "Throttle"})


def _refused(call: Callable[[stripe.StripeClient], None],
             client: stripe.StripeClient) -> stripe.RateLimitError:
    with pytest.raises(stripe.RateLimitError) as caught:
        call(client)
    return caught.value


# --- options -------------------------------------------------------------------------------


def test_presets_follow_stripes_documented_limits() -> None:
    assert PRESETS["test"] == RateLimits(read=25, write=25, search=20)
    assert PRESETS["live"] == RateLimits(read=100, write=100, search=20,
                                         message=LIVE_MODE_MESSAGE)
    assert SEARCH_RATE == 20


@pytest.mark.parametrize(("spec", "expected"), [
    (None, None),
    (False, None),
    (True, PRESETS["test"]),
    ("test", PRESETS["test"]),
    ("LIVE", PRESETS["live"]),
    ("10", RateLimits(read=10, write=10)),
    ("10,5", RateLimits(read=10, write=5)),
    ("10,5,2", RateLimits(read=10, write=5, search=2)),
    (7, RateLimits(read=7, write=7)),
    ((8, 3), RateLimits(read=8, write=3)),
])
def test_rate_limit_specs(spec, expected) -> None:
    assert parse_rate_limit(spec) == expected


@pytest.mark.parametrize("spec", ["fast", "10,x", "0", "5,0.5", "1,2,3,4", ()])
def test_bad_rate_limit_specs_are_refused(spec) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        parse_rate_limit(spec)


def test_bad_options_are_refused_before_starting(fresh_emulator: Start) -> None:
    with pytest.raises(ValueError, match="latency_ms"):
        fresh_emulator(latency_ms=-1)
    with pytest.raises(ValueError, match="rate limit"):
        fresh_emulator(rate_limit="fastest")


def test_search_endpoints_are_recognised() -> None:
    assert is_search("/v1/customers/search")
    assert is_search("/v1/invoices/search")
    assert not is_search("/v1/customers")
    assert not is_search("/v1/customers/cus_123")
    assert not is_search("/i/acct_1/search")


def test_off_by_default(fresh_emulator: Start) -> None:
    emulator = fresh_emulator()
    assert emulator.throttle.latency_seconds == 0
    assert emulator.throttle.limits is None
    client = client_for(emulator)
    for _ in range(40):  # more than any preset's burst
        _list(client)
    assert emulator.throttle.refused == 0


# --- latency -------------------------------------------------------------------------------


def test_latency_adds_at_least_n_ms_to_every_answer(fresh_emulator: Start) -> None:
    emulator = fresh_emulator(latency_ms=100)
    client = client_for(emulator)
    for call in (_list, _create):
        started = time.perf_counter()
        call(client)
        assert time.perf_counter() - started >= 0.1
    started = time.perf_counter()  # errors travel the same network
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve("cus_missing")
    assert time.perf_counter() - started >= 0.1


def test_concurrent_requests_wait_side_by_side(fresh_emulator: Start) -> None:
    emulator = fresh_emulator(latency_ms=200)

    def one(_: int) -> float:
        started = time.perf_counter()
        _list(client_for(emulator))
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=10) as pool:
        durations = list(pool.map(one, range(10)))
    total = time.perf_counter() - started
    assert min(durations) >= 0.2
    assert total < 1.0  # serialised it would be >= 2 s


# --- rate limit ----------------------------------------------------------------------------


def test_a_burst_over_the_budget_gets_stripes_429(fresh_emulator: Start) -> None:
    emulator = fresh_emulator(rate_limit="3,3")
    client = client_for(emulator)
    for _ in range(3):
        _list(client)
    error = _refused(_list, client)
    assert error.http_status == 429
    # stripe-python leaves RateLimitError.code unset; the parsed error object carries it
    assert error.error is not None
    assert error.error.code == "rate_limit"
    assert error.error.type == "invalid_request_error"
    assert isinstance(error.json_body, dict)
    body = error.json_body["error"]
    assert body["code"] == "rate_limit"
    assert body["message"] == TEST_MODE_MESSAGE
    assert body["doc_url"] == "https://stripe.com/docs/error-codes/rate-limit"
    assert error.request_id and error.request_id.startswith("req_")
    assert emulator.throttle.refused == 1


def _burst(throttle: Throttle, method: str, path: str, count: int) -> int:
    """How many of ``count`` back-to-back requests ``throttle`` admits (in one event loop)."""

    async def run() -> int:
        admitted = 0
        for _ in range(count):
            try:
                await throttle.admit(method, path)
                admitted += 1
            except RateLimitError:
                pass
        return admitted

    return asyncio.run(run())


@pytest.mark.parametrize(("preset", "reads", "writes", "message"), [
    ("test", 25, 25, TEST_MODE_MESSAGE),
    ("live", 100, 100, LIVE_MODE_MESSAGE),
])
def test_presets_admit_their_burst_then_refuse(preset, reads, writes, message) -> None:
    throttle = Throttle(rate_limit=preset)

    async def run() -> None:
        for method, path, budget in (("GET", "/v1/customers", reads),
                                     ("POST", "/v1/customers", writes),
                                     ("DELETE", "/v1/customers/cus_1", 0)):
            for _ in range(budget):
                await throttle.admit(method, path)
            with pytest.raises(RateLimitError) as caught:
                await throttle.admit(method, path)
            assert caught.value.message == message
            assert caught.value.http_status == 429

    asyncio.run(run())
    assert throttle.refused == 3


def test_search_budget_is_20_per_second_in_both_presets() -> None:
    for preset in ("test", "live"):
        throttle = Throttle(rate_limit=preset)
        assert _burst(throttle, "GET", "/v1/invoices/search", 30) == 20


def test_reads_and_writes_have_separate_budgets(fresh_emulator: Start) -> None:
    client = client_for(fresh_emulator(rate_limit="2,2"))
    _list(client)
    _list(client)
    _refused(_list, client)
    _create(client)  # reads exhausted, writes untouched
    _create(client)
    _refused(_create, client)
    _refused(_list, client)


def test_search_has_its_own_stricter_budget_counted_as_reads(fresh_emulator: Start) -> None:
    # The smallest budgets (refilled at 2 and 1 per second), so a loaded machine taking a
    # few hundred milliseconds over these requests cannot refill a token between them.
    emulator = fresh_emulator(rate_limit="2,2,1")
    client = client_for(emulator)
    _search(client)
    _refused(_search, client)  # search budget spent; the refusal took no read
    _list(client)              # 2 reads - 1 search
    _refused(_list, client)
    _create(client)
    assert emulator.throttle.refused == 2


def test_search_default_budget_is_20_per_second(fresh_emulator: Start) -> None:
    emulator = fresh_emulator(rate_limit="100,100")
    client = client_for(emulator)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: _attempt(_search, client), range(40)))
    elapsed = time.perf_counter() - started
    passed = sum(1 for o in outcomes if o is None)
    assert all(o is None or isinstance(o, stripe.RateLimitError) for o in outcomes)
    assert 20 <= passed <= 20 + int(elapsed * 20) + 1
    _list(client)  # plain reads still have room


def test_the_budget_refills_over_time(fresh_emulator: Start) -> None:
    client = client_for(fresh_emulator(rate_limit="4,4"))
    for _ in range(4):
        _list(client)
    _refused(_list, client)
    time.sleep(0.35)  # 4/s: 1.4 requests' worth
    _list(client)
    _refused(_list, client)


def test_stripes_sdk_does_not_retry_a_429_by_itself(fresh_emulator: Start) -> None:
    """As with real Stripe: the SDK retries connection errors, 409 and 5xx, not a 429."""
    emulator = fresh_emulator(rate_limit="1,1")
    client = stripe.StripeClient(TEST_API_KEY, base_addresses={"api": emulator.base_url},
                                 max_network_retries=3)
    _list(client)
    started = time.perf_counter()
    _refused(_list, client)
    assert time.perf_counter() - started < 0.5  # the SDK's first backoff is >= 0.5 s
    assert emulator.throttle.refused == 1       # one attempt, no retry


def test_a_caller_that_backs_off_gets_through(fresh_emulator: Start) -> None:
    emulator = fresh_emulator(rate_limit="4,4")
    client = client_for(emulator)
    for _ in range(4):
        _create(client)
    attempts = 0
    while True:
        attempts += 1
        try:
            _create(client)
            break
        except stripe.RateLimitError:
            assert attempts < 20
            time.sleep(0.05)
    assert attempts >= 2
    assert emulator.throttle.refused == attempts - 1


def test_a_refused_keyed_post_is_not_replayed(fresh_emulator: Start) -> None:
    client = client_for(fresh_emulator(rate_limit="4,4"))
    for _ in range(4):
        _create(client)
    options: stripe.RequestOptions = {"idempotency_key": "throttle-key-1"}
    with pytest.raises(stripe.RateLimitError):
        client.v1.customers.create({"name": "Keyed"}, options)
    time.sleep(0.3)
    customer = client.v1.customers.create({"name": "Keyed"}, options)
    assert customer.name == "Keyed"


def test_unauthenticated_requests_and_public_pages_are_not_limited(fresh_emulator: Start) -> None:
    emulator = fresh_emulator(rate_limit="1,1")
    with httpx.Client(base_url=emulator.base_url) as http:
        for _ in range(3):
            assert http.get("/v1/customers").status_code == 401
            assert http.get("/i/acct_emulator/no_such_token").status_code == 404
    _list(client_for(emulator))  # the one read of the budget is still there
    assert emulator.throttle.refused == 0


def test_latency_and_rate_limit_together(fresh_emulator: Start) -> None:
    emulator = fresh_emulator(latency_ms=50, rate_limit="1,1")
    client = client_for(emulator)
    _list(client)
    started = time.perf_counter()
    _refused(_list, client)
    assert time.perf_counter() - started >= 0.05  # a 429 crosses the network too


def test_throttle_without_options_is_a_no_op() -> None:
    throttle = Throttle()

    async def run() -> None:
        for _ in range(100):
            await throttle.admit("GET", "/v1/customers/search")
        await throttle.delay()

    asyncio.run(run())
    assert throttle.refused == 0


def _attempt(call: Callable[[stripe.StripeClient], None],
             client: stripe.StripeClient) -> stripe.RateLimitError | None:
    try:
        call(client)
    except stripe.RateLimitError as error:
        return error
    return None
