"""The emulator's database file holds webhook signing secrets and customers' details:
only its owner may read it, whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from stripe_emulator.lib.storage import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_private_under_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = tmp_path / "data" / "emulator.sqlite3"
        store = Store(path)
        store.conn.execute("CREATE TABLE probe (x)")  # the WAL files appear on first write
        store.conn.close()
    finally:
        os.umask(previous)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if side.exists():
            assert _mode(side) & 0o077 == 0


def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "emulator.sqlite3"
    Store(path).conn.close()
    os.chmod(path, 0o644)
    Store(path).conn.close()
    assert _mode(path) == 0o600
