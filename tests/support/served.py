"""`python -m backend serve` as a real process on a free port, for tests that need real sockets."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served_app(var: Path, extra_env: dict[str, str] | None = None, demo: bool = False):
    """Migrate (and seed) a fresh SQLite database under `var`, serve it, yield the base URL, stop it."""
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite://{var / 'app.sqlite3'}",
        "REDIS_URL": "",
        "PORT": str(port),
        "STORAGE_DIR": str(var / "uploads"),
        "PYTHONPATH": str(ROOT),
        **(extra_env or {}),
    }
    for command in (["migrate"], ["seed", "--demo"]) if demo else (["migrate"],):
        subprocess.run([sys.executable, "-m", "backend", *command], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=120)
    process = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"server did not start: {process.stdout.read().decode(errors='replace')[-2000:]}")
    try:
        yield base
    finally:
        process.terminate()
        try:
            # Generous: the machine may be busy, and a graceful stop lets background jobs finish first.
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("the server did not stop within 90 s of SIGTERM")
