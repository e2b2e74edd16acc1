"""The read-model panel on the Admin page counts in words: "1 new event applied",
never "1 new event(s)"."""

from __future__ import annotations

import pytest

from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    nonce,
    stripe_services_fixture,
    unique,
)

PAGE = "pages/admin.py"


@pytest.mark.parametrize(("applied", "said"), [(1, "1 new event applied"),
                                               (3, "3 new events applied")])
def test_catch_up_says_how_many_events_in_words(
    app_test, stripe_services, monkeypatch, applied, said
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(stripe_services.upkeep, "catch_up", lambda: applied)
    at = app_test(PAGE, role="admin").run()
    at.button(key="admin_catch_up").click().run()
    assert not at.exception
    toasts = [t.value for t in at.toast]
    assert f"Caught up with Stripe: {said}." in toasts
    assert not [t for t in toasts if "(s)" in t]
