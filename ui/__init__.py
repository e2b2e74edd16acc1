"""The dashboard's shared Streamlit pieces: login and gate, navigation, caching and reads,
tables, forms, dialogs and the invoice pages' parts (see ui/README.md)."""

from ui.quiet_logs import quiet_streamlit_context_warnings

quiet_streamlit_context_warnings()  # before any ui module defines a cached read
