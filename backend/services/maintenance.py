"""Schema migrations, run by `python -m backend migrate`, run.sh and the test set-up."""

from __future__ import annotations

from tortoise.migrations.api.migrate import migrate

from backend.config import Settings
from backend.infra.db import tortoise_config


async def apply_migrations(settings: Settings, database_url: str | None = None) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    await migrate(config=tortoise_config(settings, database_url), progress=progress)
    return applied
