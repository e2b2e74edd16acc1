"""Stripe's limits on what the dashboard sends, in one place, checked before any write.

Stripe refuses a text longer than its field allows (``400 parameter_invalid``), and a
dashboard that cut texts to fit would keep less than the user typed without saying
so. Every form's service therefore checks its texts against these numbers first and
refuses, naming the field, before anything is created: :func:`services.core.text.clean_text`
takes ``max_length``, :func:`check_metadata` and :func:`check_custom_fields` the
structured ones. Nothing is ever truncated.

The numbers are Stripe's own: the ``maxLength`` of each parameter in Stripe's API
specification (https://github.com/stripe/openapi, API 2026-10-28.endive), as the
stripe-python 16.1 parameter docstrings state where they state one
(``stripe/params/_customer_create_params.py``: email "up to *512 characters*";
``_invoice_create_params.py``: custom field name "up to 40", value "up to 140"), and
https://docs.stripe.com/api/metadata for metadata (50 keys, keys up to 40
characters, values up to 500, no square brackets in keys). Lengths count characters
(code points), as Stripe does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.core.errors import InvalidInput

# -- customers (https://docs.stripe.com/api/customers/create) --------------------------------
CUSTOMER_NAME = 256
CUSTOMER_EMAIL = 512
CUSTOMER_DESCRIPTION = 350
CUSTOMER_PHONE = 20
#: Each part of an address (line1, line2, city, state, postal_code; country is 2 letters).
ADDRESS_PART = 5000
#: A tax id's value (``tax_id_data[].value``).
TAX_ID_VALUE = 64

# -- catalog (https://docs.stripe.com/api/products/create, /api/prices/create) -----------------
PRODUCT_NAME = 5000
PRODUCT_DESCRIPTION = 40000
PRICE_NICKNAME = 5000
STATEMENT_DESCRIPTOR = 22

# -- invoices (https://docs.stripe.com/api/invoices/create, /api/invoiceitems/create) ------------
#: The invoice's ``description``, shown as its memo.
INVOICE_MEMO = 1500
INVOICE_FOOTER = 5000
#: A line's ``description`` (invoice items).
LINE_DESCRIPTION = 5000
#: ``custom_fields`` on invoices and in a customer's invoice settings.
CUSTOM_FIELDS = 4
CUSTOM_FIELD_NAME = 40
CUSTOM_FIELD_VALUE = 140

# -- metadata on every object (https://docs.stripe.com/api/metadata) --------------------------
METADATA_KEYS = 50
METADATA_KEY = 40
METADATA_VALUE = 500


def check_length(text: str, *, limit: int, field: str, label: str) -> str:
    """``text`` unchanged when it has at most ``limit`` characters.

    Raises :class:`InvalidInput` naming ``field`` (``label`` in words) with the length
    typed and Stripe's limit, so the user shortens it; nothing is cut.
    """
    if len(text) > limit:
        raise InvalidInput(
            f"The {label} is {len(text):,} characters long; Stripe keeps at most "
            f"{limit:,}. Shorten it (nothing was saved).",
            field=field,
        )
    return text


def check_metadata(
    metadata: Mapping[str, str], *, labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``metadata`` as Stripe will take it: at most 50 keys of at most 40 characters
    (no ``[`` or ``]``), each value at most 500 characters.

    ``labels`` gives the words for a key (``{"po_number": "PO number"}``). The field
    named in the :class:`InvalidInput` is the key itself (``po_number``), or
    ``metadata`` for the number of keys.
    """
    words = labels or {}
    if len(metadata) > METADATA_KEYS:
        raise InvalidInput(
            f"Stripe keeps at most {METADATA_KEYS} metadata entries on one object; "
            f"this one would have {len(metadata)}.",
            field="metadata",
        )
    for key, value in metadata.items():
        if len(key) > METADATA_KEY or "[" in key or "]" in key:
            raise InvalidInput(
                f"The metadata name {key!r} is not allowed: Stripe takes names of at most "
                f"{METADATA_KEY} characters without square brackets.",
                field=key,
            )
        check_length(value, limit=METADATA_VALUE, field=key, label=words.get(key, key))
    return dict(metadata)


def check_custom_fields(fields: Sequence[tuple[str, str]], *, field: str = "custom_fields") -> None:
    """At most 4 ``(name, value)`` pairs, names up to 40 and values up to 140 characters.

    Raises :class:`InvalidInput` naming ``custom_fields`` or ``custom_fields[i].name`` /
    ``custom_fields[i].value``.
    """
    if len(fields) > CUSTOM_FIELDS:
        raise InvalidInput(
            f"An invoice shows at most {CUSTOM_FIELDS} custom fields; there are {len(fields)}.",
            field=field,
        )
    for position, (name, value) in enumerate(fields):
        where = f"{field}[{position}]"
        check_length(name, limit=CUSTOM_FIELD_NAME, field=f"{where}.name",
                     label=f"custom field {position + 1} name")  # fmt: skip
        check_length(value, limit=CUSTOM_FIELD_VALUE, field=f"{where}.value",
                     label=f"custom field {position + 1} value")  # fmt: skip
