"""The PDF of a finalized invoice, fetched by the dashboard for the user to download.

Stripe serves a finalized invoice's PDF at its ``invoice_pdf`` URL
(https://docs.stripe.com/api/invoices/object#invoice_object-invoice_pdf), on Stripe's
own hosts (``https://pay.stripe.com/...``), or, with the emulator, beside its API.
The URL is taken from the read model's copy of the invoice (never from the browser or
a form), fetched only from those hosts, with Stripe's HTTP client and timeouts, and
checked to be a PDF, so the page can offer the bytes with ``st.download_button``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import stripe

from services.core.errors import InvalidInput, NotFound, StripeUnavailable
from services.readmodel.invoice_detail import invoice_with_lines
from services.readmodel.sync import ReadModelSync

#: Seconds to connect / to read the PDF (a long invoice takes Stripe a moment to render).
TIMEOUT = (5.0, 60.0)
MAX_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class InvoicePdf:
    """A PDF to hand to the user: its file name and bytes."""

    file_name: str
    content: bytes


class InvoicePdfs:
    """Fetches finalized invoices' PDFs from Stripe (or the emulator at ``api_base``)."""

    def __init__(
        self,
        read_model: ReadModelSync,
        *,
        api_base: str | None = None,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self._read_model = read_model
        self._emulator = urlsplit(api_base).netloc if api_base else None
        self._http = http_client or stripe.RequestsClient(timeout=TIMEOUT)

    def allowed(self, url: str) -> bool:
        """Whether ``url`` is on Stripe's hosts over HTTPS, or on the emulator's host."""
        parts = urlsplit(url or "")
        host = parts.hostname or ""
        if parts.scheme == "https" and (host == "stripe.com" or host.endswith(".stripe.com")):
            return True
        return bool(self._emulator) and parts.netloc == self._emulator and \
            parts.scheme in ("http", "https")

    def download(self, invoice_id: str) -> InvoicePdf:
        """The PDF of finalized invoice ``invoice_id``, named after its number.

        :class:`NotFound` for an unknown invoice, :class:`InvalidInput` (field
        ``invoice_id``) for a draft or an invoice whose PDF is not on Stripe's hosts,
        :class:`StripeUnavailable` (retryable) when Stripe does not answer with a PDF.
        """
        invoice = invoice_with_lines(self._read_model, invoice_id)
        if invoice is None:
            raise NotFound(f"There is no invoice {invoice_id}.", field="invoice_id")
        if invoice.status == "draft" or not invoice.invoice_pdf:
            raise InvalidInput("A draft has no PDF yet: Stripe makes it when the invoice is "
                               "finalized.", field="invoice_id")
        if not self.allowed(invoice.invoice_pdf):
            raise InvalidInput("The invoice's PDF address is not on Stripe; it was not "
                               "fetched.", field="invoice_id")
        try:
            content, status, headers = self._http.request("get", invoice.invoice_pdf, {})
        except stripe.APIConnectionError as exc:
            raise StripeUnavailable("Stripe did not answer with the PDF; try again.",
                                    retryable=True) from exc
        kind = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        body = content if isinstance(content, bytes) else str(content).encode("latin-1")
        if status != 200 or "pdf" not in kind or not body.startswith(b"%PDF"):
            raise StripeUnavailable(f"Stripe answered {status} instead of the PDF; try again.",
                                    retryable=True)
        if len(body) > MAX_BYTES:
            raise StripeUnavailable("The PDF is larger than the dashboard hands out.")
        name = _SAFE_NAME.sub("-", invoice.number or invoice.id).strip("-") or invoice.id
        return InvoicePdf(f"Invoice-{name}.pdf", body)
