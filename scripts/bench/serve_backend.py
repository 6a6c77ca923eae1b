"""Start the backend the way `python -m backend serve` does, with production-like logging.

`python -m backend serve` turns the access log on outside APP_ENV=production and logs at
INFO; production refuses the fake WeChat server the bench uses. This launcher keeps
everything else identical (Settings from the environment, create_app, the same AppLoader,
metrics shared between several workers through PROMETHEUS_MULTIPROC_DIR) and only switches
the access log off and raises the log level to WARNING.

    python scripts/bench/serve_backend.py --port 8100 --workers 2
"""

from __future__ import annotations

import argparse
import logging
import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

LOGGERS = ("backend", "sanic.root", "sanic.error", "sanic.access", "sanic.server", "tortoise")


def create_quiet_app(settings):
    from backend.app import create_app

    app = create_app(settings)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return app


def main() -> None:
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from backend.config import Settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = Settings.from_env()
    settings.check()
    if args.workers > 1:
        from backend.__main__ import _share_metrics_between_workers

        _share_metrics_between_workers()
    loader = AppLoader(factory=partial(create_quiet_app, settings))
    app = loader.load()
    app.prepare(host="127.0.0.1", port=args.port, workers=args.workers, access_log=False, motd=False,
                backlog=settings.listen_backlog)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
