"""`python -m backend` as run.sh starts it: a real process, real sockets, a demo login.

The in-process test client shares one task context with the fixtures; a
served app does not (listeners and requests run in different tasks), so
this catches start-up wiring the other tests cannot.
"""

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


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    var = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite://{var / 'app.sqlite3'}",
        "REDIS_URL": "",
        "PORT": str(port),
        "STORAGE_DIR": str(var / "uploads"),
        "PYTHONPATH": str(ROOT),
    }
    for command in (["migrate"], ["seed", "--demo"]):
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
    yield base
    process.terminate()
    try:
        # Generous: the machine may be busy, and a graceful stop lets background jobs finish first.
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the server did not stop within 90 s of SIGTERM")


def test_the_served_app_is_ready_on_the_embedded_defaults(served):
    response = httpx.get(f"{served}/readyz", timeout=5)
    assert response.status_code == 200, response.text


def test_a_demo_admin_logs_in_through_the_fake_wechat_and_sees_their_area(served):
    response = httpx.post(f"{served}/api/v1/auth/wechat-login", json={"code": "county-admin#1"}, timeout=5)
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    assert user["active_role"] == "local_admin"
    assert user["region_code"].endswith("000000")
    me = httpx.get(f"{served}/api/v1/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.json()["id"] == user["id"]


def test_metrics_are_served_to_a_scraper_on_this_machine(served):
    httpx.get(f"{served}/healthz", timeout=5)
    response = httpx.get(f"{served}/metrics", timeout=5)
    assert response.status_code == 200
    assert 'zjfw_http_requests_total{method="GET",route="healthz",status="200"}' in response.text


def test_the_served_app_refuses_to_start_in_production_on_defaults():
    env = {**os.environ, "APP_ENV": "production", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "backend", "serve"], env=env, cwd=ROOT, capture_output=True,
                            timeout=60)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "拒绝以生产模式启动" in message and "SQLite" in message and "模拟微信" in message
