#!/usr/bin/env bash
# The CJK font the PDF certificates embed: WenQuanYi Micro Hei (Debian fonts-wqy-microhei),
# at /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (backend/infra/pdf.py looks there).
# TrueType outlines, which reportlab can embed (Noto CJK's CFF outlines it cannot).
# Idempotent: returns at once when the font is already there. CERTIFICATE_FONT_PATH may
# name another TrueType CJK font instead, and then nothing is installed.
set -euo pipefail

FONT="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

if [ -n "${CERTIFICATE_FONT_PATH:-}" ] && [ -f "$CERTIFICATE_FONT_PATH" ]; then
  exit 0
fi
if [ -f "$FONT" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少中文字体 $FONT：请安装 fonts-wqy-microhei，或设置 CERTIFICATE_FONT_PATH 指向一个 TrueType 中文字体" >&2
  echo "(missing CJK font; install fonts-wqy-microhei or set CERTIFICATE_FONT_PATH)" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "==> 安装中文字体 / installing CJK font (fonts-wqy-microhei)"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null
fi
test -f "$FONT"
