"""The README and the other documents a clone carries (ui/README.md,
stripe_emulator/*.md, docs/*.md) stand on their own: they link and point only at files
in the repository. The first `make run` says what it is doing while it installs
(issue 14 item 10)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted(
    ["README.md", "ui/README.md"]
    + [str(p.relative_to(ROOT)) for p in (ROOT / "stripe_emulator").glob("*.md")]
    + [str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")]
)
LINK = re.compile(r"\]\(([^)#\s]+)\)")
#: A path in backticks that leaves the document's folder: `../x/y.md`.
UPWARD_PATH = re.compile(r"`(\.\./[^`\s]+)`")
#: What only the machine the project was built on has (no clone carries it).
OUTSIDE = ("../shared", "/work/", "DESIGN.md")


def test_the_documents_checked_include_every_readme() -> None:
    assert {"README.md", "ui/README.md", "stripe_emulator/README.md",
            "docs/services-api.md"} <= set(DOCS)


@pytest.mark.parametrize("doc", DOCS)
def test_every_link_of_a_doc_is_in_the_repository(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    for outside in OUTSIDE:
        assert outside not in text, f"{doc} names {outside}, which a clone does not have"
    for target in LINK.findall(text) + UPWARD_PATH.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # http(s), mailto
        assert ((ROOT / doc).parent / target).exists(), f"{doc} points at missing {target}"


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
