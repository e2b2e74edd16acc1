"""How the read model reads Stripe: paced ``GET`` requests, list pages, invoice expansions.

Stripe allows 25 read requests a second in test mode and 100 live
(https://docs.stripe.com/rate-limits). :class:`PacedReader` keeps under that at
``requests_per_second`` (default 20) with pyrate-limiter, and retries a 429 with
exponential backoff (tenacity), so a burst never reaches the user as an error. Lists
are read 100 objects a request, Stripe's largest page, following ``starting_after``
(https://docs.stripe.com/api/pagination).

Nothing here writes to the app database: :mod:`services.readmodel.sync` and
:mod:`services.readmodel.backfill` store what is read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

import stripe
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate, SingleBucketFactory
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.core.errors import StripeUnavailable

PAGE_SIZE = 100
#: Where each kind is read (``/v1/<path>``).
PATHS = {"customer": "customers", "product": "products", "price": "prices",
         "invoice": "invoices", "tax_rate": "tax_rates", "coupon": "coupons",
         "credit_note": "credit_notes"}
#: Invoices are read with their payments and the coupon behind each discount amount.
INVOICE_EXPAND = ("payments", "total_discount_amounts.discount")
#: One invoice read alone also brings each payment's PaymentRecord (method, reference):
#: four levels, Stripe's deepest expansion, so a list (``data.`` more) cannot ask for it.
INVOICE_RETRIEVE_EXPAND = (*INVOICE_EXPAND, "payments.data.payment.payment_record")


class _RateLimited(Exception):
    """A 429 from Stripe, to be retried after a pause."""


class PacedReader:
    """Stripe ``GET`` requests through ``client``, at most ``requests_per_second`` a second.

    ``requests`` counts the requests sent (retries of a 429 included).
    """

    def __init__(self, client: stripe.StripeClient, *, requests_per_second: float = 20.0) -> None:
        self._client = client
        per_second = max(1, int(requests_per_second))
        # One bucket, emptied of past requests on each acquire instead of by pyrate-limiter's
        # leak thread: that thread (one per instance, never stopped) outlived every dashboard
        # process's services and every test that built some.
        self._bucket = InMemoryBucket([Rate(per_second, Duration.SECOND)])
        self._limiter = Limiter(SingleBucketFactory(self._bucket, schedule_leak=False))
        self._pacing = threading.Lock()
        self.requests = 0

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """``GET path`` (e.g. ``/v1/invoices/in_…``) with ``params``, Stripe's JSON as a dict.

        Paced under the rate limit; a 429 is retried up to 8 times with exponential
        backoff (0.5 s doubling, at most 8 s). Raises :class:`StripeUnavailable`
        (retryable) when Stripe still answers 429; any other Stripe error
        (``stripe.InvalidRequestError`` for a 404, ...) is raised as the SDK raised it.
        """
        try:
            return self._get_retrying(path, params)
        except _RateLimited as err:
            raise StripeUnavailable(
                "Stripe kept answering 'too many requests'; try again in a minute",
                retryable=True,
            ) from err

    @retry(
        retry=retry_if_exception_type(_RateLimited),
        wait=wait_exponential(multiplier=0.5, max=8),
        stop=stop_after_attempt(8),
        reraise=True,
    )
    def _get_retrying(self, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        with self._pacing:  # the bucket is not safe to leak while another thread adds to it
            self._bucket.leak(self._bucket.now())
            self._limiter.try_acquire("stripe-read")
        self.requests += 1
        try:
            return dict(self._client.raw_request("get", path, **params).data)
        except stripe.RateLimitError as err:
            raise _RateLimited(str(err)) from err

    def pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Every page of the list at ``path``: ``PAGE_SIZE`` objects a request, from
        ``params["starting_after"]`` when given (Stripe's list order: newest first).

        Yields each page's ``data`` (possibly empty at the end); errors as :meth:`get`.
        """
        cursor = params.get("starting_after")
        while True:
            query = {**params, "limit": PAGE_SIZE}
            if cursor:
                query["starting_after"] = cursor
            page = self.get(path, **query)
            rows = list(page.get("data") or [])
            yield rows
            if not page.get("has_more") or not rows:
                return
            cursor = rows[-1]["id"]

    def invoice_lines(self, invoice: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
        """All of ``invoice``'s lines (``GET /v1/invoices/:id/lines``), or None when the
        list embedded in the invoice is already complete (``lines.has_more`` false)."""
        embedded = invoice.get("lines") or {}
        if not embedded.get("has_more"):
            return None  # the embedded list is complete
        lines: list[Mapping[str, Any]] = []
        for page in self.pages(f"/v1/invoices/{invoice['id']}/lines", {}):
            lines.extend(page)
        return lines

    def newest_event(self) -> dict[str, Any] | None:
        """Stripe's newest event now (``GET /v1/events?limit=1``), or None when there is none."""
        page = self.get("/v1/events", limit=1)
        found = page.get("data") or []
        return dict(found[0]) if found else None

    def close(self) -> None:
        """Release the rate limiter (when the services are disposed); no thread is left."""
        self._limiter.close()
