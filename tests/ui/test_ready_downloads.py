"""An early click on a download finds its file (issue 14 item 9): the Invoices page's export
of every match and a statement's PDF, CSV and Excel are ready bytes whose address
survives the page running again (the login cookie's run about half a second after
loading, a Refresh, any widget). A download built on click got a new address on every
run, and the previous one was dropped before the click reached it.

Streamlit names a download by its bytes, type and file name
(``memory_media_file_storage._calculate_file_id``), so "the same address after a rerun"
is "the same file is still served", and the address names the prepared bytes.
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from streamlit.runtime.memory_media_file_storage import _calculate_file_id

from services.core.clock import business_today
from services.core.models import DraftItem
from tests.ui import seed
from tests.ui.test_money_reports import book  # noqa: F401  (the statement book fixture)
from ui.ready_downloads import ReadyFiles
from ui.tables import EXCEL_MIME


def addresses(at: Any) -> dict[str, str]:
    return {button.label: button.proto.url for button in at.get("download_button")}


def names(url: str, data: bytes, mime: str, file_name: str) -> bool:
    """Whether the download address ``url`` serves ``data`` (as ``file_name``)."""
    return _calculate_file_id(data, mime, file_name) in url


def test_every_match_export_is_prepared_once_and_survives_reruns(app_test, services) -> None:
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    made = [services.invoices.create_draft(
        seed.ADMIN, customer_id=customer.id, items=[DraftItem(price_id=price.id, quantity=1)],
        days_until_due=30, memo=None, footer=None, po_number=None, currency="usd",
        form_nonce=seed.nonce()).id for _ in range(53)]  # fmt: skip
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, rows="50").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 50  # one page on screen…
    assert addresses(at) == {}  # nothing to click before it is ready
    at.button(key="invoices_export.prepare").click().run()
    first = addresses(at)
    assert set(first) == {"CSV", "Excel"} and all(first.values())

    for _ in range(2):  # the login cookie's run, a Refresh
        at.run()
        assert addresses(at) == first
    ready = at.session_state["_ready_download.invoices_export"]
    assert isinstance(ready, ReadyFiles)
    csv = ready.files["csv"]
    basename = f"invoices-{business_today():%Y-%m-%d}"
    assert names(first["CSV"], csv, "text/csv", f"{basename}.csv")
    assert names(first["Excel"], ready.files["xlsx"], EXCEL_MIME, f"{basename}.xlsx")
    rows = csv.decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + len(made)  # …every match in the file
    sheet = openpyxl.load_workbook(io.BytesIO(ready.files["xlsx"])).active
    assert sheet is not None and sheet.max_row == 1 + len(made)

    at.selectbox(key="rows").set_value(100).run()  # another query: prepared again
    assert addresses(at) == {}
    assert at.button(key="invoices_export.prepare").label.startswith("Prepare")


def test_the_statement_files_keep_their_address_on_a_rerun(app_test, book) -> None:  # noqa: F811
    at = app_test("pages/statement.py", role="viewer", customer=book.customer_id,
                  **{"from": "2026-11-01", "to": "2026-11-30"}).run()
    assert not at.exception, at.exception
    first = addresses(at)
    assert set(first) == {"CSV", "Excel", "PDF"} and all(first.values())
    at.run()
    assert addresses(at) == first
    basename = f"statement-{book.customer_id}-2026-11-01-2026-11-30"
    pdf = at.session_state[f"_ready_download.statement.{book.customer_id}.2026-11-01."
                           "2026-11-30.pdf"]
    assert isinstance(pdf, ReadyFiles)
    assert pdf.files["file"].startswith(b"%PDF")
    assert names(first["PDF"], pdf.files["file"], "application/pdf", f"{basename}.pdf")
