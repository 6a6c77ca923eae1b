# Shared by run.sh and test.sh: a virtual environment with the pinned dependencies.
# Re-installs only when a requirements file changed since the last install.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "需要 Python 3.11（Python 3.11 is required）" >&2
  return 1
}

ensure_venv() {
  local requirements="$1"
  local python
  if [ ! -x "$VENV/bin/python" ]; then
    python="$(find_python)"
    echo "==> 创建虚拟环境 / creating virtualenv (.venv)"
    "$python" -m venv "$VENV"
  fi
  local stamp="$VENV/.requirements.sha256"
  local want
  want="$(cat "$ROOT"/requirements*.txt | sha256sum | cut -d' ' -f1)-$(basename "$requirements")"
  if [ ! -f "$stamp" ] || ! grep -qx "$want" "$stamp"; then
    echo "==> 安装依赖 / installing pinned dependencies ($requirements)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/$requirements"
    echo "$want" > "$stamp"
  fi
  # Only the PDF certificates need the font: without it the rest still runs (certificates answer 503).
  "$ROOT/scripts/install-fonts.sh" || echo "警告：未能安装中文字体，服务时长证明 PDF 将不可用 (CJK font missing: certificates disabled)" >&2
}
