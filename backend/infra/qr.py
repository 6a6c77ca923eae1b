"""QR codes drawn by `qrcode`, as PNG or SVG bytes.

Drawing is CPU work (tens of milliseconds for a poster-sized PNG): call these
through `asyncio.to_thread`, never on the event loop.
"""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _code(data: str, box_size: int, border: int) -> qrcode.QRCode:
    # Level M survives a smudged or creased printout without making the code too dense to scan.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(data)
    code.make(fit=True)
    return code


def png(data: str, box_size: int = 10, border: int = 4) -> bytes:
    """A black-on-white PNG of `data`."""
    image = _code(data, box_size, border).make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def svg(data: str, border: int = 4) -> bytes:
    """A scalable SVG of `data` (one path), for print shops."""
    image = _code(data, 10, border).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
