"""Customer pickers reach every customer, not only the newest the pickers load.

The pickers load the newest 1,000 customers; the tests cut that to 2 (``Customers.table``
patched) and make 4 customers, so two of them are beyond the list: those are found by
name in the "Find a customer" box and chosen, and one named in a link stays selected.
"""

from __future__ import annotations

import pytest

from tests.ui import seed
from ui.customer_picker import FIND_LABEL
from ui.forms import widget_key

NEW_INVOICE = "pages/new_invoice.py"
INVOICES = "pages/invoices.py"


@pytest.fixture
def beyond(services, monkeypatch):  # type: ignore[no-untyped-def]
    """Four customers with the pickers' list cut to the newest 2; returns one not in it."""
    from services.customers.records import Customers

    made = [seed.customer(services, name=f"Picker {n} {seed.nonce()}") for n in range(4)]
    table = Customers.table
    monkeypatch.setattr(Customers, "table", lambda self, limit=2: table(self, limit))
    monkeypatch.setattr("ui.customer_picker.NEWEST_CUSTOMERS", 2)
    newest = set(services.customers.table()["customer_id"])
    assert len(newest) == 2
    return next(c for c in made if c.id not in newest)


def _find_box(at):  # type: ignore[no-untyped-def]
    return next(t for t in at.text_input if t.label == FIND_LABEL)


def _option_ids(at, key: str) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.selectbox(key=key).options)


def test_an_old_customer_is_found_by_name_and_chosen_on_new_invoice(  # type: ignore[no-untyped-def]
    app_test, beyond
):
    key = widget_key("new_invoice", "customer")
    at = app_test(NEW_INVOICE, role="clerk").run()
    assert not at.exception
    label = f"{beyond.name} ({beyond.email})"
    assert label not in _option_ids(at, key)  # not among the newest 2
    _find_box(at).input(beyond.name.lower()).run()
    assert _option_ids(at, key) == [label]
    at.selectbox(key=key).set_value(beyond.id).run()
    assert at.selectbox(key=key).value == beyond.id
    _find_box(at).input("").run()  # back to the newest list: the choice is kept
    assert at.selectbox(key=key).value == beyond.id
    assert not at.exception


def test_an_old_customer_is_found_and_filters_the_invoices(app_test, beyond):  # type: ignore[no-untyped-def]
    at = app_test(INVOICES, role="viewer").run()
    assert not at.exception
    _find_box(at).input(beyond.email).run()
    assert _option_ids(at, "customer_filter") == [f"{beyond.name} ({beyond.email})"]
    at.selectbox(key="customer_filter").set_value(beyond.id).run()
    assert at.query_params["customer"] == beyond.id  # kept in the URL
    assert at.selectbox(key="customer_filter").value == beyond.id


def test_a_customer_in_the_link_stays_selected_beyond_the_newest(app_test, beyond):  # type: ignore[no-untyped-def]
    at = app_test(INVOICES, role="viewer", customer=beyond.id).run()
    assert not at.exception
    picker = at.selectbox(key="customer_filter")
    assert picker.value == beyond.id
    assert f"{beyond.name} ({beyond.email})" in picker.options  # named, not shown by id


def test_a_small_book_has_no_search_box(app_test, services):  # type: ignore[no-untyped-def]
    customer = seed.customer(services)
    at = app_test(INVOICES, role="viewer").run()
    assert FIND_LABEL not in [t.label for t in at.text_input]
    assert f"{customer.name} ({customer.email})" in at.selectbox(key="customer_filter").options


def test_statement_finds_an_old_customer_and_names_it_in_the_link(app_test, beyond):  # type: ignore[no-untyped-def]
    at = app_test("pages/statement.py", role="viewer").run()
    assert not at.exception
    _find_box(at).input(beyond.name).run()
    at.selectbox(key="statement_customer").set_value(beyond.id).run()
    assert not at.exception
    assert at.query_params["customer"] == beyond.id
    assert at.selectbox(key="statement_customer").value == beyond.id


def test_a_count_ahead_of_the_list_does_not_make_a_small_book_search(  # type: ignore[no-untyped-def]
    app_test, services, monkeypatch
):
    """A count read at another moment than the list (one customer more, say) must not
    turn a whole book shorter than the limit into a search box that pushes the
    invoices down the page."""
    from services.customers.records import Customers

    customer = seed.customer(services)
    count = Customers.count
    monkeypatch.setattr(Customers, "count", lambda self: count(self) + 1)
    at = app_test(INVOICES, role="viewer").run()
    assert FIND_LABEL not in [t.label for t in at.text_input]
    assert f"{customer.name} ({customer.email})" in at.selectbox(key="customer_filter").options


def test_the_picker_lists_customers_from_a_to_z(app_test, services):  # type: ignore[no-untyped-def]
    """Newest first is how the table reads; a picker is read by name (a new user looked for
    "Nordlicht" between "Hoshino" and "Riverbend")."""
    for name in ("Zeta Works", "alpha Partners", "Mira Ltd"):
        seed.customer(services, name=name)
    at = app_test("pages/new_invoice.py", role="clerk").run()
    picker = at.selectbox(key=widget_key("new_invoice", "customer"))
    names = [picker.format_func(option).split(" (")[0] for option in picker.options]
    shown = [n for n in names if n in ("Zeta Works", "alpha Partners", "Mira Ltd")]
    assert shown == ["alpha Partners", "Mira Ltd", "Zeta Works"]
    assert names == sorted(names, key=str.casefold)
