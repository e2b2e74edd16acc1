"""Start-up warm-up: fill the caches the Invoices and Overview pages read first.

``app.py`` runs :func:`warm_default_views` from a plain background thread at
server start (no browser session), so the first person to open those pages
does not wait for Stripe. Each view is tried on its own: a failure only costs
that head start (the page then loads, and reports errors, itself).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from services.reporting.invoice_list import NEWEST_FIRST
from services.reporting.receivables import InvoiceFilters
from ui import reads
from ui.invoice_filters import DEFAULT_PAGE_SIZE

LOG = logging.getLogger(__name__)
#: The thread app.py runs :func:`warm_default_views` in.
WARM_UP_THREAD = "warm-caches"
#: Streamlit warns on every cached call made outside a browser session; the server's own
#: start-up threads (its main thread, AnyIO's workers running the lifespan, the warm-up)
#: do that on purpose, and the warnings alarm whoever reads the server's log.
_STREAMLIT_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


class _WarmUpContextWarnings(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warnings of the server's start-up
    threads only (a browser session's script thread still warns)."""

    def filter(self, record: logging.LogRecord) -> bool:
        starting = record.threadName in (WARM_UP_THREAD, "MainThread") or str(
            record.threadName).startswith("AnyIO worker thread")
        return not (starting and "missing ScriptRunContext" in record.getMessage())


def quiet_streamlit_context_warnings() -> None:
    """Install the filter once (idempotent)."""
    logger = logging.getLogger(_STREAMLIT_CONTEXT_LOGGER)
    if not any(isinstance(f, _WarmUpContextWarnings) for f in logger.filters):
        logger.addFilter(_WarmUpContextWarnings())


def _newest_invoices() -> object:
    # The same arguments as the Invoices page's first read, so it finds this entry.
    return reads.invoice_list_page(InvoiceFilters(as_of=reads.today()), NEWEST_FIRST, 1,
                                   DEFAULT_PAGE_SIZE)


def _overview() -> object:
    return reads.overview(reads.today())


def warm_default_views() -> None:
    """Load the customers, the Invoices page's newest rows and the Overview into the caches."""
    quiet_streamlit_context_warnings()
    views: tuple[tuple[str, Callable[[], object]], ...] = (
        ("customers", reads.customers_table),
        ("newest invoices", _newest_invoices),
        ("overview", _overview),
    )
    for name, load in views:
        try:
            load()
        except Exception:  # e.g. Stripe unreachable
            LOG.warning("could not pre-load the %s view", name, exc_info=True)
