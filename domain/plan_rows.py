"""A plan as read from its file, before it is stored: areas and tasks with
the row each came from. Filled by services/importers/plan_file.py, stored by
storage/plans.py. Warnings are already worded by the importer."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.timeline import Timeline


@dataclass
class ParsedTask:
    row: int  # 1-based row in its table, as a person counts in Excel/Word
    code: str
    area: str
    content: str
    evidence: str
    lead: str
    coordinating: str
    timeline: Timeline
    budget_vnd: int | None
    budget_text: str
    note: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class ParsedArea:
    code: str
    name: str


@dataclass
class ParsedPlan:
    name: str
    number: str | None
    year: int
    issuing_unit: str | None
    areas: list[ParsedArea]
    tasks: list[ParsedTask]
    warnings: list[str]  # plan-level, already prefixed with their row
