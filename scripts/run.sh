#!/usr/bin/env bash
# Serve the backend with demo data on the embedded defaults (SQLite, in-process Redis, fake WeChat).
# With DATABASE_URL / REDIS_URL set it uses PostgreSQL / Redis instead.
set -euo pipefail
source "$(dirname "$0")/_env.sh"
cd "$ROOT"
ensure_venv requirements.txt
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
"$VENV/bin/python" -m backend migrate
"$VENV/bin/python" -m backend seed --demo
"$VENV/bin/python" -m backend.seed.welcome
exec "$VENV/bin/python" -m backend serve "$@"
