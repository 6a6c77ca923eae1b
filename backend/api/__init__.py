"""Blueprints by area, all under /api/v1 except the health probes."""

from __future__ import annotations

from importlib import import_module

from sanic import Sanic

# One area per line, in the order they appear in the API docs.
AREAS = [
    "health",
    "auth",
    "regions",
    "admin",
    "menu",
    "orders",
    "teams",
    "uploads",
    "notifications",
    "visits",
    "offline",
    "feedback",
    "bases",
    "certificates",
    "exports",
    "privacy",
    "audit",
    "experts",
    "search",
    "achievements",
    "recommendations",
    "figures",
    "cases",
]


def register_blueprints(app: Sanic) -> None:
    for area in AREAS:
        app.blueprint(import_module(f"backend.api.{area}").bp)
