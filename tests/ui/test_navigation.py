"""The page registry names exactly the page files that exist, so no entry is dead."""

from __future__ import annotations

from ui.navigation import PAGES, ROOT


def test_every_registered_page_file_exists() -> None:
    assert [spec.path for spec in PAGES if not (ROOT / spec.path).is_file()] == []


def test_every_page_file_is_registered() -> None:
    on_disk = {f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py")}
    assert on_disk == {spec.path for spec in PAGES}
