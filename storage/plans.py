"""Storing an imported plan: one transaction, tasks updated by code.

Tasks keep their import warnings as text (shown by `tasks --json`), so the
caller hands in `say`, which words the notices of unit names; this module
holds no words of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.notices import Wording, notice
from domain.plan_rows import ParsedPlan, ParsedTask
from domain.units import split_names
from storage.models import Area, Assignment, Plan, Task
from storage.units import UnitBook


@dataclass
class ImportSummary:
    plan: str
    year: int
    areas: int
    tasks: int
    new_tasks: int
    updated_tasks: int
    unchanged_tasks: int
    retired_tasks: list[str]
    units: list[str]
    new_units: list[str]
    groups: list[str]
    warnings: list[str] = field(default_factory=list)


def _task_fields(parsed: ParsedTask) -> dict[str, Any]:
    timeline = parsed.timeline
    return {
        "content": parsed.content,
        "evidence": parsed.evidence or None,
        "timeline": timeline.text or None,
        "due_date": timeline.due_date,
        "recurring": timeline.recurring,
        "conditional": timeline.conditional,
        "milestones": [
            {"text": m.text, "due_date": m.due_date.isoformat() if m.due_date else None} for m in timeline.milestones
        ],
        "budget_vnd": parsed.budget_vnd,
        "budget_text": parsed.budget_text or None,
        "note": parsed.note or None,
        "warnings": list(parsed.warnings),
        "active": True,
    }


async def import_plan(
    session: AsyncSession, parsed: ParsedPlan, source_file: str, now: datetime, say: Wording
) -> ImportSummary:
    book = await UnitBook.load(session)
    cells = [(task, split_names(task.lead), split_names(task.coordinating)) for task in parsed.tasks]
    book.resolve_all([name for _, lead, coord in cells for name in lead + coord])
    await session.flush()  # units and groups get their ids

    plan = await session.scalar(
        select(Plan)
        .where(Plan.year == parsed.year, Plan.name == parsed.name)
        .options(selectinload(Plan.areas))
    )
    if plan is None:
        plan = Plan(name=parsed.name, year=parsed.year, imported_at=now, areas=[])
        session.add(plan)
    plan.number = parsed.number or plan.number
    plan.issuing_unit = parsed.issuing_unit or plan.issuing_unit
    plan.source_file = source_file

    areas = {area.code: area for area in plan.areas}
    for position, parsed_area in enumerate(parsed.areas):
        area = areas.get(parsed_area.code)
        if area is None:
            area = Area(code=parsed_area.code, name=parsed_area.name, position=position)
            plan.areas.append(area)
            areas[area.code] = area
        else:
            area.name, area.position = parsed_area.name, position
    await session.flush()

    existing = {}
    if plan.id is not None:
        rows = await session.scalars(
            select(Task).where(Task.plan_id == plan.id).options(selectinload(Task.assignments))
        )
        existing = {task.code: task for task in rows}

    new = updated = unchanged = 0
    warnings = list(parsed.warnings)
    referenced: dict[str, None] = {}
    new_rows: list[dict[str, Any]] = []
    new_assignments: dict[str, list[dict[str, Any]]] = {}
    for position, (parsed_task, lead_names, coord_names) in enumerate(cells):
        wanted = _task_fields(parsed_task)
        wanted["position"] = position
        wanted["area_id"] = areas[parsed_task.area].id
        for name in lead_names + coord_names:
            if name in book.warnings:
                wanted["warnings"].append(say(book.warnings[name]))
        target = []
        for role, names in (("lead", lead_names), ("coordinating", coord_names)):
            for order, name in enumerate(names):
                resolved = book.resolve(name)
                referenced[resolved.name] = None
                target.append({
                    "role": role, "position": order,
                    "unit_id": resolved.unit.id if resolved.unit else None,
                    "group_id": resolved.group.id if resolved.group else None,
                })
        warnings.extend(say(notice("row_warning", row=parsed_task.row, message=w)) for w in wanted["warnings"])
        task = existing.get(parsed_task.code)
        if task is None:
            new_rows.append({"plan_id": plan.id, "code": parsed_task.code, **wanted})
            new_assignments[parsed_task.code] = target
            new += 1
            continue
        changed = any(getattr(task, name) != value for name, value in wanted.items())
        for name, value in wanted.items():
            setattr(task, name, value)
        current = [
            {"role": a.role, "position": a.position, "unit_id": a.unit_id, "group_id": a.group_id}
            for a in task.assignments
        ]
        if current != target:
            changed = True
            task.assignments = [Assignment(**row) for row in target]
        updated += changed
        unchanged += not changed

    # New tasks go in as bulk inserts: one statement per table, not one per row.
    if new_rows:
        await session.execute(insert(Task), new_rows)
        ids = dict((await session.execute(
            select(Task.code, Task.id).where(Task.plan_id == plan.id, Task.code.in_(list(new_assignments)))
        )).all())
        links = [{"task_id": ids[code], **row} for code, target in new_assignments.items() for row in target]
        if links:
            await session.execute(insert(Assignment), links)

    codes = {task.code for task in parsed.tasks}
    retired = sorted(code for code, task in existing.items() if code not in codes and task.active)
    for code in retired:
        existing[code].active = False
    await session.flush()
    group_names = book.groups_by_name()
    return ImportSummary(
        plan=plan.name,
        year=plan.year,
        areas=len(parsed.areas),
        tasks=len(parsed.tasks),
        new_tasks=new,
        updated_tasks=updated,
        unchanged_tasks=unchanged,
        retired_tasks=retired,
        units=[name for name in referenced if name not in group_names],
        new_units=[unit.name for unit in book.new_units],
        groups=[name for name in referenced if name in group_names],
        warnings=warnings,
    )
