"""A throwaway PostgreSQL server for tests and benches: its own cluster, a free port, removed after.

Uses Debian's PostgreSQL (``apt-get install postgresql``; ``make test`` installs it
when missing). The cluster lives in a temporary directory, listens on 127.0.0.1 at
a free port with ``trust`` authentication (loopback only), and is stopped and
deleted when the context ends. ``initdb`` refuses to run as root, so as root the
server runs as the unprivileged ``postgres`` user that Debian's package creates.

Run alone (``python -m scripts.postgres_cluster``) it prints the URL and waits for
Ctrl-C, for trying the dashboard on PostgreSQL by hand.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.launcher import free_port

SERVER_USER = "postgres"  # created by Debian's postgresql package
DATABASE = "postgres"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are not installed, or the cluster did not start."""


def server_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with ``initdb`` and ``pg_ctl``."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    if not candidates:
        found = shutil.which("initdb")
        if found is None:
            raise PostgresUnavailable(
                "PostgreSQL is not installed: apt-get install postgresql (make test does this)"
            )
        return Path(found).resolve().parent
    return Path(candidates[-1]).parent


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError as err:
        raise PostgresUnavailable(
            f"running as root needs the unprivileged user {SERVER_USER!r} "
            "(created by Debian's postgresql package)"
        ) from err
    return ["runuser", "-u", SERVER_USER, "--", *command]


def _run(command: list[str], log: Path) -> None:
    with log.open("a") as out:
        finished = subprocess.run(
            _as_server_user(command), stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if finished.returncode != 0:
        raise PostgresUnavailable(f"{Path(command[0]).name} failed:\n{log.read_text()}")


@contextmanager
def throwaway_cluster(*, max_connections: int = 200) -> Iterator[str]:
    """Yield ``postgresql://postgres@127.0.0.1:<port>/postgres`` for a fresh, empty server.

    Raises :class:`PostgresUnavailable` when the server programs are missing or the
    server does not start within 30 s.
    """
    bin_dir = server_bin_dir()
    home = Path(tempfile.mkdtemp(prefix="pg-cluster-"))
    data, log = home / "data", home / "server.log"  # the server's own log (its user writes it)
    setup_log = home / "setup.log"  # what initdb and pg_ctl print (this process writes it)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)
    port = free_port()
    try:
        _run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", SERVER_USER, "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
            setup_log,
        )
        options = (
            f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off "
            f"-c max_connections={max_connections}"
        )
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
             "-w", "-t", "30", "start"],
            setup_log,
        )
        yield f"postgresql://{SERVER_USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
            )
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    with throwaway_cluster() as url:
        print(f"PostgreSQL ready: DATABASE_URL={url}  (Ctrl-C stops and removes it)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
