"""Paging the Invoices list raises no Streamlit warning: the pager is given the page to
show as its default (a new pager when that page changes: a new filter, a page past the
end, a link), never also through ``st.session_state``, which logged "The widget with key
"page" was created with a default value but also had its value set via the Session State
API" with a stack trace on every server. The page still lives in the URL (``?page=``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from streamlit.elements.lib import policies

from tests.ui.test_invoice_listing import book  # noqa: F401  (8 invoices, pages of 2)

WARNING_WORDS = "was created with a default value but also had its value set"


@pytest.fixture
def streamlit_warnings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The warnings Streamlit's widget policies log from now on (each is logged once per
    process, so the once-flag is reset; the streamlit loggers do not propagate)."""
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    logged: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record.getMessage())

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger(policies.__name__)
    logger.addHandler(handler)
    try:
        yield logged
    finally:
        logger.removeHandler(handler)


def _ids(at) -> list[str]:  # type: ignore[no-untyped-def]
    return list(at.dataframe[0].value["Invoice ID"])


def test_paging_and_a_new_filter_log_no_widget_warning(  # type: ignore[no-untyped-def]
    app_test, book, streamlit_warnings  # noqa: F811
) -> None:
    customer, ids = book
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, rows="2",
                  sort="Total", order="Ascending").run()
    in_order = [ids[total] for total in sorted(ids)]
    assert _ids(at) == in_order[:2]
    at.pagination[0].select(3).run()
    assert not at.exception, at.exception
    assert _ids(at) == in_order[4:6]
    assert at.query_params.get("page") == "3"
    at.selectbox(key="order").set_value("Descending").run()  # a new order: page 1 again
    assert not at.exception, at.exception
    assert at.pagination[0].value == 1
    assert _ids(at) == in_order[::-1][:2]
    assert "page" not in at.query_params
    at.pagination[0].select(4).run()
    assert _ids(at) == in_order[::-1][6:]
    assert not [line for line in streamlit_warnings if WARNING_WORDS in line], streamlit_warnings


def test_a_link_past_the_end_opens_the_last_page_and_the_url_says_so(  # type: ignore[no-untyped-def]
    app_test, book, streamlit_warnings  # noqa: F811
) -> None:
    customer, ids = book
    at = app_test("pages/invoices.py", role="viewer", customer=customer.id, rows="2",
                  sort="Total", order="Ascending")
    at.query_params["page"] = "99"  # app_test's own first argument is named page
    at.run()
    assert not at.exception, at.exception
    in_order = [ids[total] for total in sorted(ids)]
    assert _ids(at) == in_order[6:]
    assert at.pagination[0].value == 4 and at.query_params.get("page") == "4"
    at.pagination[0].select(1).run()  # page 1 is not written to the URL
    assert _ids(at) == in_order[:2] and "page" not in at.query_params
    at.query_params["page"] = "2"  # the URL changed outside the pager (back, forward)
    at.run()
    assert _ids(at) == in_order[2:4] and at.pagination[0].value == 2
    assert not [line for line in streamlit_warnings if WARNING_WORDS in line], streamlit_warnings
