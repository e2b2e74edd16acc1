"""The cached reads of the money-in reports: Cash received and customer statements.

Each is a :func:`ui.caching.cached_view` filed under the invoice and report areas (a
payment recorded or a credit note issued changes them), built on the read model through
the services (``services.reporting.cash_received``, ``services.reporting.statement``):
no Stripe request. Each keeps its report made ready to draw (amounts formatted, files'
rows and version), so that a page's reruns only draw it.
"""

from __future__ import annotations

from datetime import date

from services.reporting.cash_received import CashReceivedReport
from services.reporting.statement import StatementReport
from ui import runtime
from ui.caching import cached_view
from ui.cash_received import CashView
from ui.cash_received import prepared as cash_view
from ui.statement import StatementView
from ui.statement import prepared as statement_view


@cached_view("invoices", "reports", ttl="3m", spinner="Adding up the cash received…")
def cash_received(start: date, end: date, grain: str) -> CashView:
    """Money received from ``start`` to ``end`` by ``grain`` (day, week, month), ready to
    draw."""
    return cash_view(CashReceivedReport(runtime.services().engine).report(start, end, grain))


@cached_view("invoices", "customers", "reports", ttl="3m", spinner="Making the statement…")
def statement(customer_id: str, start: date, end: date) -> StatementView:
    """One customer's statement for the days ``start``..``end``, ready to draw."""
    return statement_view(StatementReport(runtime.services().engine).statement(
        customer_id, start, end))
