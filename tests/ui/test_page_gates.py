"""Every page file's gate asks for the same action as its navigation entry: a page the
role may not use is reachable by address (its gate says why), so the gate must refuse."""

from __future__ import annotations

import re

from ui.navigation import PAGES, ROOT

GATE = re.compile(r"^user = require_page\(Action\.([A-Z_]+)\)", re.MULTILINE)


def test_each_page_gate_matches_its_navigation_action() -> None:
    for spec in PAGES:
        source = (ROOT / spec.path).read_text(encoding="utf-8")
        gates = GATE.findall(source)
        assert gates == [spec.action.name], f"{spec.path}: gate {gates}, menu {spec.action.name}"
