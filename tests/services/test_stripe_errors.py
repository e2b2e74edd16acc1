"""Stripe exceptions become the project's errors: right class, field, retry flag, request id."""

from __future__ import annotations

import pytest
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
from services.core.stripe_errors import field_for_param, stripe_call, translate

HEADERS = {"request-id": "req_abc123"}


def _body(message: str, **extra: str) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error", **extra}}


def test_missing_object_is_not_found_naming_the_kind() -> None:
    exc = stripe.InvalidRequestError(
        "No such invoice: 'in_nope'", "id", "resource_missing", http_status=404,
        json_body=_body("No such invoice: 'in_nope'"), headers=HEADERS,
    )  # fmt: skip
    error = translate(exc)
    assert isinstance(error, NotFound)
    assert "no invoice in_nope" in str(error)
    assert error.request_id == "req_abc123"
    assert error.retryable is False


@pytest.mark.parametrize(
    ("param", "field"),
    [
        ("unit_amount", "amount"),
        ("email", "email"),
        ("pricing[price]", "price_id"),
        ("address[country]", "address"),
        ("days_until_due", "days_until_due"),
        ("metadata[po_number]", "po_number"),
        ("quantity", "quantity"),
    ],
)
def test_invalid_parameter_names_our_form_field(param: str, field: str) -> None:
    exc = stripe.InvalidRequestError(
        "Invalid integer: abc", param, "parameter_invalid_integer", http_status=400,
        json_body=_body("Invalid integer: abc"), headers=HEADERS,
    )  # fmt: skip
    error = translate(exc)
    assert isinstance(error, InvalidInput)
    assert error.field == field
    assert "Invalid integer: abc" in str(error)
    assert field_for_param(param)[0] == field


def test_state_refusal_without_param_is_not_allowed_in_state() -> None:
    message = "You can only pass in open invoices. This invoice isn't open."
    exc = stripe.InvalidRequestError(message, None, None, http_status=400, headers=HEADERS)
    error = translate(exc)
    assert isinstance(error, NotAllowedInState)
    assert str(error) == message


def test_card_decline_says_declined_and_why() -> None:
    exc = stripe.CardError(
        "Your card was declined.", None, "card_declined", http_status=402,
        json_body={"error": {"message": "Your card was declined.", "type": "card_error",
                             "code": "card_declined", "decline_code": "insufficient_funds"}},
        headers=HEADERS,
    )  # fmt: skip
    error = translate(exc)
    assert isinstance(error, CardDeclined)
    assert "declined (insufficient funds)" in str(error)
    assert error.retryable is False


@pytest.mark.parametrize(
    ("exc", "kind", "retryable"),
    [
        (stripe.APIConnectionError("connection refused"), StripeUnavailable, True),
        (stripe.APIError("boom", http_status=500, headers=HEADERS), StripeUnavailable, True),
        (stripe.APIError("conflict", http_status=409), StripeUnavailable, True),
        (stripe.RateLimitError("slow down", http_status=429), StripeUnavailable, True),
        (stripe.AuthenticationError("Invalid API Key provided"), ConfigurationError, False),
        (stripe.PermissionError("restricted", http_status=403), PermissionDenied, False),
        (stripe.IdempotencyError("Keys for idempotent requests"), DashboardError, False),
    ],
)
def test_other_failures_map_with_retry_flag(
    exc: stripe.StripeError, kind: type[DashboardError], retryable: bool
) -> None:
    error = translate(exc)
    assert type(error) is kind
    assert error.retryable is retryable
    assert "stripe." not in str(error)


def test_stripe_call_lets_no_stripe_exception_escape() -> None:
    def failing() -> None:
        raise stripe.APIConnectionError("down")

    with pytest.raises(StripeUnavailable) as caught:
        stripe_call(failing)
    assert isinstance(caught.value.__cause__, stripe.StripeError)
    assert stripe_call(lambda: 42) == 42
