"""Fixtures shared by the security suites."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
async def world_module(resources, client, settings):
    """One world per module, for suites that share it instead of wiping between tests."""
    from security.world import World, wipe

    await wipe(resources)
    world = await World(client, settings).build()
    yield world
    await world.remove_menu_records()
    await wipe(resources)
