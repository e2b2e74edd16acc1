"""The project's own errors: what went wrong, in words a finance user understands.

Services never let a ``stripe`` exception escape; they translate it into one of
these (see :mod:`services.core.stripe_errors`). Each error says which form field is
at fault (``field``, or ``None``) and whether trying again may help
(``retryable``).
"""

from __future__ import annotations


class DashboardError(Exception):
    """Base of every error a page may show to the user.

    ``resumable`` is set when part of the write had already reached Stripe (a draft
    made, then an item refused): submitting the same form again, with the same
    idempotency keys, finishes it without doubling anything, so the form keeps its
    nonce. ``retryable`` errors (Stripe unreachable) keep it too: the request may have
    been carried out, and only the same key makes the retry safe.
    """

    retryable: bool = False
    resumable: bool = False

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        retryable: bool | None = None,
        request_id: str | None = None,
        resumable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.request_id = request_id
        if retryable is not None:
            self.retryable = retryable
        if resumable is not None:
            self.resumable = resumable

    def __str__(self) -> str:
        return self.message


class InvalidInput(DashboardError):
    """A value the user typed (or chose) cannot be accepted; ``field`` names it."""


class NotFound(DashboardError):
    """The invoice, customer, product or price does not exist (or was deleted)."""


class NotAllowedInState(DashboardError):
    """The object's current status forbids the action (e.g. voiding a paid invoice)."""


class PermissionDenied(DashboardError):
    """The user's role may not perform the action."""


class CardDeclined(DashboardError):
    """The customer's payment method was declined."""


class StripeUnavailable(DashboardError):
    """Stripe (or the emulator) could not be reached or answered with a server error."""

    retryable = True


class ConfigurationError(DashboardError):
    """The dashboard's settings are unsafe or incomplete (e.g. a live key not allowed)."""
