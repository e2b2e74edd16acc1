"""Secrets on disk: the data folder 0700, the files we write 0600, and no start against
Stripe while the users file or the secrets file can be read by other users."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from services.core.errors import ConfigurationError
from ui import runtime, users

KEY = "k" * 64


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _real_users_file(path: Path, mode: int) -> Path:
    document = {"credentials": {"usernames": {"alice": {
        "name": "Alice", "email": "alice@example.com", "roles": ["approver"],
        "password": users.hash_password("a long and private passphrase"),
    }}}}  # fmt: skip
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_demo_data_folder_and_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o000)  # the most careless setting a machine can have
    try:
        users_file, _key = users.ensure_demo_users(tmp_path / "data")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "data") == 0o700
    assert _mode(users_file) == 0o600
    assert _mode(tmp_path / "data" / users.DEMO_COOKIE_KEY_FILE) == 0o600


def test_a_data_folder_left_open_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)  # noqa: S103  (the careless state under test)
    users.ensure_demo_users(folder)
    assert _mode(folder) == 0o700


def test_a_users_file_others_can_read_is_refused_against_stripe(tmp_path: Path) -> None:
    users_file = _real_users_file(tmp_path / "users.yaml", 0o644)
    with pytest.raises(ConfigurationError, match="chmod 600") as refused:
        runtime._login_setup(str(users_file), KEY, "c", 0.5, True, str(tmp_path))
    assert refused.value.field == "login.users_file"


def test_a_private_users_file_is_accepted_against_stripe(tmp_path: Path) -> None:
    users_file = _real_users_file(tmp_path / "users.yaml", 0o600)
    setup = runtime._login_setup(str(users_file), KEY, "c", 0.5, True, str(tmp_path))
    assert set(setup.credentials["usernames"]) == {"alice"}
