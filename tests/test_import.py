"""Importing plan tables: the seed appendix, two other layouts, bad files,
re-imports. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from services.importers.plan_file import parse_budget, parse_plan_file
from services.importers.tables import PlanFileError
from services.texts import say
from storage.models import Area, Assignment, Plan, StatusUpdate, Task, Unit, UnitAlias, UnitGroup
from storage.plans import import_plan
from storage.tasks import add_update, current_plan, find_task, task_views
from tests import plan_files

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


async def do_import(sessions, path, **options):
    parsed = parse_plan_file(path, **options)
    async with sessions() as session, session.begin():
        return await import_plan(session, parsed, path.name, NOW, say)


async def read_tasks(sessions) -> list[dict]:
    async with sessions() as session:
        plan = await current_plan(session)
        views = await task_views(session, plan)
    return [
        {
            "code": v.task.code,
            "lead_unit": v.lead[0] if v.lead else None,
            "coordinating_units": v.coordinating,
            "timeline": v.task.timeline,
            "due_date": v.task.due_date.isoformat() if v.task.due_date else None,
            "recurring": v.task.recurring,
            "conditional": v.task.conditional,
            "budget_vnd": v.task.budget_vnd,
        }
        for v in views
    ]


async def count(sessions, model) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_seed_appendix_imports_every_task_unit_and_deadline(sessions):
    summary = await do_import(sessions, plan_files.SEED_DOCX)
    assert await read_tasks(sessions) == plan_files.SEED_EXPECTED
    assert summary.tasks == 30 and summary.areas == 7
    assert len(summary.warnings) == plan_files.SEED_WARNINGS
    assert "3.5000.000" in summary.warnings[0] and summary.warnings[0].startswith("Dòng ")
    async with sessions() as session:
        areas = {a.code: a.name for a in await session.scalars(select(Area))}
        plan = await current_plan(session)
    assert areas == plan_files.SEED_AREAS
    assert plan.year == 2026 and plan.issuing_unit == "Văn phòng UBND tỉnh"


async def test_seed_abbreviations_resolve_to_full_names_and_are_kept_as_aliases(sessions):
    summary = await do_import(sessions, plan_files.SEED_DOCX)
    assert sorted(summary.new_units) == sorted([
        "Trung tâm Tin học và công báo", "Phòng Hành chính – Quản trị", "Trung tâm Phục vụ Hành chính công",
        "Phòng Quản trị - Tài vụ", "Ban Chỉ đạo ISO",
    ])
    async with sessions() as session:
        aliases = dict((await session.execute(select(UnitAlias.alias, Unit.name).join(Unit))).all())
        groups = {g.name: g.all_units for g in await session.scalars(select(UnitGroup))}
    assert aliases["Phòng HCQT"] == "Phòng Hành chính – Quản trị"
    # "Phòng QTTV" (III.5) comes before its full name (VI.1) in the file.
    assert aliases["Phòng QTTV"] == "Phòng Quản trị - Tài vụ"
    assert groups == {"Các phòng, ban, trung tâm": True, "Các phòng thuộc khối nghiên cứu – tổng hợp": False}


async def test_multi_paragraph_cells_and_page_split_rows_become_one_line(sessions):
    await do_import(sessions, plan_files.SEED_DOCX)
    async with sessions() as session:
        plan = await current_plan(session)
        i3 = await find_task(session, plan, "I.3")
        vii4 = await find_task(session, plan, "vii.4")
        vii1 = await find_task(session, plan, "VII.1")
    assert i3.evidence == "Kế hoạch; Hồ sơ kiểm tra."
    assert vii4.content.endswith("Hệ thống thông tin báo cáo chỉ đạo, điều hành.")
    assert "\n" not in vii4.content and "  " not in vii4.content
    assert vii1.milestones == [
        {"text": "Quý IV/2025", "due_date": "2025-12-31"},
        {"text": "Trong năm", "due_date": "2026-12-31"},
    ]


@pytest.mark.parametrize("name", sorted(plan_files.GOOD_BUILDERS))
async def test_other_layouts_import_with_every_task_right(sessions, tmp_path, name):
    build, expected, warning_count = plan_files.GOOD_BUILDERS[name]
    summary = await do_import(sessions, build(tmp_path))
    assert await read_tasks(sessions) == expected
    assert len(summary.warnings) == warning_count


async def test_reimporting_the_same_file_changes_nothing(sessions):
    await do_import(sessions, plan_files.SEED_DOCX)
    before = {m.__name__: await count(sessions, m) for m in (Plan, Area, Task, Assignment, Unit, UnitAlias, UnitGroup)}
    summary = await do_import(sessions, plan_files.SEED_DOCX)
    after = {m.__name__: await count(sessions, m) for m in (Plan, Area, Task, Assignment, Unit, UnitAlias, UnitGroup)}
    assert after == before
    assert (summary.new_tasks, summary.updated_tasks, summary.unchanged_tasks) == (0, 0, 30)
    assert summary.new_units == []


async def test_revised_file_updates_tasks_by_code_and_keeps_history(sessions, tmp_path):
    first = plan_files.build_csv_plan(tmp_path)
    await do_import(sessions, first)
    async with sessions() as session, session.begin():
        plan = await current_plan(session)
        task = await find_task(session, plan, "II.1")
        await add_update(session, task, status="in_progress", percent=40, at=NOW, source="chat")
    revised_dir = tmp_path / "revised"
    revised_dir.mkdir()
    revised = plan_files.build_csv_plan(revised_dir)
    text = revised.read_text(encoding="utf-8-sig")
    old_timeline = next(t["timeline"] for t in plan_files.CSV_EXPECTED if t["code"] == "II.1")
    assert old_timeline in text
    revised.write_text(text.replace(old_timeline, "Quý III/2026", 1), encoding="utf-8-sig")

    summary = await do_import(sessions, revised)
    assert summary.updated_tasks == 1 and summary.new_tasks == 0
    async with sessions() as session:
        plan = await current_plan(session)
        views = {v.task.code: v for v in await task_views(session, plan)}
        updates = await count(sessions, StatusUpdate)
    assert views["II.1"].task.due_date.isoformat() == "2026-09-30"
    assert views["II.1"].status == "in_progress" and views["II.1"].percent == 40
    assert updates == 1


@pytest.mark.parametrize("build", plan_files.BAD_BUILDERS, ids=lambda b: b.__name__)
async def test_bad_files_fail_cleanly_and_write_nothing(sessions, tmp_path, build):
    path = build(tmp_path)
    with pytest.raises(PlanFileError) as error:
        await do_import(sessions, path)
    message = str(error.value)
    assert "\n" not in message and path.name in message
    for model in (Plan, Task, Unit, UnitGroup):
        assert await count(sessions, model) == 0


async def test_an_import_that_fails_midway_leaves_nothing_behind(sessions, monkeypatch):
    import storage.plans as plans

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(plans, "_task_fields", explode)
    with pytest.raises(RuntimeError):
        await do_import(sessions, plan_files.SEED_DOCX)
    for model in (Plan, Area, Task, Unit, UnitGroup):
        assert await count(sessions, model) == 0


@pytest.mark.parametrize(
    ("text", "amount", "warned"),
    [
        ("14.000.000", 14_000_000, False),
        ("130.000.000", 130_000_000, False),
        ("14000000", 14_000_000, False),
        ("14,000,000", 14_000_000, False),
        ("5.000.000 đồng", 5_000_000, False),
        ("", None, False),
        ("3.5000.000", None, True),
        ("12.00.000", None, True),
        ("1.5 tỷ", None, True),
        ("14.000,000", None, True),
    ],
)
def test_budget_is_read_exactly_or_kept_as_written(text, amount, warned):
    value, warning = parse_budget(text)
    assert value == amount
    assert (warning is not None) == warned
    if warned:
        assert text in warning
