"""Admin: which Stripe the dashboard talks to, the local copy, payment events, the audit log."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from services.core.access import Action
from services.core.clock import business_time
from ui import reads, runtime, tables
from ui.formatting import count_of
from ui.gate import require_page
from ui.layout import as_of
from ui.login_admin import login_throttles_panel
from ui.read_model_panel import read_model_panel
from ui.reads import read_or_stop
from ui.ready_downloads import version_of

WEBHOOK_PATH = "/webhooks/stripe"
ANY = "Anyone / anything"

user = require_page(Action.MANAGE_SETTINGS)  # admins only
services = runtime.services()
st.title("Admin")
as_of(business_time(datetime.now(UTC)), refresh=lambda: None, key="admin")

# -- connection ---------------------------------------------------------------------------
st.subheader("Connection to Stripe")
info = read_or_stop(services.connection.describe, what="the connection")
colour = {"emulator": "blue", "test": "orange", "live": "red"}.get(info.mode.value, "gray")
st.markdown(f":{colour}-badge[{info.mode.label}]")
st.dataframe(
    {
        "Setting": ["Mode", "Stripe account", "API address", "API version", "Key"],
        "Value": [info.mode.value, info.account_name or "(not reported)", info.api_base,
                  info.api_version, info.key_hint],
    },
    hide_index=True, key="admin_connection", placeholder="",
)

# -- read model -----------------------------------------------------------------------------
st.subheader("Local copy of Stripe (what every view reads)")
read_model_panel(services)

# -- webhook ------------------------------------------------------------------------------
st.subheader("Payment events (webhook)")
events = services.events
if events is None:
    st.warning("Payment events are not configured: nothing answers Stripe's events yet.",
               icon=":material/notifications_off:")
else:
    received = read_or_stop(events.activity, 500, what="the payment events")
    signed = bool(getattr(events, "webhook_secret", None))
    last = received["received_at"].max() if not received.empty else None
    failed = int((received["outcome"] == "failed").sum()) if not received.empty else 0
    left, middle, right = st.columns(3)
    left.metric("Signature check", "On" if signed else "Off",
                help=f"POST {WEBHOOK_PATH} verifies Stripe-Signature with the webhook secret")
    middle.metric("Last event received",  # stored in UTC; shown in the business zone
                  "never" if last is None else f"{business_time(last):%Y-%m-%d %H:%M:%S}")
    right.metric("Events whose handling failed", failed, help="Among the last 500 events")
    if not signed:
        st.warning("No webhook secret is set (STRIPE_WEBHOOK_SECRET): events cannot be "
                   "verified, so none are accepted.")

# -- logins: failed attempts, waits, "Lift" (ui/login_admin.py) ---------------------------
login_throttles_panel(user.actor)

# -- audit log ----------------------------------------------------------------------------
st.subheader("Audit log")
people, actions = read_or_stop(reads.audit_choices, what="the audit log").value
by_object, by_user, by_action, by_since = st.columns(4)
object_id = by_object.text_input("Object id", key="audit_object",
                                 placeholder="in_…, cus_…, prod_…").strip()
username = by_user.selectbox("User", [ANY, *people], key="audit_user")
action = by_action.selectbox("Action", [ANY, *actions], key="audit_action")
since_day = by_since.date_input("Since", value=reads.today() - timedelta(days=30),
                                key="audit_since", format="YYYY-MM-DD")
since = datetime.combine(since_day, time.min, tzinfo=UTC) if since_day else None
log = read_or_stop(
    lambda: services.audit.table(
        object_id=object_id or None, username=None if username == ANY else username,
        action=None if action == ANY else action, since=since,
    ),
    what="the audit log",
)
shown = log[["at", "username", "role", "action", "object_id", "outcome", "reason", "error",
             "stripe_request_id", "idempotency_key"]]
st.caption(f"{count_of(len(shown), 'entry', 'entries')}, newest first.")
st.dataframe(
    shown, key="admin_audit", hide_index=True, width="stretch",
    column_config={
        "at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
        "username": "User", "role": "Role", "action": "Action", "object_id": "Object",
        "outcome": "Outcome", "reason": "Reason", "error": "Error",
        "stripe_request_id": "Stripe request", "idempotency_key": "Idempotency key",
    }, placeholder="",
)
newest = int(log["id"].max()) if not log.empty else None  # a new entry: files made again
tables.export_buttons_or_prepare(
    shown, "audit-log", key="admin_audit_export", what="entries",
    version=version_of(object_id, username, action, since_day, len(shown), newest))
