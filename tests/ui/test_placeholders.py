"""A field's placeholder never looks like a value already typed: it reads "e.g. …".

An empty Percentage field showing a grey "20" looks filled in; clicking Create then
says "Enter the percentage", which a clerk cannot make sense of.
"""

from __future__ import annotations

import pytest

from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    needs_invoicing_fixture,
    stripe_services_fixture,
)


@pytest.mark.parametrize("page", ["pages/customers.py", "pages/catalog.py",
                                  "pages/new_invoice.py"])
def test_every_text_field_placeholder_is_an_example(app_test, stripe_services, needs_invoicing,
                                                    page):
    at = app_test(page, role="admin").run()
    if page == "pages/new_invoice.py":  # the custom-amount line has the typed fields
        at.segmented_control(key="new_invoice_item.kind").set_value("Custom amount").run()
    assert not at.exception
    placeholders = {f.label: f.placeholder for f in at.main.text_input if f.placeholder}
    assert placeholders  # the page has such fields
    assert {label: p for label, p in placeholders.items() if not p.startswith("e.g. ")} == {}
