"""The HTTP routes served beside the Streamlit pages: ``GET /healthz``, ``POST /webhooks/stripe``,
and ``GET /session/login`` / ``GET /session/logout`` (the HttpOnly login cookie).

The one place where the services' framework-free webhook entry point
(:meth:`services.payments.events.PaymentEvents.receive_webhook`: raw body and
headers in, status and JSON body out) is adapted to Starlette, the server
Streamlit runs on, and where the login cookie is written as a ``Set-Cookie``
header (``HttpOnly``, so scripts in the page can never read it; see
:mod:`ui.login_cookie` for the page's side). ``app.py`` mounts these routes with
``st.App(routes=...)``; tests and benches mount the same routes on a plain Starlette app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from services.core.login_tickets import LoginTicket
from services.core.sessions import issue_login_token
from services.payments.webhook import MAX_BODY_BYTES, WEBHOOK_PATH, WebhookReply
from ui.login_cookie import LOGIN_ROUTE, LOGOUT_ROUTE, safe_next

LOG = logging.getLogger(__name__)


class WebhookEndpoint(Protocol):
    """What the route needs: :class:`services.payments.events.PaymentEvents`."""

    def receive_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookReply: ...


class HealthReport(Protocol):
    """What the health route needs: :class:`services.core.health.HealthCheck`."""

    def problems(self) -> list[str]: ...


def health_route(check_of: Callable[[], HealthReport] | None = None) -> Route:
    """``GET /healthz``: 200 ``{"status": "ok"}``, or 503 ``{"status": "degraded",
    "problems": [...]}`` when the app database or Stripe cannot be used (``check_of``
    gives the checker; without one only "the server answers" is checked)."""

    async def healthz(_request: Request) -> JSONResponse:
        if check_of is None:
            return JSONResponse({"status": "ok"})
        try:
            problems = await run_in_threadpool(lambda: check_of().problems())
        except Exception as err:  # the services could not even be built
            problems = [f"services unavailable: {type(err).__name__}"]
        if problems:
            return JSONResponse({"status": "degraded", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ok"})

    return Route("/healthz", healthz, methods=["GET"])


async def _body_within_limit(request: Request) -> bytes | None:
    """The body, read in chunks and given up (None) as soon as it passes the limit.

    A declared ``Content-Length`` over the limit is refused before reading anything;
    a chunked body is cut off at the limit, so a huge request never sits in memory.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_route(endpoint_of: Callable[[], WebhookEndpoint]) -> Route:
    """``POST /webhooks/stripe`` handing each delivery to ``endpoint_of()``.

    ``endpoint_of`` is called per request (the services are built lazily); if it
    raises, the answer is 503 so that Stripe delivers the event again later.
    The body is handed over as bytes, untouched; one over ``MAX_BODY_BYTES`` is
    refused with 413 before it is read.
    """

    async def stripe_webhook(request: Request) -> JSONResponse:
        body = await _body_within_limit(request)
        if body is None:
            return JSONResponse(
                {"error": {"message": f"The body is larger than {MAX_BODY_BYTES:,} bytes"}},
                status_code=413,
            )
        try:
            endpoint = endpoint_of()
        except Exception:  # services not available: Stripe will retry later
            LOG.exception("webhook endpoint unavailable")
            return JSONResponse({"error": "webhook handling unavailable"}, status_code=503)
        reply = await run_in_threadpool(endpoint.receive_webhook, body, dict(request.headers))
        return JSONResponse(reply.body, status_code=reply.status)

    return Route(WEBHOOK_PATH, stripe_webhook, methods=["POST"], name="stripe_webhook")


class CookieSetup(Protocol):
    """What the cookie routes need: :class:`ui.runtime.LoginSetup`."""

    @property
    def credentials(self) -> dict[str, Any]: ...
    @property
    def cookie_name(self) -> str: ...
    @property
    def cookie_key(self) -> str: ...
    @property
    def cookie_expiry_days(self) -> float: ...


class TicketRedeemer(Protocol):
    """What the login route needs: :class:`services.core.login_tickets.LoginTickets`."""

    def redeem(self, ticket: object) -> LoginTicket | None: ...


#: ``Sec-Fetch-Site`` values a cookie route answers: the dashboard's own page sending the
#: browser, or a typed address. A link on another site (login CSRF: a victim logged in
#: as the attacker; a forced logout) is refused. Browsers without the header are served.
_OWN_NAVIGATION = {"same-origin", "none"}


def _from_another_site(request: Request) -> bool:
    sent = request.headers.get("sec-fetch-site")
    return sent is not None and sent.lower() not in _OWN_NAVIGATION


def _redirect(to: str) -> RedirectResponse:
    response = RedirectResponse(safe_next(to), status_code=303)
    response.headers["Cache-Control"] = "no-store"  # carries a cookie: never cached
    response.headers["Referrer-Policy"] = "no-referrer"  # the ticket stays out of Referer
    return response


def _over_https(request: Request) -> bool:
    # The scheme as uvicorn sees it: https itself, or X-Forwarded-Proto from a proxy
    # uvicorn trusts (FORWARDED_ALLOW_IPS).
    return request.url.scheme == "https"


def login_cookie_routes(
    setup_of: Callable[[], CookieSetup], tickets_of: Callable[[], TicketRedeemer]
) -> list[Route]:
    """``GET /session/login?ticket=…&next=…`` and ``GET /session/logout?next=…``.

    The login route redeems the one-time ticket the page stored after a good login
    (:meth:`services.core.login_tickets.LoginTickets.redeem`) and answers 303 to
    ``next`` (a path of this server, else ``/``) with ``Set-Cookie: <name>=<token>;
    HttpOnly; SameSite=Strict; Path=/; Max-Age=…`` (plus ``Secure`` when the page or
    this request was on HTTPS). The token is :func:`services.core.sessions.issue_login_token`'s,
    counted from the login's own moment, so a logout after the login refuses it. An
    unknown, used or expired ticket, a user no longer listed, a request from another
    site, or an app database that does not answer: the same redirect with no cookie
    (the page then shows the login form). ``Sec-Fetch-Site`` follows MDN's "Fetch
    metadata request headers"; cookie attributes follow RFC 6265bis.

    The logout route deletes the cookie (same name, path and attributes, ``Max-Age=0``)
    and answers 303 to ``next``. It never touches the app database: the logout itself
    is recorded by the page (:mod:`services.core.sessions`), and the cookie goes even
    when that fails.
    """

    async def log_in(request: Request) -> RedirectResponse:
        next_page = safe_next(request.query_params.get("next"))
        if _from_another_site(request):
            LOG.warning("login cookie refused: the request came from another site")
            return _redirect("/")
        ticket = request.query_params.get("ticket")
        try:
            setup = await run_in_threadpool(setup_of)
            login = await run_in_threadpool(tickets_of().redeem, ticket)
        except Exception:  # the database or the login setup: no cookie, the form again
            LOG.exception("a login ticket could not be redeemed")
            return _redirect(next_page)
        if login is None or login.username not in setup.credentials.get("usernames", {}):
            LOG.info("login cookie refused: unknown, used or expired ticket")
            return _redirect(next_page)
        token, issued = issue_login_token(
            login.username, setup.cookie_key, setup.cookie_expiry_days, now=login.logged_in_at
        )
        max_age = int(issued.expires_at - time.time())
        response = _redirect(next_page)
        if max_age > 0:
            response.set_cookie(
                setup.cookie_name, token, max_age=max_age, path="/",
                secure=login.secure or _over_https(request), httponly=True, samesite="strict",
            )
        return response

    async def log_out(request: Request) -> RedirectResponse:
        if _from_another_site(request):
            LOG.warning("logout cookie route refused: the request came from another site")
            return _redirect("/")
        response = _redirect(request.query_params.get("next") or "/")
        try:
            name = (await run_in_threadpool(setup_of)).cookie_name
        except Exception:  # the login setup cannot be read: nothing to name the cookie by
            LOG.exception("the login cookie could not be named for deletion")
            return response
        response.delete_cookie(
            name, path="/", secure=_over_https(request), httponly=True, samesite="strict"
        )
        return response

    return [
        Route(LOGIN_ROUTE, log_in, methods=["GET"], name="login_cookie"),
        Route(LOGOUT_ROUTE, log_out, methods=["GET"], name="logout_cookie"),
    ]
