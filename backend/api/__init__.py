"""Blueprints by area, all under /api/v1 except the health probes."""

from __future__ import annotations

from sanic import Sanic


def register_blueprints(app: Sanic) -> None:
    from backend.api import admin, auth, health, regions

    for blueprint in (health.bp, auth.bp, regions.bp, admin.bp):
        app.blueprint(blueprint)
