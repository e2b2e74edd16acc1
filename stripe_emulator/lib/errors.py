"""The one error hierarchy of the emulator and its single serialisation.

Every refusal anywhere in the emulator raises one of these classes; the HTTP
edge (``stripe_emulator.app``) turns it into Stripe's ``{"error": {...}}`` body
with the matching status in exactly one place (:func:`error_body`).
"""

from __future__ import annotations

from typing import Any

DOC_URL = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    """Base of every error the emulator answers with."""

    http_status = 500
    error_type = "api_error"
    #: Whether an idempotent request that failed with this error keeps its answer
    #: for replay. Stripe saves nothing when parameter validation fails.
    saved_for_idempotency = True

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: dict[str, Any] | None = None,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(message)
        #: Commit the unit of work's writes before answering with this error (a declined
        #: payment still records the attempt and its events, as Stripe does).
        self.keep_changes = keep_changes
        self.message = message
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.extra = dict(extra or {})


class InvalidRequestError(StripeError):
    """400: a request Stripe refuses (bad state, bad value...)."""

    http_status = 400
    error_type = "invalid_request_error"


class ParameterError(InvalidRequestError):
    """400: the parameters themselves failed validation (nothing is saved)."""

    saved_for_idempotency = False


class ResourceMissingError(InvalidRequestError):
    """404 ``resource_missing``: ``No such <object>: '<id>'``."""

    http_status = 404

    def __init__(self, object_name: str, object_id: str, *, param: str | None = "id") -> None:
        super().__init__(
            f"No such {object_name}: '{object_id}'", code="resource_missing", param=param
        )


class MissingReferenceError(InvalidRequestError):
    """400 ``resource_missing``: a *parameter* names an object that does not exist.

    Stripe answers 404 only for the object in the URL; an id given in the body or query
    (``customer=cus_x``, ``pricing[price]=…``) that names nothing is a bad request, with
    ``param`` naming the parameter.
    """

    def __init__(self, object_name: str, object_id: str, *, param: str) -> None:
        super().__init__(
            f"No such {object_name}: '{object_id}'", code="resource_missing", param=param
        )


class UnsupportedParameterError(ParameterError):
    """400: a parameter Stripe accepts but the emulator cannot emulate (never a silent no-op).

    Distinct from ``parameter_unknown``, which would claim Stripe does not know it.
    """

    def __init__(self, param: str, reason: str) -> None:
        super().__init__(
            f"Stripe accepts `{param}`, but the Stripe emulator does not support it: {reason}",
            param=param,
        )


class RouteNotFoundError(InvalidRequestError):
    """404 for an URL the emulator does not serve."""

    http_status = 404
    saved_for_idempotency = False

    def __init__(self, method: str, path: str) -> None:
        super().__init__(
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/."
        )


class AuthenticationError(StripeError):
    """401: no or bad API key (Stripe types it ``invalid_request_error``)."""

    http_status = 401
    error_type = "invalid_request_error"
    saved_for_idempotency = False


class CardError(StripeError):
    """402: a card was declined."""

    http_status = 402
    error_type = "card_error"


class IdempotencyError(StripeError):
    """400 ``idempotency_error``: a key reused with other parameters."""

    http_status = 400
    error_type = "idempotency_error"
    saved_for_idempotency = False


class ConflictError(StripeError):
    """409: e.g. the same idempotency key is still being processed."""

    http_status = 409
    error_type = "invalid_request_error"
    saved_for_idempotency = False


class RateLimitError(StripeError):
    """429 ``rate_limit``."""

    http_status = 429
    error_type = "invalid_request_error"
    saved_for_idempotency = False

    def __init__(self, message: str = "Too many requests hit the API too quickly.") -> None:
        super().__init__(message, code="rate_limit")


class ApiError(StripeError):
    """500: a fault inside the emulator."""

    http_status = 500
    error_type = "api_error"


def error_body(error: StripeError, request_id: str | None = None) -> dict[str, Any]:
    """Serialise ``error`` as Stripe's error envelope (the only place this is done)."""
    body: dict[str, Any] = {"type": error.error_type, "message": error.message}
    if error.code:
        body["code"] = error.code
        body["doc_url"] = DOC_URL + error.code.replace("_", "-")
    if error.param:
        body["param"] = error.param
    if error.decline_code:
        body["decline_code"] = error.decline_code
    if request_id:
        body["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
    body.update(error.extra)
    return {"error": body}
