"""The report opened by another word processor: LibreOffice converts it to
PDF (scripts/render_report_pdf.sh) and the pages are read back as text.
Slow, and skipped where LibreOffice or poppler is not installed (Debian:
libreoffice-writer-nogui, poppler-utils). The pages were also looked at as
PNG when the template was made."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from domain.report_periods import parse_period_text
from services.reports import write_report
from storage.tasks import current_plan
from tests.conftest import VN
from tests.report_fixture import load_fixture

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdftotext")),
                       reason="LibreOffice or poppler-utils not installed"),
]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_report_converts_to_pdf_with_every_section_on_its_pages(app, tmp_path):
    await load_fixture(app, tmp_path)
    async with app.sessions() as session:
        path = await write_report(session, await current_plan(session), parse_period_text("2026-Q1"), "docx",
                                  tmp_path / "bao-cao.docx", zone=VN, now=app.clock.now(), mode="calendar")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "render_report_pdf.sh"), str(path), str(tmp_path / "pdf")],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "pdf" / "bao-cao.pdf"
    pages = sorted((tmp_path / "pdf").glob("bao-cao-page-*.png"))
    assert pdf.exists() and 2 <= len(pages) <= 5
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Công tác cải cách hành chính định kỳ Quý I năm 2026",
                     "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "II. KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
                     "III. ĐÁNH GIÁ CHUNG", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ", "có 02/13 nhiệm vụ thường xuyên (đạt 100%)",
                     "kinh phí 14.000.000 đồng", "THỦ TRƯỞNG ĐƠN VỊ"):
        assert expected in flat, expected
    assert "{{" not in text and "{%" not in text
