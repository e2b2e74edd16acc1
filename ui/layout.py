"""What every page shows around its content: the sidebar, flash toasts, "as of" captions.

- :func:`sidebar` — the user and role, the lookup box, logout (on every page).
- :func:`flash` — queue a success message that survives the rerun after a write;
  :func:`show_flashes` shows the queue as toasts (the gate calls it each run).
- :func:`as_of` — "As of hh:mm:ss" and how far Stripe's events are applied, with a
  Refresh button that catches up with Stripe's events and clears the view's caches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from services.core.clock import business_time
from services.core.errors import DashboardError
from ui import auth, navigation, runtime
from ui.text import plain

_FLASHES = "_ui_flashes"
LOOKUP_PAGE = "pages/lookup.py"
LOOKUP_PARAM = "q"


def flash(message: str, icon: str = ":material/check_circle:") -> None:
    """Queue a toast for the next run (use it in callbacks and before ``st.rerun()``).

    ``message`` is plain text (names, numbers and errors are shown as written, never
    as Markdown)."""
    st.session_state.setdefault(_FLASHES, []).append((plain(message), icon))


def show_flashes() -> None:
    """Show queued flash messages as toasts, once."""
    for message, icon in st.session_state.pop(_FLASHES, []):
        st.toast(message, icon=icon)


def _go_to_lookup(text: str) -> None:
    navigation.go(LOOKUP_PAGE, query_params={LOOKUP_PARAM: text})


def sidebar(user: auth.CurrentUser) -> None:
    """The sidebar of every page: who is logged in, the lookup box, logout."""
    with st.sidebar:
        st.markdown(f"**{plain(user.name)}**  \n"
                    f":gray[{plain(user.username)} · {user.role.value}]")
        if navigation.page_exists(LOOKUP_PAGE, user.role):
            with st.form("sidebar_lookup", border=False, enter_to_submit=True):
                text = st.text_input(
                    "Look up",
                    placeholder="Invoice number, id, email, name, amount",
                    key="sidebar_lookup_text",
                )
                if st.form_submit_button("Search", icon=":material/search:") and text.strip():
                    _go_to_lookup(text.strip())
        st.button(
            "Log out", key="sidebar_logout", on_click=auth.request_logout,
            icon=":material/logout:",
        )
        _unfinished_writes(user)


def _unfinished_writes(user: auth.CurrentUser) -> None:
    """Name the user's changes that never got Stripe's answer recorded (a crash)."""
    try:
        unfinished = runtime.services().intents.unfinished(user.username)
    except Exception:  # no services or no database: the page itself says so
        return
    for write in unfinished[:3]:
        reached = f" ({plain(write.object_id)})" if write.object_id else ""
        st.warning(
            f"Your change \"{plain(write.operation.replace('_', ' '))}\"{reached} of "
            f"{business_time(write.started_at):%Y-%m-%d %H:%M} did not finish. Submit the same "
            "form again to finish it (nothing is made twice), or check the object.",
            icon=":material/warning:",
        )


def as_of(loaded_at: datetime, *, refresh: Callable[[], None], key: str) -> None:
    """Say how fresh the data is, with a Refresh button that first applies Stripe's
    newest events to the read model, then reloads the view."""
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.caption(f"As of {loaded_at:%H:%M:%S}{_freshness_note()}")
    right.button(
        "Refresh", key=f"refresh_{key}", on_click=_refresh_from_stripe, args=(refresh,),
        icon=":material/refresh:", width="stretch",
    )
    if not _read_model_ready():
        st.warning(
            "Still copying the account from Stripe: lists and totals are incomplete until "
            "it finishes (progress on the Admin page).",
            icon=":material/hourglass_top:",
        )


def _freshness_note() -> str:
    try:
        freshness = runtime.services().upkeep.freshness()
    except Exception:  # no services (a page test without Stripe): say nothing more
        return ""
    if freshness.last_event_at is None:
        return ""
    moment = business_time(datetime.fromtimestamp(freshness.last_event_at, tz=UTC))
    note = f" · Stripe events applied up to {moment:%Y-%m-%d %H:%M:%S}"
    if freshness.checked_at is not None and freshness.checked_at >= freshness.last_event_at + 60:
        # Nothing newer came since: say when Stripe was last asked, so a quiet hour does
        # not read as a stale copy.
        checked = business_time(datetime.fromtimestamp(freshness.checked_at, tz=UTC))
        note += f" (checked {checked:%H:%M:%S})"
    return note


def _read_model_ready() -> bool:
    try:
        services = runtime.services()
    except Exception:
        return True  # the page reports the missing services itself
    freshness = services.upkeep.freshness()
    return freshness.backfill_done or not freshness.objects


def _refresh_from_stripe(reload: Callable[[], None]) -> None:
    try:
        runtime.services().upkeep.catch_up()
    except DashboardError as err:
        flash(f"Could not read Stripe's newest events: {err}", icon=":material/error:")
    reload()
