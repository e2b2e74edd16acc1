"""What may happen to an invoice in each status, and the checks made before Stripe.

One table (:data:`ALLOWED_STATUSES`) says in which statuses each lifecycle
action is possible (Stripe's own transition table); :func:`available_actions`
combines it with the role matrix for the buttons a page shows, and
:func:`require_status` refuses a forbidden transition with clear words before
any call to Stripe. Draft items are checked here too (the 250-item limit, one
of price or amount per line), and :func:`totals` previews what Stripe will bill.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.core import limits
from services.core.access import Action, Role, can
from services.core.errors import InvalidInput, NotAllowedInState
from services.core.models import DraftItem, Invoice, Price
from services.core.money import MAX_AMOUNT, currency_rule_problem, format_amount
from services.core.text import clean_text

#: Stripe refuses more than 250 invoice items on one invoice.
MAX_INVOICE_ITEMS = 250

#: In which statuses each invoice action is possible.
ALLOWED_STATUSES: dict[Action, frozenset[str]] = {
    Action.EDIT_DRAFT: frozenset({"draft"}),
    Action.DELETE_DRAFT: frozenset({"draft"}),
    Action.FINALIZE_INVOICE: frozenset({"draft"}),
    Action.SEND_INVOICE: frozenset({"open"}),
    Action.RECORD_PAYMENT: frozenset({"open", "uncollectible"}),
    Action.VOID_INVOICE: frozenset({"open", "uncollectible"}),
    Action.MARK_UNCOLLECTIBLE: frozenset({"open"}),
    Action.RESEND_PAYMENT_NOTICE: frozenset({"open"}),
    Action.CREATE_DRAFT: frozenset({"draft", "open", "paid", "uncollectible", "void"}),
}

_WHY_NOT: dict[tuple[Action, str], str] = {
    (Action.FINALIZE_INVOICE, "open"): "it is already finalized",
    (Action.SEND_INVOICE, "draft"): "it is still a draft: an approver must finalize it first",
    (Action.SEND_INVOICE, "paid"): "it is already paid",
    (Action.RECORD_PAYMENT, "draft"): "it is still a draft: finalize it first",
    (Action.RECORD_PAYMENT, "paid"): "it is already paid",
    (Action.VOID_INVOICE, "draft"): "drafts are deleted, not voided",
    (Action.VOID_INVOICE, "paid"): "paid invoices cannot be voided (issue a credit note)",
    (Action.MARK_UNCOLLECTIBLE, "uncollectible"): "it is already marked uncollectible",
    (Action.MARK_UNCOLLECTIBLE, "draft"): "it is still a draft",
    (Action.DELETE_DRAFT, "open"): "only drafts can be deleted (void it instead)",
    (Action.EDIT_DRAFT, "open"): "finalized invoices can no longer be edited",
}

_VERBS: dict[Action, str] = {
    Action.EDIT_DRAFT: "edit the items of",
    Action.DELETE_DRAFT: "delete",
    Action.FINALIZE_INVOICE: "finalize",
    Action.SEND_INVOICE: "send",
    Action.RECORD_PAYMENT: "record a payment on",
    Action.VOID_INVOICE: "void",
    Action.MARK_UNCOLLECTIBLE: "mark uncollectible",
    Action.RESEND_PAYMENT_NOTICE: "resend the payment notice of",
    Action.CREATE_DRAFT: "duplicate",
}


@dataclass(frozen=True)
class Totals:
    """What the draft will add up to (no tax or discounts are configured)."""

    subtotal: int
    total: int
    currency: str
    count: int

    @property
    def display(self) -> str:
        return format_amount(self.total, self.currency)


def available_actions(invoice: Invoice, role: Role | str) -> list[Action]:
    """The lifecycle actions the invoice's status AND the role both allow, in menu order."""
    actions = []
    for action, statuses in ALLOWED_STATUSES.items():
        if invoice.status not in statuses or not can(role, action):
            continue
        if action is Action.SEND_INVOICE and invoice.collection_method != "send_invoice":
            continue
        actions.append(action)
    return actions


def require_status(invoice: Invoice, action: Action) -> None:
    """Refuse ``action`` on ``invoice`` in its current status, saying why."""
    statuses = ALLOWED_STATUSES[action]
    if invoice.status in statuses:
        if action is Action.SEND_INVOICE and invoice.collection_method != "send_invoice":
            raise NotAllowedInState(
                f"Invoice {invoice.number or invoice.id} is collected automatically "
                "by card, so it cannot be sent by email.",
                field="invoice_id",
            )
        return
    why = _WHY_NOT.get((action, invoice.status)) or f"it is {invoice.status}"
    allowed = " or ".join(sorted(statuses))
    raise NotAllowedInState(
        f"Cannot {_VERBS[action]} invoice {invoice.number or invoice.id}: {why}. "
        f"This is only possible while the invoice is {allowed}.",
        field="invoice_id",
    )


def check_draft_items(items: Sequence[DraftItem], *, existing: int = 0) -> None:
    """Refuse malformed items and more than 250 items on one invoice."""
    if existing + len(items) > MAX_INVOICE_ITEMS:
        raise InvalidInput(
            f"An invoice can hold at most {MAX_INVOICE_ITEMS} items; this one would have "
            f"{existing + len(items)}. Split it into several invoices.",
            field="items",
        )
    for number, item in enumerate(items, start=1):
        where = f"items[{number - 1}]"
        if (item.price_id is None) == (item.amount is None):
            raise InvalidInput(
                f"Item {number}: choose either a price or a custom amount (not both).",
                field=where,
            )
        if item.price_id is not None:
            if not item.price_id.startswith("price_"):
                raise InvalidInput(f"Item {number}: choose a price.", field=f"{where}.price_id")
            if not isinstance(item.quantity, int) or item.quantity < 1:
                raise InvalidInput(
                    f"Item {number}: quantity must be a whole number of at least 1.",
                    field=f"{where}.quantity",
                )
        else:
            check_custom_amount(item, number)


def check_custom_amount(item: DraftItem, number: int) -> None:
    where = f"items[{number - 1}]"
    if not isinstance(item.amount, int) or item.amount <= 0:
        raise InvalidInput(f"Item {number}: the amount must be positive.", field=f"{where}.amount")
    if item.amount > MAX_AMOUNT:
        raise InvalidInput(
            f"Item {number}: the amount is above Stripe's limit of "
            f"{MAX_AMOUNT:,} minor units (e.g. $999,999.99) for one line.",
            field=f"{where}.amount",
        )
    if item.quantity != 1:
        raise InvalidInput(
            f"Item {number}: a custom amount is one line; enter the line total with quantity 1.",
            field=f"{where}.quantity",
        )
    clean_text(
        item.description,
        field=f"{where}.description",
        label=f"item {number} description",
        max_length=limits.LINE_DESCRIPTION,
    )
    if not (item.description or "").strip():
        raise InvalidInput(
            f"Item {number}: describe what the custom amount is for.",
            field=f"{where}.description",
        )


def totals(
    items: Sequence[DraftItem],
    prices: Mapping[str, Price],
    currency: str,
    *,
    existing_total: int = 0,
) -> Totals:
    """Sum of the draft's lines in ``currency``; every price must be in that currency.

    Each line (price x quantity, or a custom amount) and the invoice's total (with
    ``existing_total``, what the invoice already holds) must stay within Stripe's
    largest amount, :data:`~services.core.money.MAX_AMOUNT` minor units, and each line
    must follow the currency's rules (https://docs.stripe.com/currencies: KWD, BHD,
    JOD, OMR and TND amounts end in 0, ISK in 00): a line or a total that does not is
    refused here with :class:`InvalidInput` naming the line, before anything is created.
    """
    check_draft_items(items)
    subtotal = 0
    for number, item in enumerate(items, start=1):
        if item.price_id is None:
            _check_currency_rule(int(item.amount or 0), number, f"items[{number - 1}].amount",
                                 currency)  # fmt: skip
            subtotal += int(item.amount or 0)
            _check_total(existing_total + subtotal, number, f"items[{number - 1}].amount", currency)
            continue
        price = prices[item.price_id]
        if price.currency != currency:
            raise InvalidInput(
                f"Item {number}: the price is in {price.currency.upper()} but the invoice "
                f"is in {currency.upper()}; one invoice has one currency.",
                field=f"items[{number - 1}].price_id",
            )
        if price.type == "recurring":
            raise InvalidInput(
                f"Item {number}: {price.display} is a subscription price; invoice items "
                "need a one-time price.",
                field=f"items[{number - 1}].price_id",
            )
        if not price.active:
            raise InvalidInput(
                f"Item {number}: price {price.id} is archived.",
                field=f"items[{number - 1}].price_id",
            )
        if price.unit_amount is None:
            raise InvalidInput(
                f"Item {number}: this price has no fixed amount.",
                field=f"items[{number - 1}].price_id",
            )
        line = price.unit_amount * item.quantity
        if line > MAX_AMOUNT:
            raise InvalidInput(
                f"Item {number}: {item.quantity} x {format_amount(price.unit_amount, currency)} "
                f"is {format_amount(line, currency)}, above Stripe's limit of "
                f"{format_amount(MAX_AMOUNT, currency)} for one line. Lower the quantity "
                "or split the amount over several invoices.",
                field=f"items[{number - 1}].quantity",
            )
        _check_currency_rule(line, number, f"items[{number - 1}].price_id", currency)
        subtotal += line
        _check_total(existing_total + subtotal, number, f"items[{number - 1}].quantity", currency)
    return Totals(subtotal=subtotal, total=subtotal, currency=currency, count=len(items))


def _check_currency_rule(amount: int, number: int, field: str, currency: str) -> None:
    """A line Stripe could not charge in ``currency`` (e.g. KWD not ending in 0), named."""
    problem = currency_rule_problem(amount, currency)
    if problem is not None:
        raise InvalidInput(f"Item {number}: {problem}", field=field)


def _check_total(total: int, number: int, field: str, currency: str) -> None:
    if total > MAX_AMOUNT:
        raise InvalidInput(
            f"Item {number}: with this line the invoice would total "
            f"{format_amount(total, currency)}, above Stripe's limit of "
            f"{format_amount(MAX_AMOUNT, currency)} for one invoice. Split the amount "
            "over several invoices.",
            field=field,
        )
