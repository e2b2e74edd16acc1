"""Quiet, for the server's log, the Streamlit warnings that are expected here.

Streamlit warns "missing ScriptRunContext" on every cached read made outside a browser
session. The dashboard server does that on purpose while it starts (module imports in
its main thread, the lifespan in AnyIO's worker threads, the cache warm-up thread), and
a finance user reading the log took the warnings for errors. Only those threads are
filtered: a browser session's script thread still warns. Installed when the ``ui``
package is first imported, before any module that defines a cached read.
"""

from __future__ import annotations

import logging

#: The thread app.py runs :func:`warm_default_views` in.
WARM_UP_THREAD = "warm-caches"
#: Streamlit warns on every cached call made outside a browser session; the server's own
#: start-up threads (its main thread, AnyIO's workers running the lifespan, the warm-up)
#: do that on purpose, and the warnings alarm whoever reads the server's log.
_STREAMLIT_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


class _StartUpContextWarnings(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warnings of the server's start-up
    threads only (a browser session's script thread still warns)."""

    def filter(self, record: logging.LogRecord) -> bool:
        starting = record.threadName in (WARM_UP_THREAD, "MainThread") or str(
            record.threadName).startswith("AnyIO worker thread")
        return not (starting and "missing ScriptRunContext" in record.getMessage())


def quiet_streamlit_context_warnings() -> None:
    """Install the filter once (idempotent)."""
    logger = logging.getLogger(_STREAMLIT_CONTEXT_LOGGER)
    if not any(isinstance(f, _StartUpContextWarnings) for f in logger.filters):
        logger.addFilter(_StartUpContextWarnings())
