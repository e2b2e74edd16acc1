"""Downloads of ready bytes, whose address survives the page running again.

Streamlit serves a ``download_button``'s data at an address derived from the bytes, the
file name and the type; data made on click (a callable) instead gets a new address on
every run, and the previous one is dropped. The login cookie's extra run (about half
a second after a page loads), a Refresh or any widget therefore made an early click
hit a file that no longer existed. So every download here hands Streamlit bytes that
are already made and kept in the session, built once per *version* (a text naming
what the file holds: the query, the statement, the data's freshness):

- :func:`kept_bytes` builds a file when its version is first shown (cheap files: a
  statement's PDF);
- :func:`prepare_button` builds several files when the user asks ("Prepare …"; a
  whole filtered set of up to 100,000 invoices is not built on every page load) and
  keeps them until the version changes.

Tested in ``tests/ui/test_ready_downloads.py``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from services.core.clock import business_time, utc_now

_PREFIX = "_ready_download."


@dataclass(frozen=True)
class ReadyFiles:
    """Files made for one version: name (e.g. ``"csv"``) → bytes, and when."""

    version: str
    files: Mapping[str, bytes]
    made_at: datetime


def version_of(*parts: object) -> str:
    """A short stable version text for ``parts`` (their ``repr``)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def ready(key: str, version: str) -> ReadyFiles | None:
    """The files kept under ``key`` when they were made for ``version``, else None."""
    held = st.session_state.get(_PREFIX + key)
    return held if isinstance(held, ReadyFiles) and held.version == version else None


def keep(key: str, version: str, files: Mapping[str, bytes]) -> ReadyFiles:
    """Keep ``files`` under ``key`` for ``version`` (replacing any other version's)."""
    made = ReadyFiles(version, dict(files), utc_now())
    st.session_state[_PREFIX + key] = made
    return made


def kept_bytes(key: str, version: str, build: Callable[[], bytes]) -> bytes:
    """The bytes of one file for ``version``: built on the first run that shows it, then
    the same bytes (hence the same download address) on every later run."""
    found = ready(key, version)
    if found is None:
        found = keep(key, version, {"file": build()})
    return found.files["file"]


def prepare_button(
    key: str, version: str, build: Callable[[], Mapping[str, bytes]], *, label: str,
    spinner: str = "Preparing the files…",
) -> ReadyFiles | None:
    """The files of ``version`` once prepared; until then a ``label`` button that builds
    them (``build`` returns name → bytes) and keeps them in the session. A new version
    (other filters, changed data) shows the button again."""
    found = ready(key, version)
    if found is not None:
        return found
    if st.button(label, key=f"{key}.prepare", icon=":material/file_export:"):
        with st.spinner(spinner):
            return keep(key, version, build())
    return None


def made_at_text(files: ReadyFiles) -> str:
    """"Prepared at 14:03:07" in the business time zone."""
    return f"Prepared at {business_time(files.made_at):%H:%M:%S}"
