"""Keep Streamlit from running ``pages/x.py`` without ``app.py`` (its old ``pages/`` discovery).

While a top-level ``pages/`` folder sits next to the entrypoint and no session has
called ``st.navigation`` yet, Streamlit 1.67 serves ``/x`` by running
``pages/x.py`` on its own, without the entrypoint (streamlit-notes §1.2). Streamlit
has no public switch for this: ``client.showSidebarNavigation`` only hides the
menu, and ``st.navigation`` clears the flag only once some session has run it. So
this module sets the process-wide class attribute that decides it,
``PagesManager.uses_pages_directory``, and refuses to pretend when a Streamlit
upgrade removes it (``tests/ui/test_pages_folder.py`` checks the same). This is
defence in depth: every page file still passes the gate itself (:mod:`ui.gate`).
"""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager


def disable_pages_folder_fallback() -> None:
    """From now on, never run a page file without ``app.py`` (call once at server start)."""
    if "uses_pages_directory" not in vars(PagesManager):
        raise RuntimeError(
            "streamlit.runtime.pages_manager.PagesManager.uses_pages_directory no longer exists: "
            "check how this Streamlit version falls back to the pages/ folder "
            "(ui/pages_folder.py)"
        )
    PagesManager.uses_pages_directory = False
