"""The certificate PDF (服务基层时长证明), drawn with reportlab, Chinese text in an embedded font.

The font. reportlab embeds (a subset of) TrueType fonts only, not the CFF
outlines of Noto CJK / Source Han, so the certificate uses WenQuanYi Micro
Hei, Debian's `fonts-wqy-microhei`, at

    /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

`scripts/install-fonts.sh` installs it (run by scripts/run.sh and
scripts/test.sh through scripts/_env.sh). `CERTIFICATE_FONT_PATH` names
another TrueType/TTC CJK font instead. Without one, rendering raises
`CertificateFontMissing` (503) and logs where it looked.

Rendering is CPU work (~50-100 ms): call `render_certificate` through
`asyncio.to_thread`.
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from backend.errors import ServiceUnavailable

log = logging.getLogger("backend.pdf")

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei (scripts/install-fonts.sh)
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",  # Fedora / Alpine layout
)
FONT_NAME = "ZJFW-CJK"

_font_lock = threading.Lock()
_registered_font: str | None = None


class CertificateFontMissing(ServiceUnavailable):
    code = "certificate_font_missing"
    message = "证明暂时无法生成（服务器缺少中文字体），请稍后再试或联系管理员"


def find_cjk_font(configured: str = "") -> Path:
    """The CJK font file to embed: the configured path, else the first candidate present."""
    candidates = (configured,) if configured else FONT_CANDIDATES
    for candidate in candidates:
        path = Path(candidate)
        if path.is_file():
            return path
    log.error("no CJK font for certificates: looked at %s; run scripts/install-fonts.sh "
              "(Debian fonts-wqy-microhei) or set CERTIFICATE_FONT_PATH", ", ".join(candidates))
    raise CertificateFontMissing()


def _register_font(configured: str) -> str:
    """Register the CJK font with reportlab once per process; returns its reportlab name."""
    global _registered_font
    with _font_lock:
        path = str(find_cjk_font(configured))
        if _registered_font != path:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFError, TTFont

            try:
                font = TTFont(FONT_NAME, path, subfontIndex=0) if path.endswith(".ttc") else TTFont(FONT_NAME, path)
            except TTFError as exc:
                log.error("CJK font %s cannot be embedded by reportlab: %s", path, exc)
                raise CertificateFontMissing() from exc
            pdfmetrics.registerFont(font)
            _registered_font = path
        return FONT_NAME


@dataclass(frozen=True)
class CertificateEntry:
    service_date: str
    place: str
    kind: str
    hours: str


@dataclass(frozen=True)
class CertificatePage:
    """Everything printed on a certificate, already worded."""

    certificate_id: str
    issuer: str
    issued_at: datetime
    expert_name: str
    expert_title: str
    employer: str
    year: int
    hours: float
    service_days: int
    visits: int
    target_days: int
    met: bool
    day_rule: str
    entries: list[CertificateEntry]
    verify_url: str
    digest_prefix: str


def _progress_bar(days: int, target: int, width: float, font: str):
    from reportlab.graphics.shapes import Drawing, Rect, String
    from reportlab.lib import colors

    height = 14
    drawing = Drawing(width, height + 4)
    share = min(1.0, days / target) if target else 1.0
    drawing.add(Rect(0, 2, width, height, fillColor=colors.HexColor("#EEEEEE"), strokeColor=colors.HexColor("#999999")))
    if share > 0:
        drawing.add(Rect(0, 2, width * share, height, fillColor=colors.HexColor("#2E7D32"), strokeColor=None))
    label = f"{days} / {target} 个工作日"
    drawing.add(String(width / 2, 6, label, fontName=font, fontSize=9, textAnchor="middle"))
    return drawing


def render_certificate(page: CertificatePage, font_path: str = "") -> bytes:
    """The certificate as PDF bytes (A4, one or more pages)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from backend.infra import qr

    font = _register_font(font_path)
    base = ParagraphStyle("base", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=22, leading=30, alignment=TA_CENTER, spaceAfter=4)
    subtitle = ParagraphStyle("subtitle", parent=base, fontSize=10, alignment=TA_CENTER,
                              textColor=colors.HexColor("#555555"))
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#444444"))
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13)

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=f"专家服务基层时长证明 {page.year} {page.expert_name}", author=page.issuer,
        subject=f"证明编号 {page.certificate_id}", creator="专家服务基层平台",
    )
    width = doc.width
    issued = page.issued_at.strftime("%Y年%m月%d日")
    story = [
        Paragraph("专家服务基层时长证明", title),
        Paragraph(f"（{page.year} 年度）", subtitle),
        Spacer(1, 8 * mm),
        Paragraph(
            f"兹证明 <b>{_escape(page.expert_name)}</b>（职称：{_escape(page.expert_title) or '—'}；"
            f"工作单位：{_escape(page.employer) or '—'}）于 {page.year} 年度通过专家服务基层平台开展服务，"
            f"经核实的服务情况如下：", base),
        Spacer(1, 4 * mm),
    ]
    totals = Table(
        [["服务时长", "服务日", "服务次数", "继续教育（满 10 个工作日）"],
         [f"{page.hours:.2f} 小时", f"{page.service_days} 天", f"{page.visits} 次",
          "已满足" if page.met else f"未满足（还差 {max(0, page.target_days - page.service_days)} 天）"]],
        colWidths=[width * 0.2, width * 0.2, width * 0.2, width * 0.4],
    )
    totals.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 10.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F1F5F1")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    story += [totals, Spacer(1, 3 * mm), Paragraph("年度进度：", small),
              _progress_bar(page.service_days, page.target_days, width, font),
              Paragraph(_escape(page.day_rule), small), Spacer(1, 5 * mm)]

    rows = [["序号", "日期", "服务地点", "类型", "时长（小时）"]]
    rows += [[str(i), e.service_date, Paragraph(_escape(e.place), cell), e.kind, e.hours]
             for i, e in enumerate(page.entries, 1)]
    if len(rows) == 1:
        rows.append(["—", "—", "本年度暂无经核实的服务记录", "—", "—"])
    visits = Table(rows, colWidths=[width * 0.08, width * 0.17, width * 0.45, width * 0.14, width * 0.16],
                   repeatRows=1)
    visits.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F1F5F1")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("ALIGN", (0, 0), (1, -1), "CENTER"),
        ("ALIGN", (3, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    story += [Paragraph("服务明细", base), Spacer(1, 2 * mm), visits, Spacer(1, 8 * mm)]

    code = Image(io.BytesIO(qr.png(page.verify_url, box_size=6, border=2)), width=32 * mm, height=32 * mm)
    signature = [
        Paragraph(f"出具单位：{_escape(page.issuer)}", right),
        Paragraph(f"出具日期：{issued}", right),
        Spacer(1, 3 * mm),
        Paragraph(f"证明编号：{page.certificate_id}", small),
        Paragraph(f"校验码：{page.digest_prefix}", small),
        Paragraph("扫描右侧二维码或访问以下地址核验本证明真伪：", small),
        Paragraph(_escape(page.verify_url), small),
    ]
    footer = Table([[signature, code]], colWidths=[width - 38 * mm, 38 * mm])
    footer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER")]))
    story += [footer, Spacer(1, 4 * mm),
              Paragraph("本证明由平台根据经核实的服务记录（签到签退、位置核验及管理员审核）生成，"
                        "任何涂改均可经核验发现。", small)]
    doc.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    """Paragraph takes a little markup: people's names and places must not be read as tags."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
