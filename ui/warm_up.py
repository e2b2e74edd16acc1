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
from ui.quiet_logs import quiet_streamlit_context_warnings

LOG = logging.getLogger(__name__)
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
