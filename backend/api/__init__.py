"""Blueprints by area, all under /api/v1 except the health probes."""

from __future__ import annotations

from sanic import Sanic


def register_blueprints(app: Sanic) -> None:
    from backend.api import admin, auth, health, menu, orders, regions, teams
    from backend.api import uploads
    from backend.api import notifications

    for blueprint in (health.bp, auth.bp, regions.bp, admin.bp, menu.bp, orders.bp, teams.bp, uploads.bp, notifications.bp):
        app.blueprint(blueprint)
