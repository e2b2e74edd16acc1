"""The Admin page's read-model panel: how much of Stripe is copied, how fresh, and drift.

Buttons: catch up with Stripe's events now (what it did stays written under the
buttons, besides a toast); copy everything again (in the background, resumable);
reconcile counts and sums with a fresh list from Stripe, shown with finance labels and
amounts in each row's currency (numbers in the CSV/Excel).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from services.container import Services
from services.core.clock import business_time
from services.core.errors import DashboardError
from services.readmodel.copy_counts import copied_objects
from services.readmodel.reconcile import reconcile
from ui import tables
from ui.formatting import count_of, status_label
from ui.layout import flash
from ui.text import plain

log = logging.getLogger(__name__)

_RECONCILED = "_read_model_reconciliation"
_CAUGHT_UP = "_read_model_catch_up"  # (when, kind, what was done): shown under the buttons
_SAID = {"success": st.success, "error": st.error, "info": st.info}
_RELIST_THREAD = "read-model-relist"
KINDS = {"product": "Products", "price": "Prices", "customer": "Customers",
         "invoice": "Invoices"}


def _when(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    return f"{business_time(datetime.fromtimestamp(seconds, tz=UTC)):%Y-%m-%d %H:%M:%S}"


def _catch_up(services: Services) -> None:
    """"Catch up now": apply Stripe's newest events; say what was done, or why not."""
    try:
        applied = services.upkeep.catch_up()
    except DashboardError as err:
        _said("error", f"Could not read Stripe's events: {err}", ":material/error:")
        return
    except Exception as err:  # an unexpected failure still says what happened, in words
        log.exception("catching up with Stripe's events failed")
        _said("error", f"Could not catch up with Stripe: {type(err).__name__}: {err}",
              ":material/error:")
        return
    if not applied and not services.upkeep.freshness().backfill_done:
        _said("info", "Not caught up yet: the first copy from Stripe is still running, and "
                     "applies Stripe's newest events itself when it ends.", ":material/info:")
        return
    _said("success", f"Caught up with Stripe: {count_of(applied, 'new event')} applied.",
          ":material/check_circle:")


def _said(kind: str, message: str, icon: str) -> None:
    """A toast now, and the same words kept under the buttons until the next click."""
    flash(message, icon=icon)
    st.session_state[_CAUGHT_UP] = (datetime.now(UTC), kind, message)


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
    middle.metric("Newest Stripe event applied", _when(freshness.last_event_at),
                  help="When the newest event Stripe sent, by webhook or read by a catch-up, "
                       "was applied to the local copy")
    right.metric("Last checked", _when(freshness.checked_at),
                 help="When Stripe's events were last applied or read (a catch-up runs "
                      "every 10 minutes, on Refresh and on Catch up now)")
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
    caught_up = st.session_state.get(_CAUGHT_UP)
    if caught_up is not None:
        when, kind, said = caught_up
        _SAID[kind](plain(f"{business_time(when):%H:%M:%S} · {said}"))
    reconciled = st.session_state.get(_RECONCILED)
    if reconciled is not None:
        when, table = reconciled
        drift = int(table["drift"].sum()) if not table.empty else 0
        differ = (f"{count_of(drift, 'status/currency row')} "
                  f"{'differs' if drift == 1 else 'differ'}")
        message = (f"Reconciled at {business_time(when):%H:%M:%S}: "
                   f"{'no drift' if drift == 0 else differ}")
        (st.success if drift == 0 else st.error)(message)
        shown = reconciliation_shown(table)
        st.dataframe(shown, hide_index=True, key="admin_reconciliation", placeholder="",
                     column_config={"Differs": st.column_config.CheckboxColumn("Differs")})
        tables.export_buttons(shown, "reconciliation", key="admin_reconciliation_export")


#: The reconciliation's amounts (minor units) and how finance reads them.
RECONCILED_AMOUNTS = {
    "stripe_total": "Total (Stripe)",
    "local_total": "Total (dashboard)",
    "stripe_remaining": "Amount remaining (Stripe)",
    "local_remaining": "Amount remaining (dashboard)",
    "stored_remaining": "Amount remaining (list totals)",
}
#: Every column shown, in order (label of each of :data:`services.readmodel.reconcile.COLUMNS`).
RECONCILED_LABELS = {
    "status": "Status", "currency": "Currency",
    "stripe_count": "Invoices (Stripe)", "local_count": "Invoices (dashboard)",
    "stripe_total": "Total (Stripe)", "local_total": "Total (dashboard)",
    "stripe_remaining": "Amount remaining (Stripe)",
    "local_remaining": "Amount remaining (dashboard)",
    "stored_count": "Invoices (list totals)",
    "stored_remaining": "Amount remaining (list totals)",
    "drift": "Differs",
}  # fmt: skip


def reconciliation_shown(table: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation (:func:`services.readmodel.reconcile.reconcile`) as finance reads
    it: labelled columns, statuses in words, currency codes in capitals, amounts in each
    row's currency (:class:`ui.exports.MoneyText`: numbers in the CSV/Excel)."""
    shown = tables.with_money(table, RECONCILED_AMOUNTS)
    shown = shown.drop(columns=list(RECONCILED_AMOUNTS))  # their formatted copies stay
    shown["status"] = [status_label(str(status)) for status in shown["status"]]
    shown["currency"] = shown["currency"].str.upper()
    shown = shown.rename(columns={name: label for name, label in RECONCILED_LABELS.items()
                                  if name not in RECONCILED_AMOUNTS})
    return shown[list(RECONCILED_LABELS.values())].reset_index(drop=True)
