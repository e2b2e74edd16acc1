"""The Admin page's read-model panel: how much of Stripe is copied, how fresh, and drift.

Buttons: catch up with Stripe's events now; copy everything again (in the
background, resumable); reconcile counts and sums with a fresh list from Stripe.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import streamlit as st

from services.container import Services
from services.core.clock import business_time
from services.core.errors import DashboardError
from services.readmodel.copy_counts import copied_objects
from services.readmodel.reconcile import reconcile
from ui.formatting import count_of
from ui.layout import flash

_RECONCILED = "_read_model_reconciliation"
_RELIST_THREAD = "read-model-relist"
KINDS = {"product": "Products", "price": "Prices", "customer": "Customers",
         "invoice": "Invoices"}


def _when(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    return f"{business_time(datetime.fromtimestamp(seconds, tz=UTC)):%Y-%m-%d %H:%M:%S}"


def _catch_up(services: Services) -> None:
    try:
        applied = services.upkeep.catch_up()
    except DashboardError as err:
        flash(f"Could not read Stripe's events: {err}", icon=":material/error:")
        return
    flash(f"Caught up with Stripe: {count_of(applied, 'new event')} applied.")


def _relist(services: Services) -> None:
    if any(thread.name == _RELIST_THREAD for thread in threading.enumerate()):
        flash("Copying from Stripe is already running.", icon=":material/info:")
        return
    services.read_model.restart_backfill()
    threading.Thread(target=services.upkeep.backfill, name=_RELIST_THREAD, daemon=True).start()
    flash("Copying everything from Stripe again, in the background.")


def _reconcile(services: Services) -> None:
    try:
        st.session_state[_RECONCILED] = (datetime.now(UTC),
                                         reconcile(services.read_model, services.engine))
    except DashboardError as err:
        flash(f"Could not list Stripe's invoices: {err}", icon=":material/error:")


def read_model_panel(services: Services) -> None:
    """The panel, drawn where it is called."""
    freshness = services.upkeep.freshness()
    left, middle, right = st.columns(3)
    left.metric("Copy from Stripe", "Complete" if freshness.backfill_done else "In progress")
    middle.metric("Newest Stripe event applied", _when(freshness.last_event_at))
    right.metric("Last checked", _when(freshness.checked_at))
    present = copied_objects(services.engine)  # counted now: follows every write
    copied = [present.get(kind, 0) for kind in KINDS]
    st.dataframe({"Object": list(KINDS.values()), "Copied": copied}, hide_index=True,
                 key="admin_read_model_counts", placeholder="")
    if not freshness.backfill_done:
        total = max(1, sum(freshness.objects.get(kind, 0) for kind in KINDS))
        st.progress(min(1.0, freshness.objects.get("invoice", 0) / total),
                    text="Copying from Stripe… (reload to see progress)")
    one, two, three = st.columns(3)
    one.button("Catch up now", key="admin_catch_up", on_click=_catch_up, args=(services,),
               icon=":material/sync:")
    two.button("Reconcile with Stripe", key="admin_reconcile", on_click=_reconcile,
               args=(services,), icon=":material/balance:",
               help="Lists every invoice from Stripe (one request per 100) and compares "
                    "counts and sums per status and currency")
    three.button("Copy everything again", key="admin_relist", on_click=_relist,
                 args=(services,), icon=":material/restart_alt:")
    reconciled = st.session_state.get(_RECONCILED)
    if reconciled is not None:
        when, table = reconciled
        drift = int(table["drift"].sum()) if not table.empty else 0
        differ = (f"{count_of(drift, 'status/currency row')} "
                  f"{'differs' if drift == 1 else 'differ'}")
        message = (f"Reconciled at {business_time(when):%H:%M:%S}: "
                   f"{'no drift' if drift == 0 else differ}")
        (st.success if drift == 0 else st.error)(message)
        st.dataframe(table, hide_index=True, key="admin_reconciliation", placeholder="")
