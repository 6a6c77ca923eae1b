#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into the database named by DATABASE_URL.
#   DATABASE_URL=postgresql://user@host:5432/zjfw_restore RESTORE_CREATE=1 scripts/restore.sh backup.dump
# RESTORE_CREATE=1 creates the (new, empty) database first. The target must be empty: restoring over a
# live database is refused, so a mistyped URL cannot overwrite production. See docs/backup-restore.md.
set -euo pipefail

dump="${1:?usage: restore.sh DUMP_FILE}"
: "${DATABASE_URL:?set DATABASE_URL to the database to restore into}"
url="${DATABASE_URL/#postgres:\/\//postgresql://}"
name="${url##*/}"
name="${name%%\?*}"
server="${url%/*}/postgres"

if [[ "${RESTORE_CREATE:-0}" == "1" ]]; then
  psql "$server" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$name\""
fi
tables=$(psql "$url" -At -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [[ "$tables" != "0" ]]; then
  echo "refusing to restore: database $name already has $tables tables (restore into a new database)" >&2
  exit 2
fi
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction --dbname="$url" "$dump"
echo "restored $dump into $name"
