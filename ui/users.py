"""The users who may log in: a YAML file of usernames, roles and bcrypt hashes (outside git).

The file is streamlit-authenticator's ``credentials`` config, and its
:class:`streamlit_authenticator.Hasher` makes, recognises and checks the hashes (the
login form and its throttling are :mod:`ui.auth` over
:class:`services.core.login_guard.LoginGuard`; the cookie is :mod:`ui.login_cookie`).

Layout::

    credentials:
      usernames:
        alice: {name: Alice Martin, email: alice@example.com, roles: [approver],
                password: "$2b$12$..."}   # bcrypt hash, never plain text

In emulator mode, when the users file is missing, demo users with documented
passwords are written to ``<data dir>/demo-users.yaml`` together with a random
cookie key; against Stripe (test or live) the dashboard refuses to start with
those demo users.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from streamlit_authenticator import Hasher

from services.core.access import Role
from services.core.errors import ConfigurationError

#: Demo accounts (emulator mode only). The passwords are documented in ui/README.md.
DEMO_PASSWORDS: dict[str, str] = {
    "viewer": "viewer-demo",
    "clerk": "clerk-demo",
    "approver": "approver-demo",
    "admin": "admin-demo",
}
DEMO_USERS_FILE = "demo-users.yaml"
DEMO_COOKIE_KEY_FILE = "demo-cookie-key"
_ROLE_ORDER = (Role.VIEWER, Role.CLERK, Role.APPROVER, Role.ADMIN)


@dataclass(frozen=True)
class UserDirectory:
    """Credentials loaded from a users file, plus whether they are the demo accounts."""

    credentials: dict[str, Any]
    source: Path
    is_demo: bool


def hash_password(password: str) -> str:
    """A bcrypt hash (cost 12) for a users file (``python -m ui.users`` prints one)."""
    return Hasher.hash(password)


def highest_role(roles: list[str] | tuple[str, ...] | None) -> Role | None:
    """The most trusted known role in ``roles``; ``None`` when there is none."""
    known = [Role(r) for r in roles or () if r in {x.value for x in Role}]
    return max(known, key=_ROLE_ORDER.index) if known else None


def load_users(path: Path) -> UserDirectory:
    """Read and check a users file: every user needs a bcrypt hash and a known role."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigurationError(
            f"login.users_file: cannot read {path}", field="login.users_file"
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(
            f"login.users_file: {path} is not valid YAML", field="login.users_file"
        ) from exc
    users = (document.get("credentials") or {}).get("usernames") or {}
    if not users:
        raise ConfigurationError(
            f"login.users_file: {path} defines no users under credentials.usernames",
            field="login.users_file",
        )
    for username, user in users.items():
        password = str((user or {}).get("password") or "")
        if not Hasher.is_hash(password):
            raise ConfigurationError(
                f"login.users_file: user {username!r} needs a bcrypt password hash "
                "(python -m ui.users <password>)",
                field="login.users_file",
            )
        if highest_role(user.get("roles")) is None:
            raise ConfigurationError(
                f"login.users_file: user {username!r} needs one of the roles "
                f"{', '.join(r.value for r in Role)}",
                field="login.users_file",
            )
    credentials = {"usernames": {str(k).lower(): dict(v) for k, v in users.items()}}
    return UserDirectory(credentials, path, is_demo=bool(document.get("demo")))


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` readable and writable by its owner only (0600), never wider."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT


def private_data_dir(data_dir: Path) -> Path:
    """``data_dir``, created (or tightened) to 0700: it holds secrets and Stripe data."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    return data_dir


def require_private(path: Path, setting: str) -> None:
    """Refuse a secrets file that others than its owner may read (``chmod 600`` fixes it)."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            f"{path} can be read by other users of this machine (mode "
            f"{stat.S_IMODE(mode):03o}); run `chmod 600 {path}` before connecting to Stripe",
            field=setting,
        )


def ensure_demo_users(data_dir: Path) -> tuple[Path, str]:
    """Write the demo users file and a random cookie key under ``data_dir`` if missing
    (the folder 0700, both files 0600)."""
    private_data_dir(data_dir)
    users_path = data_dir / DEMO_USERS_FILE
    key_path = data_dir / DEMO_COOKIE_KEY_FILE
    if not users_path.exists():
        usernames = {
            name: {
                "name": f"Demo {name}",
                "email": f"{name}@demo.invalid",
                "roles": [name],
                "password": hash_password(password),
            }
            for name, password in DEMO_PASSWORDS.items()
        }
        document = {"demo": True, "credentials": {"usernames": usernames}}
        _write_private(users_path, yaml.safe_dump(document, sort_keys=False))
    if not key_path.exists():
        _write_private(key_path, secrets.token_hex(32))
    return users_path, key_path.read_text(encoding="utf-8").strip()


def refuse_demo_against_stripe(directory: UserDirectory) -> None:
    """Raise when demo accounts (or a demo password) would guard a real Stripe account."""
    if directory.is_demo:
        raise ConfigurationError(
            "The demo users only exist for the emulator; create config/users.yaml before "
            "connecting to Stripe",
            field="login.users_file",
        )
    for username, password in DEMO_PASSWORDS.items():
        user = directory.credentials["usernames"].get(username)
        if user and Hasher.check_pw(password, str(user["password"])):
            raise ConfigurationError(
                f"User {username!r} still has the documented demo password; change it before "
                "connecting to Stripe",
                field="login.users_file",
            )


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m ui.users <password>   (prints a bcrypt hash for users.yaml)")
    print(hash_password(sys.argv[1]))
