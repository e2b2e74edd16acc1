"""A minimal page behind the real gate, for testing the gate without any service."""

import streamlit as st

from services.core.access import Action
from ui.gate import require_page

user = require_page(Action.VIEW_AUDIT_LOG)
st.header("Gated content")
st.write(f"Hello {user.username}, role {user.role.value}")
