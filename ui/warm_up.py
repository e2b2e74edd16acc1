"""Start-up warm-up: import the libraries pages load late, fill the caches the Overview,
Invoices, Overdue & aging and Cash received pages read first.

``app.py`` runs both from a plain background thread at server start (no browser
session): :func:`import_page_libraries` at once, :func:`warm_default_views` once the
read model is filled, so the first person to open those pages waits neither for an
import nor for the database. Each step is tried on its own: a failure only costs that
head start (the page then loads, and reports errors, itself).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import timedelta

from services.reporting.invoice_list import NEWEST_FIRST
from services.reporting.receivables import InvoiceFilters
from ui import debtors_table, read_model_watch, reads, report_reads
from ui.cash_received import DEFAULT_DAYS, DEFAULT_GRAIN
from ui.invoice_filters import DEFAULT_PAGE_SIZE
from ui.quiet_logs import quiet_streamlit_context_warnings

LOG = logging.getLogger(__name__)

#: Modules a page imports on its first view, slow to import (seconds on a busy 2-core
#: server, measured by profiling each page's first script run): the PDF library behind
#: statements (fpdf2 with fontTools, 0.5 s) and the Excel writer behind every Excel
#: export (openpyxl, which pandas imports on the first .xlsx made, 0.2 s).
PAGE_LIBRARIES = ("services.reporting.statement_pdf", "openpyxl")


def import_page_libraries() -> None:
    """Import :data:`PAGE_LIBRARIES` now, so no page view pays for it (a module that fails to
    import is logged; the page then reports it itself)."""
    for name in PAGE_LIBRARIES:
        try:
            importlib.import_module(name)
        except Exception:
            LOG.warning("could not import %s ahead of the pages", name, exc_info=True)


def _newest_invoices() -> object:
    # The same arguments as the Invoices page's first read, so it finds this entry.
    return reads.invoice_list_page(InvoiceFilters(as_of=reads.today()), NEWEST_FIRST, 1,
                                   DEFAULT_PAGE_SIZE)


def _overview() -> object:
    return reads.overview(reads.today())


def _cash_received() -> object:
    day = reads.today()
    return report_reads.cash_received(day - timedelta(days=DEFAULT_DAYS - 1), day,
                                      DEFAULT_GRAIN)


def _overdue() -> object:
    debtors_table.warm_default_view(reads.today())
    return None


def warm_default_views() -> None:
    """Load the customers, the Invoices page's newest rows, the Overview, and the Overdue &
    aging and Cash received pages' first views into the caches."""
    quiet_streamlit_context_warnings()
    read_model_watch.note_changes()  # what is warmed is of this copy: no page clears it
    views: tuple[tuple[str, Callable[[], object]], ...] = (
        ("customers", reads.customers_table),
        ("newest invoices", _newest_invoices),
        ("overview", _overview),
        ("overdue", _overdue),
        ("cash received", _cash_received),
    )
    for name, load in views:
        try:
            load()
        except Exception:  # e.g. Stripe unreachable
            LOG.warning("could not pre-load the %s view", name, exc_info=True)
