"""The old way, for benches only: reports and lookup that read Stripe live on every call.

Before the read model (``services/readmodel``), every report page listed invoices from
Stripe through its list filters, and the lookup box asked Stripe's search API. That code,
recreated from git history so ``bench/read_model_bench.py`` can run both ways side by side
in one process, lives in two modules; nothing in the product imports either:

- :class:`LiveReports` (``bench.live_receivables``): ``services/reporting/receivables.py``
  as of commit ``2ee06c0`` (``invoices_table``, ``invoices_page``, ``overdue``, ``aging``,
  ``aging_rows``, ``kpis``), with the same filters and frames as today's ``Reports``.
- :class:`LiveLookup` (``bench.live_lookup``): ``services/reporting/lookup.py`` as of
  commit ``fd2c4f7`` with the customer searches of ``services/customers/records.py`` at
  that commit folded in; it returns today's ``LookupResult`` rows.

This module gathers both under the name the benches import.
"""

from __future__ import annotations

from bench.live_lookup import LiveLookup
from bench.live_receivables import LiveReports

__all__ = ["LiveLookup", "LiveReports"]
