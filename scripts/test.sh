#!/usr/bin/env bash
# Install what the tests need and run every test: backend (pytest) and mini-program (jest).
# Embedded defaults unless TEST_DATABASE_URL / TEST_REDIS_URL name real servers.
set -euo pipefail
source "$(dirname "$0")/_env.sh"
cd "$ROOT"
ensure_venv requirements-dev.txt
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

echo "==> backend tests (database: ${TEST_DATABASE_URL:-SQLite}, redis: ${TEST_REDIS_URL:-fakeredis})"
set +e
"$VENV/bin/python" -m pytest -q "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest 没有收集到任何测试 / pytest collected no tests" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

if [ -f package.json ] && [ "$#" -eq 0 ]; then
  echo "==> mini-program tests"
  ./scripts/test-miniprogram.sh
fi
