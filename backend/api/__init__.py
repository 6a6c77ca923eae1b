"""Blueprints by area, all under /api/v1 except the health probes."""

from __future__ import annotations

from sanic import Sanic


def register_blueprints(app: Sanic) -> None:
    from backend.api import admin, auth, feedback, health, menu, notifications, orders, regions, teams, uploads, visits

    blueprints = (health, auth, regions, admin, menu, orders, teams, uploads, notifications, visits, feedback)
    for module in blueprints:
        app.blueprint(module.bp)
