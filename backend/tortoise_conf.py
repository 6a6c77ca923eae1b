"""Config for Tortoise's own CLI: `python -m tortoise -c backend.tortoise_conf.TORTOISE_ORM makemigrations`."""

from backend.config import Settings
from backend.infra.db import tortoise_config

TORTOISE_ORM = tortoise_config(Settings.from_env())
