"""Stripe's exceptions → the project's own errors, in a finance user's words.

:func:`translate` maps every ``stripe.StripeError`` to a
:class:`~services.core.errors.DashboardError` subclass that names the form field at
fault (Stripe's ``param`` mapped to our field names), says whether retrying may
help, and keeps Stripe's request id for the audit trail. :func:`stripe_call`
wraps one SDK call so no ``stripe`` exception escapes ``services/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import stripe

from services.core.errors import (
    CardDeclined,
    ConfigurationError,
    DashboardError,
    InvalidInput,
    NotAllowedInState,
    NotFound,
    PermissionDenied,
    StripeUnavailable,
)

T = TypeVar("T")

#: Stripe parameter → the name of our form field (and how to say it).
FIELD_BY_PARAM: dict[str, tuple[str, str]] = {
    "name": ("name", "Name"),
    "email": ("email", "Email"),
    "description": ("description", "Description"),
    "phone": ("phone", "Phone"),
    "address": ("address", "Address"),
    "unit_amount": ("amount", "Amount"),
    "unit_amount_decimal": ("amount", "Amount"),
    "amount": ("amount", "Amount"),
    "currency": ("currency", "Currency"),
    "recurring": ("recurring_interval", "Billing interval"),
    "nickname": ("nickname", "Price nickname"),
    "product": ("product_id", "Product"),
    "price": ("price_id", "Price"),
    "pricing": ("price_id", "Price"),
    "quantity": ("quantity", "Quantity"),
    "customer": ("customer_id", "Customer"),
    "invoice": ("invoice_id", "Invoice"),
    "id": ("object_id", "Id"),
    "days_until_due": ("days_until_due", "Days until due"),
    "due_date": ("days_until_due", "Due date"),
    "footer": ("footer", "Footer"),
    "metadata": ("po_number", "PO number"),
    "collection_method": ("collection_method", "Collection method"),
    "lines": ("items", "Invoice items"),
    "payment_method": ("payment_method", "Payment method"),
    "query": ("query", "Search"),
    "limit": ("limit", "Page size"),
    "starting_after": ("cursor", "Page"),
}

_OBJECT_WORDS = {
    "in_": "invoice",
    "cus_": "customer",
    "prod_": "product",
    "price_": "price",
    "ii_": "invoice item",
    "il_": "invoice line",
    "clock_": "test clock",
}
_STATE_CODES = frozenset({"invoice_not_editable", "status_transition_invalid"})
_NO_SUCH = re.compile(r"No such (?P<kind>[\w ]+?): '?(?P<id>[\w-]+)'?")


def field_for_param(param: str | None) -> tuple[str | None, str | None]:
    """Our form field name and its label for Stripe's ``param`` (``address[city]`` → address)."""
    if not param:
        return None, None
    root = re.split(r"[\[.]", param, maxsplit=1)[0]
    if param.startswith("metadata[") and "po_number" not in param:
        return "metadata", "Metadata"
    return FIELD_BY_PARAM.get(root, (root, root.replace("_", " ").capitalize()))


def translate(exc: stripe.StripeError) -> DashboardError:
    """The project's error for ``exc``, keeping Stripe's request id."""
    message = exc.user_message or "Stripe did not say why."
    request_id = exc.request_id
    param = getattr(exc, "param", None)
    code = exc.code
    field, label = field_for_param(param)

    if isinstance(exc, stripe.CardError):
        decline = getattr(exc.error, "decline_code", None) if exc.error else None
        why = f" ({decline.replace('_', ' ')})" if decline else ""
        return CardDeclined(
            f"The customer's payment method was declined{why}: {message}",
            field="payment_method",
            retryable=False,
            request_id=request_id,
        )
    if isinstance(exc, stripe.IdempotencyError):
        return DashboardError(
            "This form was already submitted with different values. "
            "Open a fresh form to submit these values.",
            field="form_nonce",
            retryable=False,
            request_id=request_id,
        )
    if isinstance(exc, stripe.InvalidRequestError):
        return _invalid_request(exc, message, code, field, label, request_id)
    if isinstance(exc, stripe.AuthenticationError):
        return ConfigurationError(
            "Stripe refused the API key (STRIPE_API_KEY): check that it is current "
            "and belongs to this account.",
            field="STRIPE_API_KEY",
            request_id=request_id,
        )
    if isinstance(exc, stripe.PermissionError):
        return PermissionDenied(
            "The Stripe key the dashboard uses is not allowed to do this "
            f"(a restricted key without this permission): {message}",
            request_id=request_id,
        )
    if isinstance(exc, stripe.RateLimitError):
        return StripeUnavailable(
            "Stripe is receiving too many requests right now. Wait a moment and try again.",
            retryable=True,
            request_id=request_id,
        )
    if isinstance(exc, stripe.APIConnectionError):
        return StripeUnavailable(
            "Stripe could not be reached (network problem or time-out). "
            "Nothing was lost: try again.",
            retryable=True,
            request_id=request_id,
        )
    if isinstance(exc, stripe.APIError):
        status = exc.http_status or 0
        return StripeUnavailable(
            f"Stripe had a problem answering (HTTP {status}). Try again in a moment.",
            retryable=status == 409 or status >= 500 or status == 0,
            request_id=request_id,
        )
    return DashboardError(
        f"Stripe refused the request: {message}", retryable=False, request_id=request_id
    )


def stripe_call(call: Callable[[], T]) -> T:
    """Run one SDK call, turning any Stripe exception into a :class:`DashboardError`."""
    try:
        return call()
    except stripe.StripeError as exc:
        raise translate(exc) from exc


def request_id_of(obj: object) -> str | None:
    """Stripe's request id for the response ``obj`` came from (``req_…``), if known."""
    response = getattr(obj, "last_response", None)
    return getattr(response, "request_id", None) if response is not None else None


def _invalid_request(
    exc: stripe.StripeError,
    message: str,
    code: str | None,
    field: str | None,
    label: str | None,
    request_id: str | None,
) -> DashboardError:
    if code == "resource_missing" or exc.http_status == 404:
        return NotFound(_not_found_words(message), field=field, request_id=request_id)
    if code in _STATE_CODES or (field is None and not code):
        return NotAllowedInState(message, request_id=request_id)
    if label:
        return InvalidInput(f"{label}: {message}", field=field, request_id=request_id)
    return InvalidInput(message, request_id=request_id)


def _not_found_words(message: str) -> str:
    found = _NO_SUCH.search(message)
    if found is None:
        return f"Not found in Stripe: {message}"
    object_id = found.group("id")
    kind = next(
        (word for prefix, word in _OBJECT_WORDS.items() if object_id.startswith(prefix)),
        found.group("kind"),
    )
    return f"There is no {kind} {object_id} in Stripe (it may have been deleted or mistyped)."
