"""`python -m backend` as run.sh starts it: a real process, real sockets, a demo login.

The in-process test client shares one task context with the fixtures; a
served app does not (listeners and requests run in different tasks), so
this catches start-up wiring the other tests cannot.
"""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from support.served import served_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with served_app(tmp_path_factory.mktemp("served"), demo=True) as base:
        yield base


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
