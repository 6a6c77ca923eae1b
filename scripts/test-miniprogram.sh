#!/usr/bin/env bash
# Lint and test the WeChat mini-program: installs the pinned node toolchain
# when it is missing or package-lock.json changed, then runs eslint and jest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

stamp=node_modules/.package-lock.sha256
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"

if [[ ! -d node_modules ]] || [[ ! -f "$stamp" ]] || [[ "$(cat "$stamp")" != "$lock_hash" ]]; then
  echo "installing node packages from package-lock.json"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi

echo "eslint miniprogram tests/miniprogram"
npx --no-install eslint miniprogram tests/miniprogram

# jest exits 0 on "no tests found" only with --passWithNoTests, which is not
# given; the JSON summary check below also fails a run that executed nothing.
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
npx --no-install jest --ci --json --outputFile="$results"

read -r total passed failed < <(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(r.numTotalTests, r.numPassedTests, r.numFailedTests);
' "$results")
if [[ "$total" -eq 0 ]]; then
  echo "jest ran no tests" >&2
  exit 1
fi
echo "miniprogram: ${passed} passed, ${failed} failed"
