"""The cached reads of the money-in reports: Cash received and customer statements.

Each is a :func:`ui.caching.cached_view` filed under the invoice and report areas (a
payment recorded or a credit note issued changes them), built on the read model through
the services (``services.reporting.cash_received``, ``services.reporting.statement``):
no Stripe request.
"""

from __future__ import annotations

from datetime import date

from services.reporting.cash_received import CashReceived, CashReceivedReport
from services.reporting.statement import CustomerStatement, StatementReport
from ui import runtime
from ui.caching import cached_view


@cached_view("invoices", "reports", ttl="3m", spinner="Adding up the cash received…")
def cash_received(start: date, end: date, grain: str) -> CashReceived:
    """Money received from ``start`` to ``end`` by ``grain`` (day, week, month)."""
    return CashReceivedReport(runtime.services().engine).report(start, end, grain)


@cached_view("invoices", "customers", "reports", ttl="3m", spinner="Making the statement…")
def statement(customer_id: str, start: date, end: date) -> CustomerStatement:
    """One customer's statement for the days ``start``..``end``."""
    return StatementReport(runtime.services().engine).statement(customer_id, start, end)
