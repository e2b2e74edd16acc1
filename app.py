"""Composition root of the invoicing dashboard: settings, services, login, navigation, routes.

`streamlit run app.py` finds the module-level ``app = st.App(...)`` below and
serves it with uvicorn, importing this file as the module ``app``: that import
registers how to build the services and adds ``GET /healthz``,
``POST /webhooks/stripe`` and the login cookie's ``/session/login`` and
``/session/logout`` to the same server. Each browser session then runs
this same file as ``__main__``: log in, register the role's pages
(``st.navigation`` on every run, hidden while logged out so deep links keep
their target), draw the sidebar, run the page.

With no ``STRIPE_API_KEY`` the embedded Stripe emulator is started (state in
``<data dir>/emulator.sqlite3``) and demo data is loaded on its very first start.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import streamlit as st

from services.core.errors import ConfigurationError, DashboardError
from ui import config, http_routes, login_cookie, runtime

if TYPE_CHECKING:
    from services.container import Services

LOG = logging.getLogger("dashboard")


def start_embedded_emulator() -> tuple[str, bool]:
    """Start the in-process Stripe emulator; return its URL and whether it is brand new."""
    from stripe_emulator.embedded import start_emulator  # the one emulator import in the UI

    db_path = config.data_dir() / "emulator.sqlite3"
    first_start = not db_path.exists()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    emulator = start_emulator(db_path)
    return emulator.base_url, first_start


def load_demo_data(services: Services) -> None:
    """Fill a brand-new emulator with demo data (skipped with LOAD_DEMO_DATA=0)."""
    if os.environ.get("LOAD_DEMO_DATA", "1").strip().lower() in {"0", "false", "no"}:
        return
    from services.demo import loader as demo_data  # only needed on a first emulator start

    print("== First start: loading the demo book into the embedded Stripe emulator "
          "(customers, products, invoices; about half a minute) ==", flush=True)
    summary = demo_data.load_demo_data(services)
    print(f"== Demo data loaded: {summary.customers} customers, {summary.products} products, "
          f"{summary.invoices} invoices ==", flush=True)


def build_dashboard_services() -> Services:
    """Build the services once per process, starting the embedded emulator when needed.

    In emulator mode the dashboard's own ``/webhooks/stripe`` is registered with the
    emulator (so payment events arrive signed, as from Stripe) before the demo data
    of a brand-new emulator is loaded.
    """
    from services.container import build_services
    from services.core.settings import Settings

    settings = Settings.from_mapping(config.settings_mapping())
    embedded = settings.needs_embedded_emulator
    first_start = False
    if embedded:
        api_base, first_start = start_embedded_emulator()
        settings = settings.with_emulator(api_base)
    services = build_services(settings)
    if embedded:
        port = st.get_option("server.port")
        services.events.use_emulator_endpoint(f"http://127.0.0.1:{port}/webhooks/stripe")
    if first_start:
        load_demo_data(services)
    return services


def run_dashboard() -> None:
    """One script run: login, role-filtered navigation, sidebar, the page (its cached views
    first cleared if Stripe's events changed the read model since the last run)."""
    from ui import auth, gate, layout, navigation, read_model_watch

    st.set_page_config(page_title="Invoicing", page_icon=":material/receipt_long:", layout="wide")
    runtime.install_services_factory(build_dashboard_services)
    login = auth.authenticate()
    page = navigation.build_navigation(login.user.role if login.user else None)
    if login.user is None:
        auth.show_login_form(login)
    layout.sidebar(login.user)
    layout.show_flashes()
    with gate.entered(login.user):
        if login.user is not None:
            read_model_watch.note_changes()
        try:
            page.run()
        except DashboardError as err:  # an error no page handled: still say it in words
            st.error(str(err), icon=":material/error:")


def _server_routes() -> list[Any]:
    """GET /healthz, POST /webhooks/stripe and the login cookie's GET /session/login and
    GET /session/logout, served next to the dashboard."""
    return [
        http_routes.health_route(lambda: runtime.services().health),
        http_routes.webhook_route(lambda: runtime.services().events),
        *http_routes.login_cookie_routes(runtime.login_setup, login_cookie.login_tickets),
    ]


def _warm_caches(backfill: threading.Thread) -> None:
    from ui import warm_up

    warm_up.import_page_libraries()
    backfill.join(timeout=600)  # warm with the whole book, not a half-copied one
    try:
        warm_up.warm_default_views()
    except Exception:  # only a head start: the page loads (and reports errors) itself
        LOG.exception("could not pre-load the Invoices and Overview pages")


@asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    """Build the services at server start, so webhooks and the emulator are ready at once."""
    import anyio

    await anyio.to_thread.run_sync(runtime.login_setup)  # unsafe login setup: refuse to start
    try:
        services = await anyio.to_thread.run_sync(runtime.services)
        # The payment-event worker; with polling it also reads /v1/events (Stripe cannot
        # reach this dashboard).
        services.events.start_background(poll=services.settings.poll_events)
        # The read model: list what is not listed yet (own thread), then catch up with
        # Stripe's events every 10 minutes.
        backfill = services.upkeep.start()
        from ui.quiet_logs import WARM_UP_THREAD

        threading.Thread(
            target=_warm_caches, args=(backfill,), name=WARM_UP_THREAD, daemon=True
        ).start()
    except ConfigurationError:
        raise  # e.g. a live key without ALLOW_LIVE_MODE: refuse to start
    except Exception:  # e.g. Stripe unreachable: the pages say so in words
        LOG.exception("could not build the services at start-up")
    yield


if __name__ == "__main__":  # a browser session runs this file as the Streamlit script
    run_dashboard()
else:  # `streamlit run app.py` imports this module and serves `app` with uvicorn
    from ui.pages_folder import disable_pages_folder_fallback

    # Defence in depth: never fall back to running pages/x.py without this entrypoint
    # (each page file still passes the gate itself).
    disable_pages_folder_fallback()
    runtime.install_services_factory(build_dashboard_services)
    app = st.App("app.py", routes=_server_routes(), lifespan=_lifespan)
