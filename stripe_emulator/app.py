"""The HTTP edge: one Starlette endpoint that authenticates, decodes, dispatches.

For every request: a ``Request-Id``; the API key check (401); the bracketed
form body / query decoded; the route looked up in ``urls.ROUTES``; the handler
run in a worker thread inside one unit of work (with the request recorded for
events); ``expand[]`` applied; idempotent replay for keyed POSTs; every
:class:`~stripe_emulator.lib.errors.StripeError` serialised in one place. Optionally
(``lib.throttle``) Stripe's rate limiter after the key check, and latency on every answer.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from stripe_emulator.backend.state import EmulatorState
from stripe_emulator.lib.context import RequestInfo, serving
from stripe_emulator.lib.errors import (
    ApiError,
    AuthenticationError,
    InvalidRequestError,
    RouteNotFoundError,
    StripeError,
    error_body,
)
from stripe_emulator.lib.forms import decode_form
from stripe_emulator.lib.idempotency import Answer, fingerprint
from stripe_emulator.lib.ids import new_request_id
from stripe_emulator.lib.routing import ApiCall, PageAnswer, Route, Router
from stripe_emulator.lib.throttle import Throttle
from stripe_emulator.models.base import API_VERSION
from stripe_emulator.urls import ROUTES

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY_LENGTH = 255
#: Answers up to this size keep Stripe's 2-space pretty printing (one object, small lists).
PRETTY_MAX_CHARS = 16_000


def _api_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if not header:
        raise AuthenticationError(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
            "or we can help at https://support.stripe.com/."
        )
    scheme, _, value = header.partition(" ")
    key = value.strip()
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(key).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    elif scheme.lower() != "bearer":
        key = ""
    if not key.startswith("sk_test_") or len(key) <= len("sk_test_"):
        raise AuthenticationError(f"Invalid API Key provided: {_redact(key)}")
    return key


def _redact(key: str) -> str:
    if len(key) <= 8:
        return key or "(empty)"
    prefix = key[: key.index("_", 3) + 1] if key.count("_") >= 2 else key[:3]
    return f"{prefix}{'*' * 4}{key[-4:]}"


def _serialise(body: Any) -> str:
    """The answer's JSON text.

    Stripe pretty-prints its answers, but ``indent`` makes Python fall back to its
    pure-Python encoder (~10x slower: 60% of a 100-invoice list page), so large answers
    (list pages) go out compact; the JSON value is the same, only whitespace differs.
    """
    text = json.dumps(body)
    if len(text) <= PRETTY_MAX_CHARS:
        return json.dumps(body, indent=2)
    return text


class Dispatcher:
    """Runs API calls against one :class:`EmulatorState`."""

    def __init__(self, state: EmulatorState, routes: list[Route] | None = None,
                 throttle: Throttle | None = None) -> None:
        self.state = state
        self.router = Router(routes if routes is not None else ROUTES)
        self.throttle = throttle if throttle is not None else Throttle()

    async def handle(self, request: Request) -> Response:
        response = await self._answer(request)
        await self.throttle.delay()  # the configured latency, on every answer
        return response

    async def _answer(self, request: Request) -> Response:
        request_id = new_request_id()
        headers = {
            "Request-Id": request_id,
            "Stripe-Version": request.headers.get("stripe-version", API_VERSION),
        }
        method = request.method.upper()
        try:
            try:
                route, path_params = self.router.match(method, request.url.path)
            except RouteNotFoundError:
                _api_key(request)
                raise
            if not route.public:
                _api_key(request)
                await self.throttle.admit(method, request.url.path)  # 429 rate_limit
            raw = decode_form(request.url.query)
            if method == "POST":
                body = (await request.body()).decode("utf-8", errors="replace")
                raw.update(decode_form(body))
            key = request.headers.get("idempotency-key") if method == "POST" else None
            if key:
                headers["Idempotency-Key"] = key
                if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
                    raise InvalidRequestError(
                        f"Idempotency-Key must be at most {MAX_IDEMPOTENCY_KEY_LENGTH} "
                        "characters long.")
            call = ApiCall(self.state, method, request.url.path, path_params, raw,
                           request_id=request_id, idempotency_key=key)
            if route.public:
                page_answer = await run_in_threadpool(self._run_page, route, call)
                return Response(page_answer.content, page_answer.status,
                                {"Request-Id": request_id}, media_type=page_answer.media_type)
            answer = await run_in_threadpool(self._execute, route, call)
        except StripeError as error:
            answer = Answer(error.http_status, error_body(error, request_id), {})
        except Exception:
            log.exception("emulator fault on %s %s", method, request.url.path)
            fault = ApiError("An unexpected error occurred in the Stripe emulator.")
            answer = Answer(500, error_body(fault, request_id), {})
        headers.update(answer.headers)
        return Response(_serialise(answer.body), answer.status, headers,
                        media_type="application/json")

    def _execute(self, route: Route, call: ApiCall) -> Answer:
        if call.idempotency_key:
            print_ = fingerprint(call.method, call.path, call.raw_params)
            return self.state.idempotency.run(
                call.idempotency_key, print_, call.request_id, lambda: self._run(route, call)
            )
        return self._run(route, call)

    def _run_page(self, route: Route, call: ApiCall) -> PageAnswer:
        with serving(RequestInfo(call.request_id, None)), self.state.store.transaction():
            answer: PageAnswer = route.handler(call)
        return answer

    def _run(self, route: Route, call: ApiCall) -> Answer:
        info = RequestInfo(call.request_id, call.idempotency_key)
        with serving(info), self.state.store.transaction():
            body: dict[str, Any] = route.handler(call)
            paths = call.raw_params.get("expand")
            if paths:
                self.state.expand(body, paths if isinstance(paths, list) else [paths])
        return Answer(200, body, {})


def create_app(state: EmulatorState, throttle: Throttle | None = None) -> Starlette:
    """The ASGI application serving the emulated API over ``state`` (``throttle``: latency
    and rate limit, none by default)."""
    dispatcher = Dispatcher(state, throttle=throttle)
    route = StarletteRoute("/{path:path}", dispatcher.handle, methods=["GET", "POST", "DELETE"])
    return Starlette(routes=[route])
