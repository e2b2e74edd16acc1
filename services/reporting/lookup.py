"""One search box for everything, answered from the read model: no Stripe request.

Type an id, an invoice number, an email, an amount, a name, a PO number or words
from a line; :func:`parse_query` (``lookup_parsing``) says how the text can be read
and :class:`Lookup` tries every reading against the local copy of Stripe
(``services.readmodel.lookup_queries``), so an invoice finalized a moment ago is found
by its number at once (Stripe's own search lags up to a minute). Results are ranked
best first, at most :data:`RESULT_LIMIT`:

1. an id (``in_``, ``cus_``, ``prod_``, ``price_``; a line ``il_``/``ii_`` → its invoice);
2. the whole invoice number, any case; a customer's exact email (then their invoices);
   an exact PO number; an exact customer or product name; another exact metadata value;
3. a name starting with the text; invoices whose total (then amount due or remaining)
   is the amount typed, in a currency that fits it;
4. invoice numbers starting with the text; an exact line description; the numeric tail
   of an invoice number (only when at most :data:`TAIL_LIMIT` invoices end with it);
5. text inside names, emails, metadata, line descriptions;
6. when nothing else matched a name-like text: names one typo away.

Names and text compare without case or accents ("sohne" finds "Söhne"); a typo is one
letter wrong, missing, extra or swapped with its neighbour, in words of
:data:`TYPO_MIN_LETTERS` letters or more (RapidFuzz's optimal string alignment). Among
equal matches, newer invoices come first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from sqlalchemy import Connection, Engine

from services.core.models import price_from_stripe
from services.core.money import format_amount
from services.readmodel import lookup_queries as queries
from services.readmodel.lookup_queries import InvoiceSummary, TextField
from services.reporting.lookup_parsing import (
    ID_KINDS,
    AmountReading,
    ParsedQuery,
    amount_readings,
    parse_query,
)

__all__ = ["ID_KINDS", "RESULT_LIMIT", "AmountReading", "Lookup", "LookupResult",
           "ParsedQuery", "amount_readings", "parse_query"]

RESULT_LIMIT = 20
TAIL_LIMIT = 5  # a number tail shared by more invoices than this is too vague to list
CONTAINS_MIN_CHARACTERS = 3  # shorter text is only matched whole
TYPO_MIN_LETTERS = 5  # shorter words have too many neighbours one typo away
TYPO_CANDIDATES = 1000
SHORTLIST_LIMIT = 500  # matches whose details are read to rank the last ties
_WORD = re.compile(r"\w+")

# Scores, best first; the page opens the best result at once from 0.95.
ID = 1.0  # an id, or a line's id for its invoice
NUMBER = 0.97  # the whole invoice number
EMAIL = 0.93  # a customer's whole email
PO_NUMBER = 0.91  # the whole PO number
NAME = 0.9  # a customer's whole name (a product's: 0.89)
METADATA = 0.86  # another whole metadata value
EMAIL_INVOICE = 0.82  # an invoice of the customer with that email
NAME_START = 0.8
AMOUNT_TOTAL = 0.76
NAME_WORD_START = 0.74  # a later word of the name starts with the text
AMOUNT_DUE = 0.72  # the amount due or remaining, not the total
NUMBER_START = 0.7  # an invoice number starts with the text (its customer's prefix)
LINE = 0.7  # a whole line description
NUMBER_TAIL = 0.66
NAME_INSIDE = 0.64
NAME_WORDS = 0.62  # every typed word starts a word of the name, in another order
EMAIL_INSIDE = 0.6
METADATA_INSIDE = 0.58
LINE_INSIDE = 0.55
NAME_TYPO = 0.5  # (+ up to 0.04 by closeness)
NUMBER_INSIDE = 0.45
_NEWER = 1e-5  # among equal matches, newer first


@dataclass(frozen=True)
class LookupResult:
    """One match: what it is, its id, what the list shows, and how good a match."""

    kind: str  # invoice | customer | product | price
    object_id: str
    title: str
    subtitle: str
    score: float


class _Found:
    """The best score (and why) of every object matched so far."""

    def __init__(self) -> None:
        self.best: dict[tuple[str, str], tuple[float, str]] = {}

    def add(self, kind: str, object_id: str, score: float, why: str = "") -> None:
        key = (kind, object_id)
        if key not in self.best or self.best[key][0] < score:
            self.best[key] = (score, why)

    def add_all(self, kind: str, ids: Iterable[str], score: float, why: str = "") -> None:
        for rank, object_id in enumerate(ids):
            self.add(kind, object_id, score - rank * _NEWER, why)

    def ranked(self) -> list[tuple[str, str, float, str]]:
        """(kind, id, score, why), best first."""
        found = [(kind, object_id, score, why)
                 for (kind, object_id), (score, why) in self.best.items()]
        return sorted(found, key=lambda item: -item[2])


class Lookup:
    """Ranked answers to one query string, from the read model behind ``engine``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def search(self, text: str) -> list[LookupResult]:
        parsed = parse_query(text)
        if parsed.kind == "empty":
            return []
        found = _Found()
        with self._engine.connect() as conn:
            if parsed.kind == "id":
                _by_id(conn, parsed, found)
            elif parsed.kind == "email":
                _by_email(conn, parsed, found)
                _in_emails(conn, parsed.folded, found)
                _in_metadata(conn, parsed.folded, found)
            else:
                _by_number(conn, parsed, found)
                _by_amount(conn, parsed.amounts, found)
                _by_name(conn, parsed.folded, found)
                _in_emails(conn, parsed.folded, found)
                _in_invoices(conn, parsed, found)
                if parsed.kind == "name" and not found.best:  # a typo when nothing else fits
                    _by_name_with_typo(conn, parsed.folded, found)
            return _results(conn, found)


def _by_id(conn: Connection, parsed: ParsedQuery, found: _Found) -> None:
    kind = parsed.id_kind or ""
    if kind in ("invoice_line", "invoice_item"):
        invoice_id = queries.invoice_of_line(conn, parsed.text)
        if invoice_id is not None:
            found.add("invoice", invoice_id, ID, f"line {parsed.text}")
    else:
        found.add(kind, parsed.text, ID)


def _by_email(conn: Connection, parsed: ParsedQuery, found: _Found) -> None:
    owners = queries.customers_with_email(conn, parsed.folded)
    found.add_all("customer", owners, EMAIL)
    if owners:
        invoices = queries.invoices_of_customers(conn, owners, limit=RESULT_LIMIT)
        found.add_all("invoice", invoices, EMAIL_INVOICE)


def _by_number(conn: Connection, parsed: ParsedQuery, found: _Found) -> None:
    if parsed.invoice_numbers:
        found.add_all("invoice", queries.invoices_numbered(conn, parsed.invoice_numbers), NUMBER)
    if parsed.number_tail:
        ending = f"-{parsed.number_tail}"
        matches = queries.containing(conn, TextField.INVOICE_NUMBER, ending, at_end=True,
                                     limit=TAIL_LIMIT + 1)
        tails = [match.object_id for match in matches if match.text.endswith(ending)]
        if len(tails) <= TAIL_LIMIT:
            found.add_all("invoice", tails, NUMBER_TAIL, f"number ends in {parsed.number_tail}")


def _by_amount(conn: Connection, readings: tuple[AmountReading, ...], found: _Found) -> None:
    if not readings:
        return
    wanted = {reading.minor_units for reading in readings}
    for rank, invoice in enumerate(queries.invoices_with_amounts(conn, wanted)):
        currency = invoice.currency or ""
        fitting = [reading for reading in readings if currency and reading.fits(currency)]
        if any(reading.minor_units == invoice.total for reading in fitting):
            found.add("invoice", invoice.id, AMOUNT_TOTAL - rank * _NEWER)
        elif any(reading.minor_units == invoice.amount_remaining for reading in fitting):
            found.add("invoice", invoice.id, AMOUNT_DUE - rank * _NEWER, "amount remaining")
        elif any(reading.minor_units == invoice.amount_due for reading in fitting):
            found.add("invoice", invoice.id, AMOUNT_DUE - rank * _NEWER, "amount due")


def _by_name(conn: Connection, folded: str, found: _Found) -> None:
    """Customers and products named ``folded`` or, with enough characters, whose name
    contains it."""
    found.add_all("customer", queries.objects_named(conn, TextField.CUSTOMER_NAME, folded), NAME)
    found.add_all("product", queries.objects_named(conn, TextField.PRODUCT_NAME, folded),
                  NAME - 0.01)
    if len(folded) < CONTAINS_MIN_CHARACTERS:
        return
    for field, kind in ((TextField.CUSTOMER_NAME, "customer"),
                        (TextField.PRODUCT_NAME, "product")):
        for match in _inside(conn, field, folded):
            found.add(kind, match.object_id, _name_score(folded, match.text))


def _in_emails(conn: Connection, folded: str, found: _Found) -> None:
    if len(folded) >= CONTAINS_MIN_CHARACTERS:
        for match in _inside(conn, TextField.CUSTOMER_EMAIL, folded):
            found.add("customer", match.object_id, EMAIL_INSIDE)


def _in_metadata(conn: Connection, folded: str, found: _Found) -> None:
    """Invoices with ``folded`` as a metadata value, or inside one."""
    if len(folded) >= CONTAINS_MIN_CHARACTERS:
        for match in _inside(conn, TextField.INVOICE_METADATA, folded):
            whole = folded in match.text.split("\n")
            found.add("invoice", match.object_id, METADATA if whole else METADATA_INSIDE,
                      "metadata")


def _in_invoices(conn: Connection, parsed: ParsedQuery, found: _Found) -> None:
    """PO numbers; with enough characters, text inside invoice numbers (bare digits
    only as a number's tail), metadata values and line descriptions."""
    folded = parsed.folded
    found.add_all("invoice", queries.invoices_with_po_number(conn, folded), PO_NUMBER,
                  "PO number")
    _in_metadata(conn, folded, found)
    if len(folded) < CONTAINS_MIN_CHARACTERS:
        return
    if not parsed.number_tail:
        for match in _inside(conn, TextField.INVOICE_NUMBER, folded):
            starts = match.text.startswith(folded)
            found.add("invoice", match.object_id, NUMBER_START if starts else NUMBER_INSIDE)
    for match in _inside(conn, TextField.LINE_DESCRIPTION, folded):
        score = LINE if match.text == folded else LINE_INSIDE
        found.add("invoice", match.invoice_id or "", score, "line description")


def _inside(conn: Connection, field: TextField, folded: str) -> list[queries.TextMatch]:
    """Those whose text really contains ``folded``."""
    return [match for match in queries.containing(conn, field, folded) if folded in match.text]


def _name_score(folded: str, name: str) -> float:
    if name == folded:
        return NAME
    if name.startswith(folded):
        return NAME_START
    if any(word.startswith(folded) for word in _WORD.findall(name)):
        return NAME_WORD_START
    return NAME_INSIDE


def _by_name_with_typo(conn: Connection, folded: str, found: _Found) -> None:
    """Customer and product names whose words are the query's, one typo each allowed.

    Candidates come from the text index: every typed word must start a word of the
    name, or be one typo away from one. Whatever the typo, the letters before the
    word's middle letter or those after it are intact, so a candidate holds either.
    Where those halves are too short for the index (words of 5 or 6 letters), the
    word's first and last three letters are looked up first, and the short halves
    read through only when that finds nothing.
    """
    typed = _WORD.findall(folded)
    if not any(len(word) >= TYPO_MIN_LETTERS and not word.isdigit() for word in typed):
        return
    indexed = [_typo_pieces(word, short_halves=False) for word in typed]
    if not _names_one_typo_away(conn, folded, typed, indexed, found):
        halves = [_typo_pieces(word, short_halves=True) for word in typed]
        if halves != indexed:
            _names_one_typo_away(conn, folded, typed, halves, found)


def _typo_pieces(word: str, *, short_halves: bool) -> list[str]:
    """Text a name one typo away from ``word`` contains one of (none: no constraint)."""
    if len(word) < TYPO_MIN_LETTERS:
        return [word] if len(word) >= CONTAINS_MIN_CHARACTERS else []
    middle = len(word) // 2
    halves = [word[:middle], word[middle + 1:]]
    if short_halves or min(map(len, halves)) >= CONTAINS_MIN_CHARACTERS:
        return halves
    return [word[:CONTAINS_MIN_CHARACTERS], word[-CONTAINS_MIN_CHARACTERS:]]


def _names_one_typo_away(conn: Connection, folded: str, typed: list[str],
                         pieces: list[list[str]], found: _Found) -> bool:
    """Add the names holding a piece of every group that match ``typed``; whether any did."""
    groups = [group for group in pieces if group]
    matched = False
    for field, kind in ((TextField.CUSTOMER_NAME, "customer"),
                        (TextField.PRODUCT_NAME, "product")):
        for match in queries.containing_all(conn, field, groups, limit=TYPO_CANDIDATES):
            score = _words_score(typed, _WORD.findall(match.text))
            if score is not None:
                matched = True
                closeness = fuzz.ratio(folded, match.text) / 100
                found.add(kind, match.object_id, score + 0.04 * closeness)
    return matched


def _words_score(typed: list[str], words: list[str]) -> float | None:
    """NAME_WORDS when every typed word starts a word of the name, NAME_TYPO when
    some need one typo forgiven, None when a typed word matches no word."""
    typos = 0
    for wanted in typed:
        if any(word.startswith(wanted) for word in words):
            continue
        if len(wanted) >= TYPO_MIN_LETTERS and any(
            OSA.distance(wanted, word, score_cutoff=1) <= 1 for word in words
        ):
            typos += 1
            continue
        return None
    return NAME_TYPO if typos else NAME_WORDS


def _results(conn: Connection, found: _Found) -> list[LookupResult]:
    """The best :data:`RESULT_LIMIT` matches still stored, with what they show."""
    ranked = found.ranked()
    # Room for the ones that drop out (deleted since), and every tie at the cut, so that
    # the newest of equal matches are the ones shown.
    floor = ranked[min(len(ranked), RESULT_LIMIT * 2) - 1][2] if ranked else 0.0
    shortlist = [item for item in ranked if item[2] >= floor][:SHORTLIST_LIMIT]

    def ids(kind: str) -> list[str]:
        return [object_id for k, object_id, _, _ in shortlist if k == kind]

    invoices = queries.invoice_summaries(conn, ids("invoice"))
    customers = queries.customer_summaries(conn, ids("customer"))
    products = queries.product_summaries(conn, ids("product"))
    results: list[tuple[LookupResult, int]] = []  # with the invoice's creation time
    for kind, object_id, score, why in shortlist:
        if kind == "invoice" and object_id in invoices:
            invoice = invoices[object_id]
            results.append((_invoice_result(invoice, score, why), invoice.created))
        elif kind == "customer" and object_id in customers:
            customer = customers[object_id]
            results.append((LookupResult(
                "customer", object_id, customer.name or customer.detail or object_id,
                f"Customer · {customer.detail or 'no email'}", score), 0))  # fmt: skip
        elif kind == "product" and object_id in products:
            product = products[object_id]
            results.append((LookupResult("product", object_id, product.name or object_id,
                                         f"Product · {product.detail}", score), 0))
        elif kind == "price":
            data = queries.stored_price(conn, object_id)
            if data is not None:
                price = price_from_stripe(data)
                results.append((LookupResult("price", object_id, price.nickname or price.display,
                                             f"Price · {price.display}", score), 0))
    results.sort(key=lambda pair: (-pair[0].score, -pair[1], pair[0].title))
    return [result for result, _ in results[:RESULT_LIMIT]]


def _invoice_result(invoice: InvoiceSummary, score: float, why: str) -> LookupResult:
    title = f"Invoice {invoice.number or invoice.id}"
    who = invoice.customer_name or invoice.customer_email or invoice.customer_id or ""
    amount = format_amount(invoice.total, invoice.currency) if invoice.currency else ""
    details = [who, amount, invoice.status]
    if why == "PO number" and invoice.po_number:
        details.append(f"PO {invoice.po_number}")
    elif why:
        details.append(why)
    return LookupResult("invoice", invoice.id, title, " · ".join(details), score)
