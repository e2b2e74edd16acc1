"""The switch that keeps Streamlit from running pages/x.py without app.py.

It sets a private Streamlit class attribute (Streamlit 1.67 has no public
setting), so these tests fail loudly when an upgrade changes how the fallback to
the ``pages/`` folder is decided: then ``ui/pages_folder.py`` needs another look.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from ui.pages_folder import disable_pages_folder_fallback

ENTRYPOINT = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The flag as a newly started server has it (undecided); restored afterwards."""
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)


def test_streamlit_still_decides_the_fallback_by_this_attribute() -> None:
    assert "uses_pages_directory" in vars(PagesManager)
    runner = inspect.getsource(script_runner)
    assert "if PagesManager.uses_pages_directory:\n" in runner
    assert "_mpa_v1(self._main_script_path)" in runner  # what runs pages/x.py on its own


def test_without_the_switch_this_project_would_fall_back_to_pages(fresh_process: None) -> None:
    PagesManager(ENTRYPOINT)  # a session of a fresh server: pages/ next to app.py exists
    assert PagesManager.uses_pages_directory is True


def test_after_the_switch_the_pages_folder_is_never_run_on_its_own(fresh_process: None) -> None:
    disable_pages_folder_fallback()
    PagesManager(ENTRYPOINT)
    assert PagesManager.uses_pages_directory is False
