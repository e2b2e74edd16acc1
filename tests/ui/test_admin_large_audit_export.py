"""Admin with a long audit log: its CSV and Excel are made when asked ("Prepare …"), then
offered as downloads holding every entry shown; a new entry asks for them again. A short
log keeps its files ready at once (tests/ui/test_admin.py)."""

from __future__ import annotations

import io

import openpyxl

from services.core.access import Actor, Role
from tests.ui.page_fixtures import stripe_services_fixture  # noqa: F401  (fixture)

ENTRIES = 501  # one more than ui.tables.READY_EXPORT_ROWS
PREFIX = "_ready_download."  # ui.ready_downloads keeps prepared files under this key prefix
PAGE = "pages/admin.py"


def _labels(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.label for b in at.get("download_button")]


def _prepare(at):  # type: ignore[no-untyped-def]
    return [b for b in at.button if b.label.startswith("Prepare CSV and Excel of these")]


def test_a_long_audit_log_is_exported_when_asked_with_every_entry(app_test, stripe_services):
    clerk = Actor("carl", Role.CLERK)
    for n in range(ENTRIES):
        stripe_services.audit.record(actor=clerk, action="send_invoice", outcome="success",
                                     object_id=f"in_audit_{n:04d}")
    at = app_test(PAGE, role="admin").run()
    assert not at.exception, at.exception
    assert _labels(at) == []  # nothing built on the page load
    shown = next(f.value for f in at.dataframe if "object_id" in f.value.columns)
    assert len(shown) >= ENTRIES
    prepare = _prepare(at)
    assert [b.label for b in prepare] == [
        f"Prepare CSV and Excel of these {len(shown):,} entries"]

    prepare[0].click().run()
    assert not at.exception, at.exception
    assert _labels(at) == ["CSV", "Excel"]
    files = at.session_state[f"{PREFIX}admin_audit_export"].files
    assert files["csv"].decode("utf-8-sig").strip().count("\n") == len(shown)
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    objects = {row[header.index("object_id")].value for row in sheet.iter_rows(min_row=2)}
    assert {f"in_audit_{n:04d}" for n in range(ENTRIES)} <= objects

    at.run()  # the page running again keeps the prepared files
    assert _labels(at) == ["CSV", "Excel"]

    stripe_services.audit.record(actor=clerk, action="send_invoice", outcome="success",
                                 object_id="in_audit_newest")
    at.run()  # a new entry is shown: the files of the old list are not offered for it
    assert _labels(at) == []
    assert [b.label for b in _prepare(at)] == [
        f"Prepare CSV and Excel of these {len(shown) + 1:,} entries"]
