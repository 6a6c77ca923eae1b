#!/usr/bin/env bash
# Render each mini-program page with sample data to a PNG of a 375×812 phone
# screen (var/screens/<page-path-with-dashes>--<variant>.png), for looking at
# a screen without WeChat DevTools.
#
#   scripts/render-pages.sh                       every page that has samples
#   scripts/render-pages.sh 'pages/requester/*'   only those pages
#   scripts/render-pages.sh order-form            pages whose path contains it
#
# Installs what it needs when missing: the pinned node packages, Debian's
# chromium, and a CJK font.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

stamp=node_modules/.package-lock.sha256
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -d node_modules ]] || [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$lock_hash" ]]; then
  echo "installing node packages from package-lock.json"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi

apt_updated=0
apt_install() {
  if [[ "$apt_updated" -eq 0 ]]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if [[ ! -x /usr/bin/chromium ]]; then
  echo "installing chromium"
  apt_install chromium
fi

if [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then
  echo "installing a CJK font"
  apt_install fonts-noto-cjk
fi

exec node scripts/render-pages/render.js "$@"
