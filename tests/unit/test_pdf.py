"""The certificate renderer: Chinese text in an embedded font, markup-safe names, a clear error without a font."""

import io
from datetime import datetime

import pypdf
import pytest

from backend.infra import pdf
from backend.infra.clock import CHINA


def page(**changes) -> pdf.CertificatePage:
    values = dict(
        certificate_id="3f2c8a4e-5b7d-4e1a-9c0f-1234567890ab", issuer="黑龙江省人力资源和社会保障厅 专家服务基层平台",
        issued_at=datetime(2026, 12, 20, 10, 0, tzinfo=CHINA), expert_name="张<b>三", expert_title="高级农艺师",
        employer="黑龙江省农业科学院", year=2026, hours=31.5, service_days=6, visits=8, target_days=10, met=False,
        day_rule="一个自然日内核实服务满 4 小时计 1 个服务日",
        entries=[pdf.CertificateEntry(f"2026-06-{day:02d}", "五常市民乐朝鲜族乡民乐村", "上门服务", "4.00")
                 for day in range(1, 40 // 4)],
        verify_url="http://127.0.0.1:8000/api/v1/certificates/verify/3f2c?d=0123456789abcdef",
        digest_prefix="0123456789abcdef",
    )
    values.update(changes)
    return pdf.CertificatePage(**values)


def text_of(body: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages)


def test_the_certificate_is_a_pdf_whose_chinese_text_can_be_read_back():
    body = pdf.render_certificate(page())
    assert body.startswith(b"%PDF-")
    text = text_of(body)
    for phrase in ("专家服务基层时长证明", "高级农艺师", "黑龙江省农业科学院", "31.50 小时", "6 / 10 个工作日",
                   "还差 4 天", "出具日期：2026年12月20日", "0123456789abcdef"):
        assert phrase in text


def test_a_name_that_looks_like_markup_is_printed_as_written():
    assert "张<b>三" in text_of(pdf.render_certificate(page()))


def test_the_chinese_font_program_is_embedded_in_the_file():
    reader = pypdf.PdfReader(io.BytesIO(pdf.render_certificate(page())))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for font in fonts.values():
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            embedded.append(str(font["/BaseFont"]))
    assert any("WenQuanYi" in name for name in embedded)


def test_a_year_without_verified_service_says_so_instead_of_an_empty_table():
    text = text_of(pdf.render_certificate(page(entries=[], hours=0.0, service_days=0, visits=0)))
    assert "本年度暂无经核实的服务记录" in text


def test_a_missing_font_is_a_clear_service_error_not_a_crash(tmp_path):
    with pytest.raises(pdf.CertificateFontMissing) as raised:
        pdf.find_cjk_font(str(tmp_path / "no-such-font.ttc"))
    assert raised.value.status == 503
    assert "中文字体" in raised.value.message


def test_the_default_font_is_found_where_the_install_script_puts_it():
    assert str(pdf.find_cjk_font()) == pdf.FONT_CANDIDATES[0]
