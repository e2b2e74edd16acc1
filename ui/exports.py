"""The CSV and Excel files of a table: numbers a spreadsheet can sum, dates as dates, safe text.

On screen an amount reads "$1,234.50" (per row's currency, so a mixed table cannot
use one column format). Such a cell is a :class:`MoneyText`: the text shown that
still knows its integer minor units and currency. An export writes it as a number
in the currency's major unit (``1234.50``; ``¥1,235`` → ``1235``; KWD with three
decimals), beside a currency column, and Excel shows each cell with its
currency's decimals (:func:`spreadsheet_number_format`). Dates and
times stay dates (Excel date cells, ISO text in CSV). Text that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
return; OWASP's CSV-injection guidance) is kept as text, and control characters
that break a workbook are dropped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from services.core.clock import business_zone
from services.core.money import currency_exponent, format_amount, to_major

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML (and so .xlsx) cannot hold, and a bare carriage return (which splits a
# CSV row in Excel): no finance text needs them. Tabs and line feeds are kept (quoted).
_CONTROL = re.compile("[\x00-\x08\x0b-\x0d\x0e-\x1f\x7f]")
CURRENCY_COLUMN = "Currency"
NO_AMOUNT = "—"


def spreadsheet_number_format(currency: str) -> str:
    """The Excel number format of an amount in ``currency``'s major unit, with its decimals
    (``services.core.money.currency_exponent``): ``"jpy"`` → ``"#,##0"``, ``"usd"`` →
    ``"#,##0.00"``, ``"kwd"`` → ``"#,##0.000"``."""
    exponent = currency_exponent(currency)
    return "#,##0" + ("." + "0" * exponent if exponent else "")


class MoneyText(str):
    """An amount as shown ("$1,234.50", or "—" when there is none) that keeps its
    integer ``minor_units`` (None for "—") and lower-case ``currency`` for exports."""

    minor_units: int | None
    currency: str

    def __new__(cls, minor_units: int | None, currency: str) -> MoneyText:
        code = str(currency).lower()
        shown = NO_AMOUNT if minor_units is None else format_amount(int(minor_units), code)
        cell = super().__new__(cls, shown)
        cell.minor_units = None if minor_units is None else int(minor_units)
        cell.currency = code
        return cell

    def __reduce__(self) -> tuple[Any, ...]:
        # Cached frames are pickled, and unpickled on every cache hit: restore the text
        # as made, rather than formatting each amount again (7,000 cells in a table).
        return (_restored_money_text, (str(self), self.minor_units, self.currency))

    @property
    def major(self) -> Decimal | None:
        """The amount in the currency's major unit, exactly (None when there is none)."""
        return None if self.minor_units is None else to_major(self.minor_units, self.currency)


def _restored_money_text(shown: str, minor_units: int | None, currency: str) -> MoneyText:
    """A pickled :class:`MoneyText` as it was: its text, amount and currency."""
    cell = str.__new__(MoneyText, shown)
    cell.minor_units = minor_units
    cell.currency = currency
    return cell


def money_cells(amounts: Iterable[Any], currencies: Iterable[Any]) -> pd.Series:
    """A column of :class:`MoneyText` (object dtype, so pandas keeps the cells as they
    are); an amount that is None or NaN shows "—" and exports as an empty cell."""
    cells = [
        MoneyText(None if amount is None or pd.isna(amount) else int(amount), str(currency))
        for amount, currency in zip(amounts, currencies, strict=True)
    ]
    return pd.Series(cells, dtype=object)


def _money_columns(frame: pd.DataFrame) -> list[str]:
    return [
        str(column) for column in frame.columns
        if frame[column].dtype == object and len(frame[column]) > 0
        and all(isinstance(cell, MoneyText) for cell in frame[column])
    ]  # fmt: skip


@dataclass(frozen=True)
class ExportTable:
    """What a file holds: the frame (amounts as exact major-unit numbers) and, per money
    column, the Excel number format of each row."""

    frame: pd.DataFrame
    number_formats: dict[str, list[str]]


def export_table(shown: pd.DataFrame) -> ExportTable:
    """``shown`` as it is written to a file: every :class:`MoneyText` column becomes
    :class:`~decimal.Decimal` amounts in the major unit (None for "—"), and a
    ``Currency`` column (upper-case code) is added when the frame has none."""
    frame = shown.copy().reset_index(drop=True)
    formats: dict[str, list[str]] = {}
    currencies: list[str] | None = None
    for column in _money_columns(frame):
        cells: list[MoneyText] = list(frame[column])
        formats[column] = [spreadsheet_number_format(cell.currency) for cell in cells]
        currencies = currencies or [cell.currency.upper() for cell in cells]
        frame[column] = pd.Series([cell.major for cell in cells], dtype=object)
    has_currency = any(str(name).lower() == "currency" for name in frame.columns)
    if currencies is not None and not has_currency:
        frame[CURRENCY_COLUMN] = currencies
    return ExportTable(frame, formats)


def _safe_text(value: Any, *, quote_formulas: bool) -> Any:
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value).encode("utf-8", "replace").decode("utf-8")
    if quote_formulas and text.startswith(FORMULA_STARTS):
        return "'" + text  # shown as text by every spreadsheet, never evaluated
    return text


def spreadsheet_safe(frame: pd.DataFrame, *, quote_formulas: bool = True) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells cannot run as formulas or break a file.

    Only text cells change; numeric, date and boolean columns are kept as they are.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda value: _safe_text(value, quote_formulas=quote_formulas)
            )
    safe.columns = [_safe_text(str(name), quote_formulas=quote_formulas)
                    for name in safe.columns]
    return safe


def csv_bytes(shown: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with BOM so spreadsheet programs read accents): amounts as
    plain numbers with their currency's decimals (``1234.50``, ``-5.00``), dates ISO,
    formula-like text quoted (see :func:`spreadsheet_safe`)."""
    table = export_table(shown)
    return spreadsheet_safe(table.frame).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(shown: pd.DataFrame, sheet: str = "Export") -> bytes:
    """The frame as an .xlsx workbook: amounts as number cells in the major unit, each with
    its currency's decimals (``#,##0`` for JPY, ``#,##0.000`` for KWD); dates and times as
    date cells (time zones dropped, which Excel refuses: times are those of the business
    time zone, as on screen).

    Every text cell is stored as text: a name such as ``=HYPERLINK(...)`` is shown as
    written and never becomes a formula.
    """
    table = export_table(shown)
    frame = spreadsheet_safe(table.frame, quote_formulas=False)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert(business_zone()).dt.tz_localize(None)
        elif frame[column].dtype == object:
            frame[column] = frame[column].map(_naive_time)
    buffer = io.BytesIO()
    name = sheet[:31]
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=name)
        worksheet = writer.sheets[name]
        for row in worksheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":  # openpyxl reads text starting with "=" as a formula
                    cell.data_type = "s"
        columns = [str(column) for column in table.frame.columns]
        for column, formats in table.number_formats.items():
            position = columns.index(column) + 1
            for offset, number_format in enumerate(formats):
                worksheet.cell(row=offset + 2, column=position).number_format = number_format
    return buffer.getvalue()


def _naive_time(value: Any) -> Any:
    """A time-zone-aware datetime in an object column, as the naive time of the business
    zone (Excel has no zones)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return pd.Timestamp(value).tz_convert(business_zone()).tz_localize(None).to_pydatetime()
    return value
