"""The one launcher of a real dashboard server: ``streamlit run app.py`` on a free port.

Used by the browser tests (``tests/ui/browser``), the benches (``bench/``) and the
scripts (``scripts/``): start the server with the given environment, wait until
``GET /healthz`` answers 200, and stop it (terminate, then kill after 10 s).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
HEALTH_PATH = "/healthz"
STREAMLIT_FLAGS = (
    "--server.headless=true",
    "--browser.gatherUsageStats=false",
    "--server.fileWatcherType=none",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    env: Mapping[str, str], port: int, *, log: IO[str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``streamlit run app.py`` on ``port`` with ``os.environ`` updated by ``env``.

    Standard output is discarded; standard error goes to ``log`` (discarded if None).
    """
    # No --server.address: the server listens where the project's config says (loopback).
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", f"--server.port={port}",
         *STREAMLIT_FLAGS],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.DEVNULL,
    )


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until ``process`` answers 200 at ``url``; RuntimeError if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the dashboard did not answer at {url} within {timeout:.0f} s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server; kill it if it has not exited after 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@contextmanager
def dashboard_server(
    env: Mapping[str, str],
    *,
    port: int | None = None,
    log_path: Path | None = None,
    timeout: float = 60,
) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:<port>``) of a healthy dashboard server.

    ``env`` is added to this process's environment (Stripe key and base, database URL,
    login settings...); ``port`` defaults to a free one. The server's standard error
    is written to ``log_path``.
    """
    port = port if port is not None else free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_path.open("w") if log_path is not None else None
    process = start_server(env, port, log=log)
    try:
        wait_until_healthy(f"{url}{HEALTH_PATH}", process, timeout)
        yield url
    finally:
        stop_server(process)
        if log is not None:
            log.close()
