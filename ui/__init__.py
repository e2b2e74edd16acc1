"""The dashboard's shared Streamlit pieces: login and gate, navigation, caching and reads,
tables, forms, dialogs and the invoice pages' parts (see ui/README.md)."""
