"""The Invoices list, like the Invoice page, shows a voided invoice owing nothing: no
amount due and no amount remaining ("—"); a draft shows no amount remaining."""

from __future__ import annotations

from tests.ui import seed
from tests.ui.seed import ADMIN


def test_void_and_draft_rows_show_no_amount_owed(app_test, services) -> None:  # type: ignore[no-untyped-def]
    customer = seed.customer(services)
    price = seed.one_time_price(services, "10.00")
    draft = seed.draft_invoice(services, customer.id, price.id)
    voided = services.invoices.void(ADMIN, seed.open_invoice(services, customer.id, price.id).id,
                                    reason="issued twice", form_nonce=seed.nonce())
    opened = seed.open_invoice(services, customer.id, price.id)
    at = app_test("pages/invoices.py", role="viewer").run()
    assert not at.exception, at.exception
    table = next(f.value for f in at.dataframe if "Invoice ID" in f.value.columns)
    rows = {row["Invoice ID"]: row for row in table.to_dict("records")}
    due = {i: str(rows[i]["Amount due"]) for i in (draft.id, voided.id, opened.id)}
    remaining = {i: str(rows[i]["Amount remaining"]) for i in (draft.id, voided.id, opened.id)}
    assert due == {draft.id: "$20.00", voided.id: "—", opened.id: "$20.00"}
    assert remaining == {draft.id: "—", voided.id: "—", opened.id: "$20.00"}
    assert str(rows[voided.id]["Total"]) == "$20.00"  # what it was for, still shown
