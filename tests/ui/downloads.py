"""The files a page offers, recorded as its download buttons are drawn.

Import the fixture into a test module (``from tests.ui.downloads import
served_fixture  # noqa: F401``); it is registered as ``served``: the list of every
download button drawn from then on, each a :class:`Served` (label, the bytes handed to
``download_button``, file name), so a test reads exactly the file a click downloads,
under the name it is saved as.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from streamlit.delta_generator import DeltaGenerator


@dataclass(frozen=True)
class Served:
    """One download button as drawn: its label, the bytes it serves and their file name."""

    label: str
    data: Any
    file_name: str | None


@pytest.fixture(name="served")
def served_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Served]]:
    """Every download button drawn from now on, in order."""
    drawn: list[Served] = []
    original = DeltaGenerator.download_button

    def recording(self: DeltaGenerator, label: str, data: Any, file_name: str | None = None,
                  mime: str | None = None, **options: Any) -> bool:
        drawn.append(Served(label, data, file_name))
        return original(self, label, data, file_name, mime, **options)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    yield drawn


def excel_files(drawn: list[Served]) -> list[Served]:
    """The Excel downloads among ``drawn``."""
    return [file for file in drawn if file.label == "Excel"]
