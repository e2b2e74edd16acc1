"""Admin page: connection, webhook status, audit log with filters and export; admins only."""

from __future__ import annotations

from tests.ui import seed
from tests.ui.conftest import texts
from tests.ui.page_fixtures import (  # noqa: F401  (fixtures)
    nonce,
    stripe_services_fixture,
    unique,
)

PAGE = "pages/admin.py"


def test_admin_sees_the_connection(app_test, stripe_services):
    at = app_test(PAGE, role="admin").run()
    assert not at.exception
    connection = dict(zip(at.dataframe[0].value["Setting"], at.dataframe[0].value["Value"],
                          strict=True))
    assert connection["Mode"] == "emulator"
    assert connection["API version"] == "2026-10-28.endive"
    assert connection["API address"] == stripe_services.settings.stripe_api_base
    assert "sk_test_emulator" not in texts(at)  # only a hint of the key, never the key
    assert "Local emulator" in texts(at)


def _audit_frame(at):  # type: ignore[no-untyped-def]
    return next(frame.value for frame in at.dataframe if "object_id" in frame.value.columns)


def test_audit_log_lists_writes_and_filters_by_user(app_test, stripe_services):
    from services.core.access import Actor, Role

    carl = Actor("carl", Role.CLERK)
    customer = stripe_services.customers.create(
        carl, name=unique("Audited"), email="audit@example.test", description=None,
        address=None, form_nonce=nonce(),
    )
    at = app_test(PAGE, role="admin").run()
    log = _audit_frame(at)
    row = log[log["object_id"] == customer.id]
    assert list(row["username"]) == ["carl"]
    assert list(row["action"]) == ["create_customer"]
    assert list(row["outcome"]) == ["success"]
    at.text_input(key="audit_object").input("cus_someone_else").run()
    assert _audit_frame(at).empty
    at.text_input(key="audit_object").input(customer.id).run()
    at.selectbox(key="audit_user").set_value("carl").run()
    assert list(_audit_frame(at)["object_id"]) == [customer.id]
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]


def test_approver_and_viewer_may_not_open_admin(app_test, stripe_services):
    for role in ("approver", "viewer"):
        at = app_test(PAGE, role=role).run()
        assert f"Your role ({role}) may not open this page" in at.error[0].value
        assert not at.dataframe


def test_page_url_without_login_shows_only_the_login(app_test, stripe_services):
    at = app_test(PAGE).run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert "Audit log" not in texts(at)


def _copied(at) -> dict[str, int]:  # type: ignore[no-untyped-def]
    frame = next(d.value for d in at.dataframe if "Copied" in d.value.columns)
    return dict(zip(frame["Object"], frame["Copied"], strict=True))


def test_local_copy_counts_follow_a_new_customer_when_the_page_is_shown_again(
        app_test, stripe_services):
    at = app_test(PAGE, role="admin").run()
    before = _copied(at)
    seed.customer(stripe_services)
    at.run()
    assert _copied(at)["Customers"] == before["Customers"] + 1
