"""The README stands on its own in a fresh clone, and the first `make run` says what it
is doing while it installs (issue 14 item 10)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "ui/README.md", "docs/services-api.md"]
LINK = re.compile(r"\]\(([^)#\s]+)\)")


@pytest.mark.parametrize("doc", DOCS)
def test_every_link_of_a_doc_is_in_the_repository(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert "../shared" not in text and "DESIGN.md" not in text, "a file a clone does not have"
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto
        assert ((ROOT / doc).parent / target).exists(), f"{doc} links to missing {target}"


def test_readme_says_which_python_and_what_the_first_make_run_does() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11 or newer" in text
    first_run = text[text.index("The first `make run`"):]
    assert "about a minute" in first_run[:400]
    assert "== Setting up .venv" in first_run[:600]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_first_install_prints_each_step(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    planned = subprocess.run(
        ["make", "-n", "-B", f"VENV={venv}", f"{venv}/.installed"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    installs = [i for i, line in enumerate(planned) if "pip install" in line]
    assert installs, planned
    for index in installs:  # every install step is announced just before it runs
        assert planned[index - 1].startswith("echo \"== "), planned[index - 1]
    requirements = next(line for line in planned if "-r requirements.txt" in line)
    assert "--quiet" not in requirements  # pip shows each package it fetches
    assert "3.11" in "\n".join(planned)  # the Python version is checked first
