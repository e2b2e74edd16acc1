"""Money as finance users type and read it ↔ Stripe's integer minor units.

Every amount inside the dashboard is an ``int`` of the currency's minor unit
(cents, yen, fils). Text becomes minor units with :func:`parse_amount` and minor
units become text with :func:`format_amount`; :class:`~decimal.Decimal` is used
in between, never ``float``.

The rules of Stripe's currencies page (https://docs.stripe.com/currencies) that bear
on what the dashboard accepts, all applied by :func:`parse_amount` and
:func:`currency_rule_problem` (for amounts that arrive as integers):

- zero-decimal currencies (:data:`ZERO_DECIMAL_CURRENCIES`) take whole units only;
- three-decimal currencies (BHD, JOD, KWD, OMR, TND) are sent in thousandths but
  Stripe charges them only in steps of ten (the last digit must be 0);
- ISK is zero-decimal but sent with two decimals that must be 00 (5 ISK is 500);
- HUF and TWD: charges take two decimals; only payouts must be whole units, and the
  dashboard makes no payouts, so invoices keep two decimals. UGX is zero-decimal;
- every amount is at most 8 digits of minor units (:data:`MAX_AMOUNT`).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

#: Stripe's zero-decimal currencies: the amount is in major units (¥100 is 100).
ZERO_DECIMAL_CURRENCIES = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
#: Three-decimal currencies (1 BHD = 1000 fils).
THREE_DECIMAL_CURRENCIES = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])

#: Stripe's largest amount: 8 digits of minor units (e.g. $999,999.99).
MAX_AMOUNT = 99_999_999

#: Minor units every amount in the currency must be a multiple of: Stripe charges
#: three-decimal currencies in steps of 10 (the last digit 0) and takes ISK with two
#: decimals that are always 00.
AMOUNT_STEPS: dict[str, int] = {"bhd": 10, "jod": 10, "kwd": 10, "omr": 10, "tnd": 10, "isk": 100}

#: Short list offered in currency pickers (any 3-letter code is accepted).
SUPPORTED_CURRENCIES: tuple[str, ...] = (
    "usd", "eur", "gbp", "chf", "cad", "aud", "nzd", "sek", "nok", "dkk", "pln",
    "czk", "jpy", "krw", "sgd", "hkd", "inr", "mxn", "brl", "zar", "bhd", "kwd",
)  # fmt: skip

_SYMBOLS = {
    "usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "krw": "₩", "inr": "₹",
    "cad": "CA$", "aud": "A$", "nzd": "NZ$", "hkd": "HK$", "sgd": "S$", "mxn": "MX$",
    "brl": "R$", "vnd": "₫", "pln": "zł ",
}  # fmt: skip

# Digits in groups of three separated by commas or spaces ("1,234,567" / "1 234"),
# or plain digits, then an optional fraction after a dot.
# Only ASCII digits: ``\d`` would also take full-width (１２３) and Arabic-Indic (١٢٣) ones.
_GROUPED = re.compile(r"^([0-9]{1,3}(?:[,\s][0-9]{3})+|[0-9]+)?(?:\.([0-9]*))?$")
_CURRENCY_CODE = re.compile(r"^[a-z]{3}$")
_LEADING_CODE = re.compile(r"^([A-Za-z]{3})\s*(?=[0-9.])")
_TRAILING_CODE = re.compile(r"(?<=[0-9.])\s*([A-Za-z]{3})$")


def normalise_currency(currency: str) -> str:
    """Lower-case ISO code; ``ValueError`` unless it is three letters."""
    code = (currency or "").strip().lower()
    if not _CURRENCY_CODE.match(code):
        raise ValueError(f"Currency must be a three-letter code such as USD, not {currency!r}.")
    return code


def currency_exponent(currency: str) -> int:
    """Number of decimals of ``currency``'s minor unit: 0, 2 or 3."""
    code = normalise_currency(currency)
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_major(minor_units: int, currency: str) -> Decimal:
    """``1050, "usd"`` → ``Decimal("10.50")`` (exact, with the currency's decimals)."""
    exponent = currency_exponent(currency)
    return Decimal(int(minor_units)).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def parse_amount(text: str, currency: str) -> int:
    """What the user typed → integer minor units of ``currency``.

    Accepts ``1234.5``, ``1,234.50`` and ``1 234.50``. Refuses, with a message
    naming the problem: blanks, negatives, letters, digits other than ASCII 0-9
    (full-width ``１２３``, Arabic-Indic ``١٢٣``), badly placed commas, more
    decimals than the currency has, and amounts above Stripe's 99,999,999
    minor-unit limit.
    """
    code = normalise_currency(currency)
    exponent = currency_exponent(code)
    raw = "" if text is None else str(text)
    cleaned = raw.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not cleaned:
        raise ValueError("Enter an amount.")
    if any(_foreign_digit(char) for char in cleaned):
        raise ValueError(
            "Type the amount with the ordinary digits 0-9 (other digits, such as full-width "
            "or Arabic-Indic ones, are not accepted)."
        )
    if cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")")):
        raise ValueError(f"The amount cannot be negative ({raw.strip()!r}).")
    if cleaned.startswith("+"):
        cleaned = cleaned[1:].strip()
    cleaned = _strip_currency_marks(cleaned, code)
    match = _GROUPED.match(cleaned)
    if match is None or (match.group(1) is None and not match.group(2)):
        raise ValueError(_shape_problem(raw.strip()))
    whole = re.sub(r"[,\s]", "", match.group(1) or "0")
    fraction = match.group(2) or ""
    if len(fraction.rstrip("0")) > exponent:
        raise ValueError(_decimals_problem(raw.strip(), code, exponent))
    try:
        value = Decimal(f"{whole}.{fraction or '0'}")
    except InvalidOperation as exc:  # the regex makes this unreachable; keep the message
        raise ValueError(_shape_problem(raw.strip())) from exc
    minor_units = int(value.scaleb(exponent))
    if minor_units > MAX_AMOUNT:
        raise ValueError(
            f"{raw.strip()} is above Stripe's limit of "
            f"{format_amount(MAX_AMOUNT, code)} for one amount."
        )
    problem = currency_rule_problem(minor_units, code)
    if problem is not None:
        raise ValueError(problem)
    return minor_units


def amount_step(currency: str) -> int:
    """Minor units an amount in ``currency`` must be a multiple of (1, 10 or 100)."""
    return AMOUNT_STEPS.get(normalise_currency(currency), 1)


def currency_rule_problem(minor_units: int, currency: str) -> str | None:
    """Why Stripe would not take ``minor_units`` of ``currency``, or ``None``.

    Applies the step rules of https://docs.stripe.com/currencies (three-decimal
    currencies end in 0, ISK in 00); the message says why and offers the nearest amounts.
    The caller raises the error naming its field; the limit of 8 digits is checked by
    :func:`parse_amount` and by the invoice rules (which name the line).
    """
    code = normalise_currency(currency)
    step = AMOUNT_STEPS.get(code, 1)
    if step == 1 or int(minor_units) % step == 0:
        return None
    shown = format_amount(int(minor_units), code)
    lower = format_amount(int(minor_units) // step * step, code)
    upper = format_amount((int(minor_units) // step + 1) * step, code)
    if code == "isk":
        return (
            f"ISK amounts must be whole krónur: Stripe takes ISK with two decimals that are "
            f"always 00, so {shown} cannot be charged; use {lower} or {upper}."
        )
    return (
        f"{code.upper()} amounts must end in 0: Stripe charges three-decimal currencies "
        f"(BHD, JOD, KWD, OMR, TND) only in steps of 0.010, so {shown} cannot be charged; "
        f"use {lower} or {upper}."
    )


def format_amount(minor_units: int, currency: str) -> str:
    """``123450, "usd"`` → ``"$1,234.50"``; ``1235, "jpy"`` → ``"¥1,235"``."""
    code = normalise_currency(currency)
    major = to_major(minor_units, code)
    sign = "-" if major < 0 else ""
    digits = f"{abs(major):,f}"
    symbol = _SYMBOLS.get(code)
    if symbol is not None:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {code.upper()}"


def _strip_currency_marks(text: str, code: str) -> str:
    """Drop a leading symbol or a leading/trailing code the user typed with the amount."""
    symbol = _SYMBOLS.get(code, "").strip()
    if symbol and text.startswith(symbol):
        text = text[len(symbol) :].strip()
    for pattern in (_LEADING_CODE, _TRAILING_CODE):
        found = pattern.search(text)
        if found is None:
            continue
        if found.group(1).lower() != code:
            raise ValueError(
                f"The amount is marked {found.group(1).upper()} but the currency is {code.upper()}."
            )
        text = (text[: found.start()] + text[found.end() :]).strip()
    return text


def _foreign_digit(char: str) -> bool:
    """A digit that is not ASCII 0-9 (full-width, Arabic-Indic, superscript ...)."""
    return not "0" <= char <= "9" and (char.isdigit() or unicodedata.category(char) == "Nd")


def _shape_problem(text: str) -> str:
    if re.search(r"\d,\d{1,2}$", text):
        return (
            f"{text!r} is not an amount: use a dot for decimals (1,234.50); "
            "commas may only separate thousands."
        )
    return (
        f"{text!r} is not an amount: use digits, an optional dot for decimals, "
        "and commas or spaces only between thousands (1,234.50)."
    )


def _decimals_problem(text: str, code: str, exponent: int) -> str:
    if exponent == 0:
        return f"{code.upper()} has no decimal places: enter a whole number, not {text!r}."
    return f"{code.upper()} amounts have at most {exponent} decimal places; {text!r} has more."
