"""The digest's chart and its fit within each platform's limit; the tick
from the command line and in the scripted chat."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import date, datetime, timedelta

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from bot.cli import App
from bot.simulate import Simulator, run_script
from bot.wiring import build_core
from domain.clock import FixedClock
from domain.digest import Bar, Digest, Line, UnitLine
from domain.periods import make_period
from services.charts import FONT, chart_path, render_chart
from services.digest import TEXT_LIMITS, fit
from tests.conftest import VN
from tests.schedule_fixture import load_fixture

LEGEND = ("Hoàn thành trong hạn", "Hoàn thành quá hạn", "Đang thực hiện, trong hạn", "Quá hạn")
BARS = [Bar("I. Công tác chỉ đạo, điều hành", (2, 1, 3, 1)), Bar("II. Cải cách thể chế", (0, 0, 5, 2)),
        Bar("VII. Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", (1, 1, 1, 1))]


def test_the_chart_is_a_png_written_once_with_a_font_that_has_the_vietnamese_letters(tmp_path):
    title = "Tiến độ nhiệm vụ có thời hạn theo lĩnh vực, đến 15/05/2026"
    path = render_chart(tmp_path, title, LEGEND, BARS)
    assert path == chart_path(tmp_path, title, LEGEND, BARS) and path.parent.name == "charts"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    written = path.stat().st_mtime_ns
    assert render_chart(tmp_path, title, LEGEND, BARS) == path and path.stat().st_mtime_ns == written  # cached
    assert render_chart(tmp_path, title, LEGEND, BARS[:2]) != path
    # Every letter drawn exists in the font matplotlib picks (no tofu boxes).
    font_file = font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=False)
    assert "DejaVuSans" in font_file
    font = FT2Font(font_file)
    letters = set("".join([title, *LEGEND, *(b.label for b in BARS)])) - {" "}
    assert [ch for ch in letters if font.get_char_index(ord(ch)) == 0] == []


def big_digest(n: int) -> Digest:
    now = datetime(2026, 5, 22, 16, 0, tzinfo=VN)
    digest = Digest("Sở Nội vụ", now, now - timedelta(days=7), make_period("quarter", 2026, 2))
    for i in range(60):
        digest.counts.add(("done_on_time", "done_late", "open_on_time", "overdue")[i % 4])
    line = Line("III.12", "Rà soát, đánh giá thủ tục hành chính <nội bộ> & quy trình điện tử " * 2, "Phòng Tổng hợp",
                date(2026, 5, 30), "Nguyễn Thị Phương Dung", "Chưa có hướng dẫn của Sở Nội vụ")
    digest.completed = digest.newly_overdue = digest.newly_stuck = digest.due_soon = [line] * n
    digest.behind = [UnitLine(f"Phòng số {i}", 9 - i, 12) for i in range(3)]
    digest.silent = [UnitLine(f"Phòng số {i}", 4, 5, ("Lê Thị Mai Anh", "Trần Văn Bình")) for i in range(n)]
    return digest


def test_a_long_digest_is_cut_to_the_platform_and_points_to_the_details():
    for n in (1, 8, 40):
        for platform, limit in TEXT_LIMITS.items():
            text = fit(big_digest(n), platform, 14)
            size = len(html.escape(text, quote=False)) if platform == "telegram" else len(text)
            assert size <= limit, (n, platform, size)
            assert text.startswith("📊 Bản tin tiến độ CCHC — Sở Nội vụ") and text.endswith("Chi tiết: /tiendo")
            assert "• Quá hạn: 15" in text
    assert re.search(r"… và 3\d nhiệm vụ khác", fit(big_digest(40), "zalo", 14))
    assert "Rà soát" not in fit(big_digest(40), "telegram", 14)  # codes only when space is short


async def test_tick_lines_in_the_scripted_chat_print_what_went_out(app, tmp_path):
    await load_fixture(app, tmp_path)
    clock = FixedClock(datetime(2026, 4, 1, tzinfo=VN))
    simulator = Simulator(build_core(App(app.settings, app.sessions, clock)), clock, VN)
    script = io.StringIO("\n".join([
        '{"tick": true, "at": "2026-04-08T06:00:00+07:00"}',
        '{"tick": true, "at": "2026-04-08T07:30:00+07:00"}',
        '{"user": "canbo", "choose": "Báo cáo I.2"}',
        '{"tick": true}',
        '{"tick": true, "at": "2026-04-10T16:00:00+07:00"}',
    ]) + "\n")
    out = io.StringIO()
    await run_script(simulator, script, out)
    steps, current = [], []
    for line in map(json.loads, out.getvalue().splitlines()):
        if "done" in line:
            steps.append(current)
            current = []
        else:
            current.append(line)
    assert steps[0] == []  # 06:00: quiet hours, even for the digests the groups missed before
    # 07:30: last week's digests, late (the first tick of the groups' life), and I.2's reminder.
    assert [m["chat"] for m in steps[1]] == ["-100", "-200", "canbo", "canbo_b"]
    assert steps[1][2]["options"] == ["Báo cáo I.2", "Nhắc lại sau 1 ngày", "Nhắc lại sau 3 ngày"]
    assert steps[1][0]["files"][0].endswith(".png")
    assert "Tình trạng thực hiện" in steps[2][0]["text"]  # the option opened the report form
    assert steps[3] == []  # the same minute again: nothing twice
    assert [m["chat"] for m in steps[4]] == ["-100"]  # Friday 16:00


def test_tick_from_the_command_line(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "files"))
    monkeypatch.chdir(tmp_path)
    assert main(["simulate", str(_script(tmp_path))]) == 0  # loads the sample organisation and plan
    capsys.readouterr()
    assert main(["tick", "--at", "2026-04-15T07:30:00+07:00"]) == 0
    out = capsys.readouterr().out
    assert "[telegram → 100007] 🔔 Nhắc việc" in out  # TTPV's officer: III.1 and III.2 overdue since 2025
    assert out.strip().splitlines()[-1].startswith("Lượt chạy lịch lúc 07:30 15/04/2026:")
    assert main(["tick", "--at", "2026-04-15T07:31:00+07:00"]) == 0
    assert capsys.readouterr().out.strip() == "Lượt chạy lịch lúc 07:31 15/04/2026: 0 tin nhắn."
    assert main(["tick", "--at", "hôm nay"]) == 1


def _script(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    return path


async def test_the_bot_ticks_every_interval_and_wakes_the_couriers(org_app):
    import asyncio

    from bot.run import run_scheduler

    class Courier:
        woken = 0

        def wake(self):
            self.woken += 1

    org_app.clock.set(datetime(2026, 4, 15, 7, 30, tzinfo=VN))  # a working Wednesday: overdue tasks in the sample
    org_app.settings.scheduler_interval_seconds = 0.05
    stop, courier = asyncio.Event(), Courier()
    task = asyncio.create_task(run_scheduler(org_app, stop, [courier]))
    await asyncio.sleep(0.6)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert courier.woken == 1  # the first tick sent reminders; the next ones found them claimed
