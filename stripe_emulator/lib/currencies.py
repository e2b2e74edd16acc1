"""Currencies Stripe accepts (lowercase ISO 4217) and their minor-unit exponents."""

from __future__ import annotations

from stripe_emulator.lib.errors import InvalidRequestError

_SUPPORTED = """
usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd bwp byn
bzd cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf
gtq gyd hkd hnl htg huf idr ils inr isk jmd jod jpy kes kgs khr kmf krw kwd kyd kzt lak lbp lkr
lrd lsl mad mdl mga mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd omr pab pen
pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sle sos srd std szl thb tjs tnd
top try ttd twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw
"""
_ZERO_DECIMAL = "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf"
_THREE_DECIMAL = "bhd jod kwd omr tnd"

SUPPORTED_CURRENCIES = frozenset(_SUPPORTED.split())
ZERO_DECIMAL = frozenset(_ZERO_DECIMAL.split())
THREE_DECIMAL = frozenset(_THREE_DECIMAL.split())


def validate_currency(value: str, param: str = "currency") -> str:
    """The lowercase code, or 400 naming ``param``."""
    code = value.strip().lower()
    if code not in SUPPORTED_CURRENCIES:
        raise InvalidRequestError(
            f"Invalid currency: {value}. Stripe currently supports these currencies: "
            + ", ".join(sorted(SUPPORTED_CURRENCIES)),
            param=param,
        )
    return code


def exponent(currency: str) -> int:
    """Digits after the decimal point in ``currency``'s minor unit."""
    if currency in ZERO_DECIMAL:
        return 0
    return 3 if currency in THREE_DECIMAL else 2


def format_money(amount: int, currency: str) -> str:
    """``1,234.56 USD`` from minor units (exact: integer arithmetic only)."""
    digits = exponent(currency)
    sign = "-" if amount < 0 else ""
    whole, minor = divmod(abs(int(amount)), 10 ** digits) if digits else (abs(int(amount)), 0)
    fraction = f".{minor:0{digits}d}" if digits else ""
    return f"{sign}{whole:,}{fraction} {currency.upper()}"
