"""``Stripe-Signature`` headers as stripe-python's ``Webhook.construct_event`` verifies them.

Signature = hex HMAC-SHA256 keyed with the endpoint secret (``whsec_…``
included, UTF-8) over ``"{timestamp}.{payload}"``; header ``t=…,v1=…``.
"""

from __future__ import annotations

import hashlib
import hmac


def compute_signature(payload: str, secret: str, timestamp: int) -> str:
    message = f"{timestamp}.{payload}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_header(payload: str, secret: str, timestamp: int) -> str:
    """The value of the ``Stripe-Signature`` header for ``payload``."""
    return f"t={timestamp},v1={compute_signature(payload, secret, timestamp)}"
