#!/usr/bin/env bash
# Back up the PostgreSQL database named by DATABASE_URL into one custom-format dump (pg_dump -Fc).
#   DATABASE_URL=postgresql://user@host:5432/zjfw scripts/backup.sh [/var/backups/zjfw/zjfw-YYYYmmdd-HHMMSS.dump]
# See docs/backup-restore.md. Uploaded photos (STORAGE_DIR) are backed up separately.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
url="${DATABASE_URL/#postgres:\/\//postgresql://}"
out="${1:-${BACKUP_DIR:-.}/zjfw-$(date -u +%Y%m%d-%H%M%S).dump}"
mkdir -p "$(dirname "$out")"
tmp="$out.partial"
# Write to a temporary name first, so a failed run never leaves a file that looks like a good backup.
pg_dump --format=custom --no-owner --no-privileges --file="$tmp" "$url"
pg_restore --list "$tmp" >/dev/null  # the archive is readable
mv "$tmp" "$out"
echo "$out"
