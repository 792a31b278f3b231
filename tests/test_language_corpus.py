"""The language test set of issue 13: questions and one-line reports written
the way officers and leaders type on a phone (tests/language/README.md), each
run through the real core (console platform) on the plan of
tests/question_fixture.py at Wednesday 15/04/2026 09:00, and judged only by
what the user sees (task codes listed, numbers stated, units named, the order
they come in) and, for reports, by what was saved.

The *_heldout.jsonl files are kept aside while the reader is tuned: this
module prints their scores (per class) but never their lines. `-s` shows the
tables."""

from __future__ import annotations

import asyncio
import csv
import json
import re
import shutil
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.cli import App
from bot.settings import Settings
from bot.simulate import Simulator
from bot.wiring import build_core
from domain.clock import FixedClock
from storage.db import create_engine, migrate, session_factory
from storage.models import StatusUpdate, Task
from tests.conftest import VN
from tests.question_fixture import ROWS, add_identities, load_question_plan

HERE = Path(__file__).resolve().parent
LANGUAGE = HERE / "language"
ROOT = HERE.parent
START = datetime(2026, 4, 15, 9, 0, tzinfo=VN)
FILES = ["questions_tune", "questions_heldout", "reports_tune", "reports_heldout"]

# Today's scores rounded down (tests/language/README.md): the reader may only get better.
FLOOR = {
    "questions_tune": 0.745,  # 211/283
    "questions_heldout": 0.760,  # 111/146
    "reports_tune": 0.319,  # 38/119
    "reports_heldout": 0.376,  # 26/69
}

QUESTION_KEYS = {"tasks", "count", "first", "includes", "units", "units_ranked", "no_tasks", "mentions"}
REPORT_KEYS = {"code", "status", "percent", "done_on", "evidence", "saved", "includes", "mentions"}
STATUSES = {"in_progress", "done", "stuck", "not_started"}


def load(name: str) -> list[dict]:
    with (LANGUAGE / f"{name}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def plan_codes() -> set[str]:
    codes, area = set(), None
    for row in ROWS:
        if re.fullmatch(r"[IVX]+", row[0]):
            area = row[0]
        else:
            codes.add(f"{area}.{row[0]}")
    return codes


CODES = plan_codes()


# ---------------------------------------------------------------- reading replies

def fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d, punctuation as spaces, spaces collapsed."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    return " ".join(re.sub(r"[^\w/%]+", " ", text).split())


# The units of the sample organisation, as a reply may name them (folded).
UNITS = {
    "Phòng Hành chính – Quản trị": ["hanh chinh quan tri", "hcqt"],
    "Phòng Quản trị - Tài vụ": ["quan tri tai vu", "qttv"],
    "Trung tâm Tin học và Công báo": ["tin hoc", "ttth"],
    "Trung tâm Phục vụ Hành chính công": ["phuc vu hanh chinh cong", "pvhcc"],
    "Ban Chỉ đạo ISO": ["chi dao iso", "ban iso", "bcd iso"],
    "Phòng Tổng hợp": ["phong tong hop"],
    "Phòng Kinh tế": ["kinh te"],
    "Phòng Khoa giáo – Văn xã": ["khoa giao"],
    "Phòng Nội chính": ["noi chinh"],
}
_CODE = re.compile(r"(?<![A-Za-z0-9.])([IVX]{1,4})\.(\d{1,3})(?![\d])")
_EXAMPLES = re.compile(r"«[^»]*»|/[a-z]+\s+[IVXivx]{1,4}\.\d+")
# An example question offered in a help text ("• III.2 đến đâu rồi?"): a line that
# ends in a question mark and is not a task line ("CODE — content").
_EXAMPLE_LINE = re.compile(r"^(?!.*—).*\?\s*$")
_COUNT = [
    re.compile(r"\b[Cc]ó\s+(\d+)\s+(?:nhiệm vụ|việc)"),
    re.compile(r"(?:\b[Kk]hông có|\b[Kk]hông tìm thấy|\b[Cc]hưa có)\s+(?:nhiệm vụ|việc)\s+nào"),
    re.compile(r"\b(\d+)\s+(?:nhiệm vụ|việc)\b"),
    re.compile(r"\((\d+)\):"),
]


@dataclass
class Reply:
    text: str
    options: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """Task codes of the plan the reply lists, in order, once each (examples
        in «…» and after a command such as "/baocao III.2" are not listings)."""
        seen: list[str] = []
        text = "\n".join(line for line in _EXAMPLES.sub(" ", self.text).splitlines() if not _EXAMPLE_LINE.match(line))
        for chunk in [text, *self.options]:
            for roman, number in _CODE.findall(chunk):
                code = f"{roman}.{int(number)}"
                if code in CODES and code not in seen:
                    seen.append(code)
        return seen

    @property
    def count(self) -> int | None:
        """The number of tasks the reply states (its first statement of one)."""
        for line in self.text.splitlines():
            for pattern in _COUNT:
                m = pattern.search(line)
                if m:
                    return int(m.group(1)) if m.groups() and m.group(1) is not None else 0
        return None

    def unit_positions(self) -> dict[str, int]:
        folded = fold(self.text)
        found = {}
        for unit, names in UNITS.items():
            hits = [m.start() for name in names for m in re.finditer(rf"\b{re.escape(name)}\b", folded)]
            if hits:
                found[unit] = min(hits)
        return found


def judge_question(expect: dict, reply: Reply) -> list[str]:
    """What the reply gets wrong (empty: right)."""
    wrong = []
    codes = reply.codes
    if expect.get("no_tasks") and codes:
        wrong.append(f"lists {codes}")
    if "tasks" in expect and set(codes) != set(expect["tasks"]):
        wrong.append(f"lists {codes}, expected {expect['tasks']}")
    if "includes" in expect and not set(expect["includes"]) <= set(codes):
        wrong.append(f"lists {codes}, missing {sorted(set(expect['includes']) - set(codes))}")
    if "first" in expect and codes[: len(expect["first"])] != expect["first"]:
        wrong.append(f"starts {codes[:len(expect['first'])]}, expected {expect['first']}")
    if "count" in expect and reply.count != expect["count"]:
        wrong.append(f"states {reply.count}, expected {expect['count']}")
    positions = reply.unit_positions()
    if "units" in expect and not set(expect["units"]) <= set(positions):
        wrong.append(f"names {sorted(positions)}, missing {sorted(set(expect['units']) - set(positions))}")
    if "units_ranked" in expect:
        ranked = expect["units_ranked"]
        order = sorted(positions, key=positions.get)
        if not set(ranked) <= set(positions) or order[0] != ranked[0] or [u for u in order if u in ranked] != ranked:
            wrong.append(f"ranks {order}, expected {ranked}")
    folded = fold(reply.text)
    for piece in expect.get("mentions", []):
        if fold(piece) not in folded:
            wrong.append(f"does not mention {piece!r}")
    return wrong


def _same_text(a: str | None, b: str | None) -> bool:
    def tidy(s):
        return " ".join(unicodedata.normalize("NFC", s or "").split()).strip(" ,.;:-–—") or None
    return tidy(a) == tidy(b)


def stored_day(update: StatusUpdate) -> date:
    """When the saved report says the task was done: a completion date if the
    schema keeps one, else the moment of the report."""
    for name in ("done_on", "done_at", "completed_on", "completed_at", "effective_on", "effective_at"):
        value = getattr(update, name, None)
        if value is not None:
            return value.astimezone(VN).date() if isinstance(value, datetime) else value
    return update.reported_at.astimezone(VN).date()


def judge_report(expect: dict, saved: StatusUpdate | None, code: str | None, reply: Reply) -> list[str]:
    wrong = []
    if not expect["saved"]:
        if saved is not None:
            wrong.append(f"saved {code} {saved.status} {saved.percent}")
    elif saved is None:
        wrong.append("nothing saved")
    else:
        if code != expect["code"]:
            wrong.append(f"saved on {code}, expected {expect['code']}")
        if saved.status != expect["status"]:
            wrong.append(f"status {saved.status}, expected {expect['status']}")
        percent = expect["percent"]
        if percent is None:
            if not (saved.percent is None or (saved.status, saved.percent) in {("done", 100), ("not_started", 0)}):
                wrong.append(f"percent {saved.percent}, expected none")
        elif saved.percent != percent:
            wrong.append(f"percent {saved.percent}, expected {percent}")
        if not _same_text(saved.evidence, expect["evidence"]):
            wrong.append(f"evidence {saved.evidence!r}, expected {expect['evidence']!r}")
        if expect["done_on"] is not None:
            day = stored_day(saved).strftime("%d/%m/%Y")
            if day != expect["done_on"]:
                wrong.append(f"done on {day}, expected {expect['done_on']}")
    codes = reply.codes
    if "includes" in expect and not set(expect["includes"]) <= set(codes):
        wrong.append(f"lists {codes}, missing {sorted(set(expect['includes']) - set(codes))}")
    folded = fold(reply.text)
    for piece in expect.get("mentions", []):
        if fold(piece) not in folded:
            wrong.append(f"does not mention {piece!r}")
    return wrong


# ---------------------------------------------------------------- running the lines

@dataclass
class Result:
    line: dict
    wrong: list[str]
    reply: str
    codes: list[str] = field(default_factory=list)


def _reply(messages, chat: str) -> Reply:
    own = [m for m in messages if m.chat_id == chat]
    return Reply("\n".join(m.text for m in own), [o.label for m in own for o in m.options])


def _offers_yes(messages, chat: str) -> bool:
    for m in messages:
        if m.chat_id == chat and (any(fold(o.label) == "co" for o in m.options) or "Có/Không" in m.text):
            return True
    return False


async def _run(directory: Path) -> dict[str, list[Result]]:
    template, work = directory / "template.db", directory / "work.db"
    settings = Settings(database_url="unused://", files_dir=directory / "files")
    clock = FixedClock(START)

    engine = create_engine(f"sqlite+aiosqlite:///{template}")
    await migrate(engine)
    app = App(settings, session_factory(engine), clock)
    from bot.sample import ensure_sample

    await ensure_sample(app.sessions, clock.now(), settings.zone)
    await load_question_plan(app, directory)
    with (ROOT / "sample" / "people.csv").open(encoding="utf-8") as handle:
        for person in csv.DictReader(handle):  # every sample person can type on the console under their id
            if person["platform"] == "telegram":
                await add_identities(app, "console", person["user_id"], person["user_id"])
    await engine.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{template}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, work)

    engine = create_engine(f"sqlite+aiosqlite:///{work}")
    results: dict[str, list[Result]] = {}
    try:
        # Questions read and do not write the plan: one database, dialogs cleared between lines.
        from storage.models import DialogState

        app = App(settings, session_factory(engine), clock)
        sim = Simulator(build_core(app), clock, VN)
        for name in ("questions_tune", "questions_heldout"):
            results[name] = []
            for line in load(name):
                clock.set(START)
                user = line.get("user", "lanhdao")
                messages = await sim.step({"platform": "console", "user": user, "text": line["text"]})
                reply = _reply(messages, user)
                results[name].append(Result(line, judge_question(line["expect"], reply), reply.text, reply.codes))
                async with app.sessions() as session, session.begin():
                    await session.execute(delete(DialogState))

        # Reports write: each line on a fresh copy of the database and a fresh core.
        async with app.sessions() as session:
            base = await session.scalar(select(func.max(StatusUpdate.id)))
        for name in ("reports_tune", "reports_heldout"):
            results[name] = []
            for line in load(name):
                await engine.dispose()
                for suffix in ("-wal", "-shm"):
                    Path(f"{work}{suffix}").unlink(missing_ok=True)
                shutil.copyfile(template, work)
                clock.set(START)
                app = App(settings, session_factory(engine), clock)
                sim = Simulator(build_core(app), clock, VN)
                user = line["user"]
                messages = await sim.step({"platform": "console", "user": user, "text": line["text"]})
                reply = _reply(messages, user)
                async with app.sessions() as session:
                    row = (await session.execute(
                        select(StatusUpdate, Task.code).join(Task).where(StatusUpdate.id > base)
                        .order_by(StatusUpdate.id.desc()).limit(1)
                    )).first()
                if row is None and _offers_yes(messages, user):  # "Đã hiểu: … — lưu? Có/Không": the user says yes
                    await sim.step({"platform": "console", "user": user, "text": "Có"})
                    async with app.sessions() as session:
                        row = (await session.execute(
                            select(StatusUpdate, Task.code).join(Task).where(StatusUpdate.id > base)
                            .order_by(StatusUpdate.id.desc()).limit(1)
                        )).first()
                saved, code = (row[0], row[1]) if row else (None, None)
                results[name].append(Result(line, judge_report(line["expect"], saved, code, reply), reply.text, reply.codes))
    finally:
        await engine.dispose()
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, list[Result]]:
    return asyncio.run(_run(tmp_path_factory.mktemp("language")))


def score(results: list[Result]) -> float:
    return sum(not r.wrong for r in results) / len(results)


def table(name: str, results: list[Result]) -> str:
    by_class: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_class[r.line["class"]].append(r)
    rows = [f"{name}: {sum(not r.wrong for r in results)}/{len(results)} right ({score(results):.1%})"]
    for cls in sorted(by_class):
        right = sum(not r.wrong for r in by_class[cls])
        rows.append(f"  {cls:<14} {right:>3}/{len(by_class[cls]):<3} {right / len(by_class[cls]):6.1%}")
    return "\n".join(rows)


def show(name: str, results: list[Result]) -> str:
    """The lines gotten wrong, for tuning files only: held-out lines are never shown."""
    if name.endswith("heldout"):
        return f"({sum(bool(r.wrong) for r in results)} held-out lines wrong; not shown)"
    return "\n".join(f"{r.line['text']!r} [{r.line['class']}]: {'; '.join(r.wrong)}" for r in results if r.wrong)


# ---------------------------------------------------------------- tests

def test_lines_are_well_formed():
    users = {"lanhdao", "quantri", "canbo"}
    with (ROOT / "sample" / "people.csv").open(encoding="utf-8") as handle:
        users |= {p["user_id"] for p in csv.DictReader(handle)}
    for name in FILES:
        for line in load(name):
            expect, text = line["expect"], line["text"]
            assert text and line["class"], (name, text)
            assert line.get("user", "lanhdao") in users, (name, text)
            if name.startswith("questions"):
                assert expect and set(expect) <= QUESTION_KEYS, (name, text)
                codes = [c for key in ("tasks", "first", "includes") for c in expect.get(key, [])]
                units = expect.get("units", []) + expect.get("units_ranked", [])
            else:
                assert REPORT_KEYS >= set(expect) >= {"code", "status", "percent", "done_on", "evidence", "saved"}, (name, text)
                codes = expect.get("includes", []) + ([expect["code"]] if expect["code"] else [])
                units = []
                if expect["saved"]:
                    assert expect["status"] in STATUSES, (name, text)
                    assert expect["done_on"] is None or re.fullmatch(r"\d\d/\d\d/\d{4}", expect["done_on"]), (name, text)
            assert set(codes) <= CODES, (name, text)
            assert set(units) <= set(UNITS), (name, text)


def test_heldout_is_a_third_and_apart():
    for kind in ("questions", "reports"):
        tune, held = load(f"{kind}_tune"), load(f"{kind}_heldout")
        assert len(held) * 3 >= len(tune) + len(held)
        tune_texts, held_texts = [r["text"] for r in tune], [r["text"] for r in held]
        assert len(set(tune_texts)) == len(tune_texts) and len(set(held_texts)) == len(held_texts)
        assert not set(tune_texts) & set(held_texts)
        for cls in {r["class"] for r in tune + held}:  # stratified: every class in both halves when it has 3+ lines
            n = sum(r["class"] == cls for r in tune + held)
            if n >= 3:
                assert any(r["class"] == cls for r in held) and any(r["class"] == cls for r in tune), cls


@pytest.mark.xfail(strict=False, reason="issue 13: out-of-scope lines still get task lists")
def test_offtopic_lines_never_list_tasks(runs):
    listed = {}
    for name in ("questions_tune", "questions_heldout"):
        for r in runs[name]:
            if r.line["expect"].get("no_tasks") and r.codes:
                listed.setdefault(name, []).append(r)
    if listed:  # held-out lines are counted, never shown
        pytest.fail("\n".join(
            f"{name}: {len(bad)} lines list tasks" + ("" if name.endswith("heldout") else ":\n" + "\n".join(
                f"  {r.line['text']!r} -> {r.codes}" for r in bad))
            for name, bad in listed.items()
        ))


@pytest.mark.parametrize("name", FILES)
def test_score_does_not_fall(runs, name):
    results = runs[name]
    print("\n" + table(name, results))
    if score(results) < FLOOR[name]:
        pytest.fail(f"{name} fell below {FLOOR[name]:.3f}\n{table(name, results)}\n{show(name, results)}")
