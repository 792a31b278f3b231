"""Turn a plan's appendix table into areas and tasks (no database here)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from domain.plan_rows import ParsedArea, ParsedPlan, ParsedTask
from domain.sanitize import clean
from domain.text import collapse, fold, key
from domain.timeline import parse_timeline
from services.importers.tables import Grid, PlanFileError, read_grid
from services.texts import t

COLUMNS = {
    "stt": ("stt", "tt", "so tt", "so thu tu"),
    "content": ("noi dung", "nhiem vu", "noi dung nhiem vu", "ten nhiem vu", "noi dung cong viec", "hoat dong"),
    "evidence": (
        "tai lieu kiem chung", "san pham", "ket qua", "san pham dau ra", "ket qua san pham", "hinh thuc van ban",
    ),
    "lead": ("don vi chu tri", "co quan chu tri", "chu tri", "don vi thuc hien", "co quan thuc hien"),
    "coordinating": ("don vi phoi hop", "co quan phoi hop", "phoi hop"),
    "timeline": (
        "thoi gian thuc hien", "thoi han", "thoi han hoan thanh", "thoi gian hoan thanh", "tien do", "thoi gian",
    ),
    "budget": ("kinh phi", "du toan kinh phi", "kinh phi dong"),
    "note": ("ghi chu",),
}
# A header cell matches a column title at or above this fuzz.ratio score.
HEADER_THRESHOLD = 85
HEADER_SCAN_ROWS = 30

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_AREA_ROW = re.compile(r"^(?:linh vuc|phan|muc)\s+([ivx]+)\b[\s.:\-]*(.*)$")
_AREA_PREFIX = re.compile(r"^(?:lĩnh vực|linh vuc|phần|phan|mục|muc)\s+[IVX]+\b[\s.:\-\u2013]*", re.IGNORECASE)
_ROMAN_PREFIX = re.compile(r"^[IVX]+[.\-:)]\s+", re.IGNORECASE)
_ROMAN_ONLY = re.compile(r"^([ivx]+)[.\s]*$")
_ROMAN_LEAD = re.compile(r"^([ivx]+)[.\-:)]\s+(.+)$")
_TASK_NUMBER = re.compile(r"(\d+)")
_NUMBERING_CELL = re.compile(r"^\(?\d+\)?$")
_BUDGET_OK = re.compile(r"^\d{1,3}(?:([.,])\d{3})?(?:\1\d{3})*$")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_PLAN_NUMBER = re.compile(r"s[oố]\s*:?\s*(\d+\s*/\s*[\w\-Đđ]+)", re.IGNORECASE)
_ISSUER = re.compile(r"\bcủa\s+(.+?)\s*\)?\s*$", re.IGNORECASE)


def parse_budget(text: str) -> tuple[int | None, str | None]:
    """'14.000.000' -> 14000000; a malformed amount stays unread, with a warning."""
    raw = collapse(text)
    if not raw or raw in ("-", "0"):
        return (0 if raw == "0" else None), None
    compact = raw.replace(" ", "")
    compact = re.sub(r"(?i)(đồng|đ|vnđ|vnd)$", "", compact).strip()
    if compact.isdigit():
        return int(compact), None
    if _BUDGET_OK.match(compact):
        return int(re.sub(r"[.,]", "", compact)), None
    return None, t("budget_malformed", text=raw)


def _header_field(cell: str) -> tuple[str | None, float]:
    k = key(re.sub(r"\(.*?\)", " ", cell))
    if not k:
        return None, 0
    best, best_score = None, 0.0
    for name, titles in COLUMNS.items():
        for title in titles:
            score = 100.0 if k == title else fuzz.ratio(k, title)
            if k.startswith(title + " ") and len(title) > 3:
                score = max(score, 95.0)
            if score > best_score:
                best, best_score = name, score
    return (best, best_score) if best_score >= HEADER_THRESHOLD else (None, best_score)


def find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, tuple[int, float]] = {}
        for col, cell in enumerate(row):
            name, score = _header_field(cell)
            if name and (name not in columns or score > columns[name][1]):
                columns[name] = (col, score)
        if "content" in columns and len(columns) >= 3 and ({"lead", "timeline"} & columns.keys()):
            return index, {name: col for name, (col, _) in columns.items()}
    return None


_TITLE_WORDS = ("ke hoach", "nhiem vu", "cai cach", "cchc", "phu luc")
_NOT_TITLES = ("uy ban nhan dan", "ubnd", "cong hoa xa hoi", "doc lap", "so:", "van phong")


def _plan_meta(lines: list[str], fallback_name: str) -> tuple[str, str | None, str | None, int | None]:
    """Name, number, issuing unit and year from the text above the table.
    The name is the capitalised title about the plan, not the letterhead."""
    number, issuer = None, None
    titles: list[str] = []
    for line in lines:
        line = collapse(line)
        folded = fold(line)
        if number is None and (m := _PLAN_NUMBER.search(line)) and ("ke hoach" in folded or "/kh" in folded):
            number = re.sub(r"\s+", "", m.group(1))
        if issuer is None and "kem theo" in folded and (m := _ISSUER.search(line)):
            issuer = m.group(1)
        if len(line) > 15 and line.upper() == line and not folded.startswith(("phu luc", "(", *_NOT_TITLES)):
            titles.append(line)
    titles.sort(key=lambda line: not any(word in fold(line) for word in _TITLE_WORDS))
    name = titles[0] if titles else fallback_name
    year = int(m.group(1)) if titles and (m := _YEAR.search(name)) else None
    return name, number, issuer, year


def _repeats_header(row: list[str], columns: dict[str, int]) -> bool:
    """Word and Excel repeat the header on every page; skip the copies."""
    col = columns["content"]
    if col >= len(row) or _header_field(row[col])[0] != "content":
        return False
    return find_header([row]) is not None


def _is_numbering_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 3 and all(_NUMBERING_CELL.match(c.replace(" ", "")) for c in filled)


def parse_plan_file(path: Path, plan_year: int | None = None, plan_name: str | None = None) -> ParsedPlan:
    grid = read_grid(path)
    return parse_grid(grid, path, plan_year, plan_name)


def _pick_table(grid: Grid, path: Path) -> tuple[list[list[str]], int, dict[str, int], list[str]]:
    for number, table in enumerate(grid.tables):
        found = find_header(table)
        if found is None:
            continue
        header_index, columns = found
        width = len(table[header_index])
        rows = list(table)
        # Word splits long tables; later tables of the same width continue this one.
        for later in grid.tables[number + 1 :]:
            if later and len(later[0]) == width and find_header(later) is None:
                rows.extend(later)
        titles = grid.preamble + [c for row in table[:header_index] for c in row if c]
        return rows, header_index, columns, titles
    raise PlanFileError(t("file_no_header", path=str(path)))


def parse_grid(grid: Grid, path: Path, plan_year: int | None, plan_name: str | None) -> ParsedPlan:
    rows, header_index, columns, titles = _pick_table(grid, path)
    name, number, issuer, title_year = _plan_meta(titles, path.stem)

    def cell(row: list[str], name: str) -> str:
        col = columns.get(name)
        return row[col] if col is not None and col < len(row) else ""

    raw_tasks: list[dict[str, Any]] = []
    areas: list[ParsedArea] = []
    plan_warnings: list[str] = []
    area_code: str | None = None
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        row_number = index + 1
        if not any(row) or _is_numbering_row(row) or _repeats_header(row, columns):
            continue
        area = _area_of(row, cell(row, "stt"), cell(row, "content"), cell(row, "lead"), cell(row, "timeline"))
        if area is not None:
            area_code = area.code
            if area_code not in {a.code for a in areas}:
                areas.append(area)
            continue
        content = collapse(cell(row, "content"))
        stt = collapse(cell(row, "stt"))
        lead, timeline = collapse(cell(row, "lead")), collapse(cell(row, "timeline"))
        if not content:
            continue
        if raw_tasks and "stt" in columns and not stt and not lead and not timeline:
            previous = raw_tasks[-1]  # a row cut by a page break continues the task above
            for field_name in ("content", "evidence", "note"):
                extra = collapse(cell(row, field_name))
                if extra:
                    previous[field_name] = collapse(f"{previous[field_name]} {extra}")
            continue
        if area_code is None:
            area_code = "I"
            areas.append(ParsedArea("I", t("default_area_name")))
            plan_warnings.append(t("row_warning", row=row_number, message=t("tasks_without_area")))
        raw_tasks.append(
            {
                "row": row_number,
                "area": area_code,
                "stt": stt,
                "content": content,
                "evidence": collapse(cell(row, "evidence")),
                "lead": lead,
                "coordinating": collapse(cell(row, "coordinating")),
                "timeline": timeline,
                "budget": collapse(cell(row, "budget")),
                "note": collapse(cell(row, "note")),
            }
        )
    if not raw_tasks:
        raise PlanFileError(t("file_no_tasks", path=str(path)))

    year = plan_year or title_year or _likely_year([r["timeline"] for r in raw_tasks] + [path.stem])
    if year is None:
        raise PlanFileError(t("plan_year_unknown"))

    tasks: list[ParsedTask] = []
    used: set[str] = set()
    counters: Counter[str] = Counter()
    for raw in raw_tasks:
        counters[raw["area"]] += 1
        warnings: list[str] = []
        match = _TASK_NUMBER.search(raw["stt"])
        n = int(match.group(1)) if match else counters[raw["area"]]
        code = f"{raw['area']}.{n}"
        if code in used:
            n = max(int(c.split(".")[1]) for c in used if c.startswith(raw["area"] + ".")) + 1
            warnings.append(t("code_duplicate", code=code, new_code=f"{raw['area']}.{n}"))
            code = f"{raw['area']}.{n}"
        used.add(code)
        deadline = parse_timeline(raw["timeline"], year)
        if deadline.warning:
            warnings.append(deadline.warning)
        budget, budget_warning = parse_budget(raw["budget"])
        if budget_warning:
            warnings.append(budget_warning)
        if not raw["lead"]:
            warnings.append(t("lead_missing"))
        tasks.append(
            ParsedTask(
                row=raw["row"], code=code, area=raw["area"], content=raw["content"],
                evidence=raw["evidence"], lead=raw["lead"], coordinating=raw["coordinating"],
                timeline=deadline, budget_vnd=budget, budget_text=raw["budget"], note=raw["note"],
                warnings=warnings,
            )
        )
    return ParsedPlan(
        name=collapse(clean(plan_name)) if plan_name else name,
        number=number,
        year=year,
        issuing_unit=issuer,
        areas=areas,
        tasks=tasks,
        warnings=plan_warnings,
    )


def _area_of(row: list[str], stt: str, content: str, lead: str, timeline: str) -> ParsedArea | None:
    filled = [collapse(c) for c in row if collapse(c)]
    if not filled:
        return None
    if (m := _AREA_ROW.match(fold(filled[0]))) and m.group(1).upper() in ROMAN:
        rest = _AREA_PREFIX.sub("", filled[0])
        return ParsedArea(m.group(1).upper(), rest or (filled[1] if len(filled) > 1 else m.group(1).upper()))
    if lead or timeline:
        return None
    stt, content = collapse(stt), collapse(content)
    if (m := _ROMAN_ONLY.match(fold(stt))) and m.group(1).upper() in ROMAN and content:
        return ParsedArea(m.group(1).upper(), content)
    if not stt and (m := _ROMAN_LEAD.match(fold(content))) and m.group(1).upper() in ROMAN:
        return ParsedArea(m.group(1).upper(), _ROMAN_PREFIX.sub("", content))
    return None


def _likely_year(timelines: list[str]) -> int | None:
    years = Counter(int(y) for text in timelines for y in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else None
