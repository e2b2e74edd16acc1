"""What the text typed in the lookup box is taken to be (pure, no database, no Stripe).

One text can be read several ways, and the lookup tries every reading:

* an id (``in_``, ``cus_``, ``prod_``, ``price_``, and ``il_``/``ii_`` lines) — only that;
* an email address;
* an invoice number (``7FE1103-0001``, any case; ``7fe1103-1`` is padded to 4 digits);
* the numeric tail of an invoice number (``0001``, ``42``);
* an amount, as people type them: ``1234.56``, ``1,234.56``, ``1.234,56``, ``3 600``,
  ``€3,600``, ``3600 EUR``, ``EUR 99``, ``¥1,235``, ``$99`` (a currency symbol or
  ISO code before or after; without one, every kind of currency is tried);
* words: names, emails in part, PO numbers and other metadata, line descriptions.

A single ``,`` or ``.`` followed by exactly three digits (``3,600``, ``1.234``) is a
thousands separator; only a three-decimal currency (KWD, BHD...) also reads it as
decimals (1.234 KWD). Otherwise the last separator followed by one or two digits is
the decimal mark, whichever of ``.`` and ``,`` it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from services.core.money import MAX_AMOUNT, currency_exponent
from services.customers.records import looks_like_email
from services.readmodel.columns import fold

ID_KINDS = {"in_": "invoice", "cus_": "customer", "prod_": "product", "price_": "price",
            "il_": "invoice_line", "ii_": "invoice_item"}  # fmt: skip
_ID = re.compile(r"^(in|cus|prod|price|il|ii)_[A-Za-z0-9]+$")
_INVOICE_NUMBER = re.compile(r"^(?P<prefix>[A-Za-z0-9]{1,12})-(?P<digits>\d+)$")
_NUMBER_TAIL = re.compile(r"^#?(?P<digits>\d{1,8})$")
NUMBER_DIGITS = 4  # Stripe pads the sequence of an invoice number to four digits

# Currency symbols, longest first; a symbol several currencies use reads as each of them.
_SYMBOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("us$", ("usd",)), ("ca$", ("cad",)), ("au$", ("aud",)), ("nz$", ("nzd",)),
    ("hk$", ("hkd",)), ("mx$", ("mxn",)), ("r$", ("brl",)), ("a$", ("aud",)),
    ("s$", ("sgd",)), ("$", ("usd", "cad", "aud", "nzd", "hkd", "sgd", "mxn")),
    ("€", ("eur",)), ("£", ("gbp",)), ("¥", ("jpy", "cny")), ("￥", ("jpy", "cny")),
    ("₩", ("krw",)), ("₹", ("inr",)), ("₫", ("vnd",)), ("zł", ("pln",)), ("₺", ("try",)),
    ("₪", ("ils",)), ("fr.", ("chf",)), ("kr", ("sek", "nok", "dkk")),
)  # fmt: skip
# ISO codes Stripe charges in (a word of three letters is only a currency if listed).
_ISO_CODES = """
aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn
bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd
gnf gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak
lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd
omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std
szl thb tjs top try ttd twd tzs uah ugx usd uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw
"""
CURRENCY_CODES = frozenset(_ISO_CODES.split())
_GROUPING = " '\u00a0\u202f\u2019"  # spaces and apostrophes between thousands
_NUMBER = re.compile(r"^(?:\d[\d.,'\u00a0\u202f\u2019 ]*|[.,]\d+)$")
# Without a currency, an amount is read for every kind of currency: two, zero, three decimals.
_EXPONENTS = (2, 0, 3)


@dataclass(frozen=True)
class AmountReading:
    """One way to read typed amount text: minor units of ``currency`` if one was
    typed, else of any currency with ``exponent`` decimals."""

    minor_units: int
    currency: str | None
    exponent: int

    def fits(self, invoice_currency: str) -> bool:
        if self.currency is not None:
            return invoice_currency == self.currency
        return currency_exponent(invoice_currency) == self.exponent


@dataclass(frozen=True)
class ParsedQuery:
    """What the text looks like. ``kind`` is the strongest reading (id, email,
    invoice_number, amount, name or empty); ``amounts`` holds every valid amount
    reading and ``number_tail`` the digits an invoice number may end with, whatever
    the kind; ``folded`` is the text without case and accents, for word search."""

    kind: str  # id | invoice_number | email | amount | name | empty
    text: str
    id_kind: str | None = None
    amounts: tuple[AmountReading, ...] = ()
    number_tail: str | None = None
    folded: str = ""

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        """The folded invoice numbers the text may be exactly (as typed, and padded)."""
        found = _INVOICE_NUMBER.match(self.text)
        if self.kind != "invoice_number" or found is None:
            return ()
        padded = f"{found['prefix']}-{found['digits'].zfill(NUMBER_DIGITS)}"
        return tuple(dict.fromkeys(fold(number) or "" for number in (self.text, padded)))


def parse_query(text: str) -> ParsedQuery:
    """Classify the search text (no database, no Stripe)."""
    query = " ".join((text or "").split())
    if not query:
        return ParsedQuery("empty", "")
    folded = fold(query) or ""
    if _ID.match(query):
        prefix = query.split("_", 1)[0] + "_"
        return ParsedQuery("id", query, id_kind=ID_KINDS[prefix], folded=folded)
    if looks_like_email(query):
        return ParsedQuery("email", query, folded=folded)
    tail_match = _NUMBER_TAIL.match(query)
    tail = tail_match["digits"].zfill(NUMBER_DIGITS) if tail_match else None
    if _INVOICE_NUMBER.match(query):
        return ParsedQuery("invoice_number", query.upper(), folded=folded)
    amounts = amount_readings(query)
    if amounts:
        return ParsedQuery("amount", query, amounts=amounts, number_tail=tail, folded=folded)
    kind = "invoice_number" if tail else "name"
    return ParsedQuery(kind, query, number_tail=tail, folded=folded)


def amount_readings(text: str) -> tuple[AmountReading, ...]:
    """Every reading of ``text`` as an amount (none when it is not one)."""
    found = _split_currency(text.strip().lower())
    if found is None:
        return ()
    number, currencies = found
    values = _decimal_values(number)
    if not values:
        return ()
    readings: list[AmountReading] = []
    targets: list[tuple[int, str | None]] = [
        (currency_exponent(code), code) for code in currencies
    ] or [(exponent, None) for exponent in _EXPONENTS]
    for exponent, code in targets:
        for value, decimals_only_for_three in values:
            if decimals_only_for_three and exponent != 3:
                continue
            scaled = value.scaleb(exponent)
            if scaled != scaled.to_integral_value() or not 0 < scaled <= MAX_AMOUNT:
                continue
            reading = AmountReading(int(scaled), code, exponent)
            if reading not in readings:
                readings.append(reading)
    return tuple(readings)


def _split_currency(text: str) -> tuple[str, tuple[str, ...]] | None:
    """``text`` → (the number, the currencies a symbol or code names), or None."""
    currencies: tuple[str, ...] = ()
    for symbol, codes in _SYMBOLS:
        if text.startswith(symbol) or text.endswith(symbol):
            text = text[len(symbol):] if text.startswith(symbol) else text[: -len(symbol)]
            currencies = codes
            break
    text = text.strip()
    code = re.match(r"^([a-z]{3})\s*(?=[\d.,])", text) or re.search(r"(?<=[\d.])\s*([a-z]{3})$",
                                                                     text)
    if code is not None:
        if code.group(1) not in CURRENCY_CODES or (currencies and code.group(1) not in
                                                   currencies):
            return None
        currencies = (code.group(1),)
        text = (text[: code.start()] + text[code.end():]).strip()
    if not _NUMBER.match(text):
        return None
    return text, currencies


def _decimal_values(number: str) -> list[tuple[Decimal, bool]]:
    """The values ``number`` may mean, each with whether only three-decimal currencies
    read it so (``1.234``: 1234, or 1.234 KWD)."""
    marks = [(index, char) for index, char in enumerate(number) if char in ".,"]
    if not marks:
        whole = _grouped(number)
        return [] if whole is None else [(Decimal(whole), False)]
    kinds = {char for _, char in marks}
    last_at, last = marks[-1]
    whole_part, fraction = number[:last_at], number[last_at + 1:]
    if not fraction.isdigit():
        return []
    if len(kinds) == 1 and len(marks) > 1:  # 1,234,567 or 1.234.567
        whole = _grouped(number.replace(last, " "))
        return [] if whole is None else [(Decimal(whole), False)]
    grouped_whole = _grouped(whole_part.replace(("," if last == "." else "."), " ") or "0")
    if grouped_whole is None:
        return []
    value = Decimal(f"{grouped_whole}.{fraction}")
    if len(kinds) == 1 and len(fraction) == 3 and whole_part and whole_part != "0":
        thousands = _grouped(number.replace(last, " "))
        if thousands is not None:
            return [(Decimal(thousands), False), (value, True)]
    return [(value, False)]


def _grouped(text: str) -> str | None:
    """Digits with optional thousands separators (``3 600``, ``1'234``) → the digits."""
    groups = re.split(f"[{_GROUPING}]", text.strip())
    if not all(group.isdigit() for group in groups):
        return None
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or
                            any(len(group) != 3 for group in groups[1:])):
        return None
    digits = "".join(groups)
    if len(digits) > 1 and digits.startswith("0"):
        return None  # 0001 is the end of an invoice number, not an amount
    return digits
