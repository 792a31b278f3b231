"""Leaders' questions in plain Vietnamese, read into a Query: what they ask
(intent) and of which tasks (filters). Pure: no database. Units are resolved
by a resolver passed in (domain.unit_mentions.UnitMentions), areas against
the plan's area names passed in.

Everything is matched on folded words (lower case, no diacritics, "đ" -> "d"):
phrases exactly, longest first; then, on the words left, phrases with one
typo (PHRASE_THRESHOLD and one_slip, tested in tests/test_questions_fuzzy.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from domain.periods import make_period
from domain.progress import DONE_LATE, DONE_ON_TIME, OPEN_ON_TIME, OVERDUE, RECURRING
from domain.text import fold, key
from domain.unit_mentions import is_acronym, one_slip, split_type

LIST, PROGRESS, TASK, SEARCH, NOT_REPORTED, HELP = "list", "progress", "task", "search", "not_reported", "help"
OPEN = ("not_started", "in_progress", "stuck")
# "Sắp đến hạn" without a window: plan deadlines fall on month and quarter
# ends, so a week ahead would nearly always be empty; a month is what a
# leader planning the next steps looks at.
DUE_SOON_DAYS = 30
# A run of words is read as a known phrase with a typo when fuzz.ratio
# reaches this AND one_slip holds (one word differs, by one slip). One slip in
# a phrase of seven characters scores 85.7, the least of the recorded typos;
# shorter phrases ("ko a", "ty le") give too little to go on and must be typed
# right. Tested in tests/test_questions_fuzzy.py.
PHRASE_THRESHOLD = 85


@dataclass(frozen=True)
class Window:
    """Days from `start` (None: any time before) to `end`, inclusive: of
    deadlines, or (Query.done_in) of the days tasks were done."""

    start: date | None
    end: date
    kind: str  # "day" | "days" | "soon" | "week" | "month" | "quarter" | "half" | "until" | "range"
    number: int = 0  # the quarter, half or month
    year: int = 0


@dataclass(frozen=True)
class Query:
    intent: str
    unit: str | None = None  # the words naming a unit, as typed
    units: tuple[Any, ...] = ()  # refs of the units they name: one, or the candidates
    area: str | None = None  # Roman code
    statuses: tuple[str, ...] = ()  # current status among these
    category: str | None = None  # domain.progress category as of today
    window: Window | None = None  # due dates, or with done_in the days tasks were done
    done_in: bool = False
    count: bool = False
    code: str | None = None
    keywords: tuple[str, ...] = ()  # phrases of the task's content, as typed

    def to_data(self) -> dict[str, Any]:
        """JSON-safe, for a conversation's state (units are stored apart)."""
        data = asdict(self)
        data.pop("units")
        if self.window is not None:
            data["window"] = {**data["window"], "start": _iso(self.window.start), "end": _iso(self.window.end)}
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any], units: tuple[Any, ...] = ()) -> Query:
        window = data.get("window")
        if window is not None:
            start = date.fromisoformat(window["start"]) if window["start"] else None
            window = Window(**{**window, "start": start, "end": date.fromisoformat(window["end"])})
        fields = {**data, "window": window, "statuses": tuple(data["statuses"]), "keywords": tuple(data["keywords"])}
        return cls(**fields, units=units)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


class UnitResolver(Protocol):
    def resolve(self, phrase: str) -> tuple[Any, ...]:
        """The units (each with a `ref`) a phrase names: none, one, or the candidates."""

    def may_name(self, word: str) -> bool:
        """Whether a folded word may be part of a unit's name (spans stop at words that may not)."""


# --- the words ---------------------------------------------------------------------------

_LEXICON: dict[str, tuple[str, object]] = {}


def _words(kind: str, value: object, *phrases: str) -> None:
    for phrase in phrases:
        assert phrase not in _LEXICON, phrase
        _LEXICON[phrase] = (kind, value)


_words("category", OVERDUE, "qua han", "tre han", "bi tre", "tre hen", "cham tien do", "cham tre", "bi cham", "cham",
       "tre", "het han", "da het han", "qua deadline", "tre deadline", "qua thoi han", "tre tien do", "qua han roi",
       "bi qua han", "da qua han", "no han")
_words("category", DONE_LATE, "hoan thanh qua han", "hoan thanh tre han", "hoan thanh tre", "hoan thanh cham",
       "xong tre", "xong tre han", "xong qua han", "hoan thanh sau han", "hoan thanh khong dung han",
       "hoan thanh muon", "xong muon", "ht qua han", "ht tre han")
_words("category", DONE_ON_TIME, "hoan thanh dung han", "hoan thanh trong han", "hoan thanh dung tien do",
       "xong dung han", "dung han", "hoan thanh truoc han", "xong truoc han", "hoan thanh som", "ht dung han",
       "ht trong han", "xong trong han")
_words("category", OPEN_ON_TIME, "dang thuc hien trong han", "dang thuc hien dung han", "trong han", "con han",
       "chua den han", "chua toi han", "dang lam trong han", "dang thuc hien con han", "con trong han")
_words("category", RECURRING, "thuong xuyen", "nhiem vu thuong xuyen", "viec thuong xuyen")
_words("status", ("done",), "da hoan thanh", "hoan thanh", "da xong", "xong", "ht", "xong roi", "hoan tat",
       "da hoan tat", "da lam xong", "lam xong", "da ht", "hoan thanh roi")
_words("status", OPEN, "chua hoan thanh", "chua xong", "chua ht", "chua hoan tat", "chua lam xong", "dang do",
       "do dang", "ton dong", "con ton", "con ton dong", "chua giai quyet", "chua hoan thanh xong", "chua xong het")
_words("status", ("in_progress",), "dang thuc hien", "dang trien khai", "dang lam", "dang xu ly", "dang tien hanh",
       "dang th", "dang thuc hien do")
_words("status", ("not_started",), "chua trien khai", "chua thuc hien", "chua bat dau", "chua lam", "chua khoi dong",
       "chua lam gi", "chua dong den", "chua bat tay")
_words("status", ("stuck",), "vuong mac", "kho khan", "gap kho khan", "gap vuong mac", "bi vuong", "vuong",
       "bi ket", "ach tac", "bi ach tac", "kho khan vuong mac", "vuong mac kho khan", "gap van de", "co van de",
       "bi vuong mac", "dang vuong", "dang vuong mac", "bi kho khan", "vuong mac gi", "kho khan gi",
       "can lanh dao", "lanh dao xu ly", "xin y kien", "cho y kien", "can y kien", "xin chi dao", "can chi dao")
_words("due", None, "sap den han", "sap het han", "gan den han", "gan het han", "sap toi han", "den han", "toi han",
       "sap dao han", "can hoan thanh", "phai hoan thanh", "can xong", "phai xong", "can lam", "phai lam",
       "sap han", "han chot", "deadline", "sap toi deadline", "sap den deadline", "sap den han chot", "toi han chot",
       "den han chot", "gan toi han", "can lam gap", "lam gap", "can gap", "khan cap", "can xu ly gap", "gap nhat")
_words("deadline", None, "han", "thoi han", "co han", "han hoan thanh", "co thoi han")
_words("progress", None, "tien do", "tinh hinh", "tong hop", "tong quan", "ket qua", "thong ke", "ty le", "ti le",
       "phan tram", "ty le hoan thanh", "ti le hoan thanh", "muc do hoan thanh", "bao cao tien do",
       "tinh hinh thuc hien", "ket qua thuc hien", "dat bao nhieu", "tien do chung", "tien do thuc hien", "so lieu",
       "tong ket", "bao cao nhanh", "hoan thanh bao nhieu phan tram", "duoc bao nhieu phan tram", "dat duoc",
       "tien do the nao")
_words("how", None, "the nao", "ra sao", "sao roi", "den dau", "den dau roi", "nhu the nao", "the nao roi",
       "ra sao roi", "tien trien", "sao", "lam toi dau", "lam den dau", "toi dau", "toi dau roi", "tinh trang",
       "trang thai", "chi tiet", "thong tin", "the nao the", "nhu nao", "ntn", "nhu the nao roi", "lam sao roi")
_words("not_reported", None, "chua bao cao", "chua co bao cao", "chua gui bao cao", "chua nop bao cao",
       "chua cap nhat", "khong bao cao", "chua bc", "chua bao cao tien do", "chua cap nhat tien do",
       "da bao cao chua", "bao cao chua", "cap nhat chua", "da cap nhat chua", "chua gui", "chua nop",
       "no bao cao", "cham bao cao", "chua co bc", "bc chua", "da bc chua", "chua bao cao gi", "chua cap nhat gi",
       "chua co ai bao cao", "chua ai bao cao", "khong ai bao cao", "chua duoc bao cao", "chua duoc cap nhat")
_words("count", None, "bao nhieu", "may", "so luong", "tong so", "dem", "bn", "bnhieu", "bao nhiu", "tong cong",
       "bao nhieu cai", "may cai", "co may", "so nhiem vu", "so viec", "so cong viec", "so dau viec",
       "tong so nhiem vu", "tong so viec")
_words("noun", None, "nhiem vu", "viec", "cong viec", "dau viec", "nv", "cv", "hoat dong", "nhiem vu nao", "viec gi",
       "viec nao", "nhung viec", "cac viec", "nhung nhiem vu", "cac nhiem vu", "nhiem")
_words("list", None, "danh sach", "liet ke", "ke ra", "cho xem", "ds", "list", "kiem tra")
# Plural words: a list only when they go with a task noun ("những việc", "tất cả nhiệm vụ").
_words("plural", None, "nhung", "cac", "toan bo", "tat ca", "het", "gom", "bao gom", "co nhung")
_words("question", None, "nao", "gi", "ai", "dau", "khi nao", "bao gio", "o dau", "la gi")
# Particles that ask only at the end: "xong chưa?", but "chưa có hướng dẫn".
_words("tail", None, "khong", "chua", "a", "ha", "nhi", "vay", "co khong", "duoc khong", "roi chua", "chua vay",
       "hong", "ko", "k", "hok", "hem", "chu", "the a", "vay a", "khong a", "ko a", "khong vay", "chua a")
_words("remaining", None, "con", "con lai", "con nhung", "con gi", "van con")
_words("search", None, "tim", "tim kiem", "tra cuu", "tim giup", "tim cho", "tim nhiem vu", "tim viec")
_words("area_marker", None, "linh vuc", "lv", "linh vuc so", "linh vuc thu", "nhom nhiem vu", "mang", "linhvuc")
_words("filler", None, "chu tri", "phu trach", "duoc giao", "co chu", "tu khoa", "cho biet", "cho hoi", "xin hoi",
       "vui long", "bay gio", "hien nay", "hien tai", "luc nay", "cam on", "xin chao", "bot oi")
_words("plan", None, "ke hoach", "kh", "ca ke hoach", "toan bo ke hoach", "toan ke hoach", "chung", "toan co quan",
       "ca co quan", "cchc", "cai cach hanh chinh", "cong tac cchc", "cong tac cai cach hanh chinh", "nam nay",
       "ke hoach cchc", "ke hoach nam", "toan van phong", "ca van phong")

# Areas of the plan by topic: what a question says -> words of the area's name.
_AREA_TOPICS = {
    ("chi dao dieu hanh", "cong tac chi dao", "cong tac chi dao dieu hanh"): ("chi dao", "dieu hanh"),
    ("the che", "cai cach the che"): ("the che",),
    ("thu tuc hanh chinh", "cai cach thu tuc hanh chinh", "tthc", "cai cach tthc"): ("thu tuc hanh chinh", "tthc"),
    ("to chuc bo may", "bo may", "cai cach to chuc bo may", "bo may hanh chinh"): ("bo may",),
    ("che do cong vu", "cong vu", "cai cach che do cong vu"): ("cong vu",),
    ("tai chinh cong", "cai cach tai chinh cong"): ("tai chinh cong",),
    ("hien dai hoa", "hien dai hoa nen hanh chinh", "chinh phu dien tu", "chinh phu so", "chinh quyen dien tu",
     "chinh quyen so", "hanh chinh dien tu"): ("hien dai hoa", "dien tu", "chinh phu so", "chinh quyen so"),
}
for _phrases, _markers in _AREA_TOPICS.items():
    _words("area_topic", _markers, *_phrases)

# Filler: never at either end of a keyword phrase, never a unit on its own.
STOP = {
    "a", "ah", "ai", "anh", "ay", "ba", "ban", "bay", "ben", "bi", "biet", "bot", "ca", "cac", "cai", "cam",
    "can", "chi", "cho", "chu", "co", "cua", "cung", "da", "dang", "day", "den", "deu", "di", "do", "don",
    "dum", "duoc", "em", "gio", "giao", "giup", "ha", "hai", "hay", "hien", "hoac", "hoi", "hom", "it", "ke",
    "khi", "kia", "ky", "la", "lai", "lam", "lau", "len", "luc", "ma", "minh", "moi", "mot", "muon", "nam",
    "nay", "ne", "neu", "nha", "nhat", "nhe", "nhi", "nhieu", "nho", "nhu", "nhung", "nua", "o", "oi", "ok",
    "on", "phai", "phong", "qua", "quy", "rang", "rat", "roi", "sau", "tai", "tat", "thang", "thanks", "the",
    "them", "theo", "thi", "toan", "toi", "trong", "truoc", "tu", "tuan", "um", "uh", "va", "vao", "vay", "ve",
    "vi", "voi", "vui", "xem", "xin",
}
_QUESTION_TAILS = {k for k, (kind, _) in _LEXICON.items() if kind in ("question", "tail")}
_QUESTION_TAILS |= {"sao", "the nao", "ra sao"}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_SPELLED = {"mot": 1, "nhat": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7}
_BY_FIRST: dict[str, list[tuple[list[str], str]]] = {}
for _phrase in sorted(_LEXICON, key=lambda p: -len(p.split())):
    _BY_FIRST.setdefault(_phrase.split()[0], []).append((_phrase.split(), _phrase))
_COMPACT = {p.replace(" ", ""): p for p in _LEXICON if " " in p and len(p.replace(" ", "")) >= 5}
_LONGEST = max(len(p.split()) for p in _LEXICON)
_BY_LENGTH = {n: [p for p in _LEXICON if len(p.split()) == n] for n in range(2, _LONGEST + 1)}

_TOKEN = re.compile(
    r"\b[ivx]{1,4}\s*[.\-]\s*\d{1,3}(?![\d/.])"  # a task code: III.2
    r"|\d{1,2}/\d{4}(?!\d)"  # a month: 5/2026
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"  # a date: 30/6, 30/6/2026
    r"|[^\W_]+|%",
    re.UNICODE | re.IGNORECASE,
)
_CODE = re.compile(r"^([ivx]{1,4})\s*[.\-]\s*(\d{1,3})$")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


@dataclass
class _Token:
    raw: str  # as typed
    word: str  # folded
    kind: str | None = None  # what claimed it
    value: object = None


@dataclass
class _Read:
    tokens: list[_Token]
    kinds: dict[str, list[Any]] = field(default_factory=dict)

    def claim(self, start: int, end: int, kind: str, value: object = None) -> None:
        for token in self.tokens[start:end]:
            token.kind, token.value = kind, value
        self.kinds.setdefault(kind, []).append(value)

    def free(self, start: int, end: int) -> bool:
        return end <= len(self.tokens) and all(t.kind is None for t in self.tokens[start:end])

    def words(self, start: int, end: int) -> list[str]:
        return [t.word for t in self.tokens[start:end]]


def tokenize(text: str) -> list[_Token]:
    text = unicodedata.normalize("NFC", text or "")
    for dash in _DASHES:
        text = text.replace(dash, "-")
    # "ạ" is politeness, not a question ("xong ạ"); "à" asks.
    tokens = []
    for raw in _TOKEN.findall(text):
        if raw == "%":
            tokens += [_Token("%", "phan"), _Token("", "tram")]
        elif raw.lower() != "ạ":
            tokens.append(_Token(raw, fold(raw)))
    return tokens


def looks_like_question(text: str) -> bool:
    """Whether a line asks rather than tells: '?' at the end, or a question
    word last ("III.2 hoàn thành chưa", "III.2 vướng mắc gì")."""
    stripped = (text or "").strip()
    if stripped.endswith("?"):
        return True
    words = [t.word for t in tokenize(stripped)]
    return any(" ".join(words[-n:]) in _QUESTION_TAILS for n in (1, 2) if len(words) >= n)


# --- reading -------------------------------------------------------------------------------


class QuestionParser:
    """Reads questions about one plan's tasks in one organisation."""

    def __init__(self, units: UnitResolver, areas: dict[str, str]) -> None:
        self.units = units
        self.area_names = {code: " ".join(fold(name).replace(",", " ").split()) for code, name in areas.items()}

    def parse(self, text: str, today: date) -> Query | None:
        """The question a text asks, or None when it is not a question about
        the plan's tasks (officers' chatter, a report gone astray)."""
        read, parts = self._read(text, today)
        return _decide(read, today, (text or "").strip().endswith("?"), looks_like_question(text), *parts)

    def unread(self, text: str, today: date) -> list[str]:
        """Words that named nothing known: a unit or an area that does not exist."""
        read, _ = self._read(text, today)
        return [t.raw for t in read.tokens if t.kind is None and (t.word not in STOP or split_type([t.word])[0])]

    def _read(self, text: str, today: date) -> tuple[_Read, tuple[Any, ...]]:
        read = _Read(tokenize(text))
        code = self._codes(read)
        self._typed_units(read)
        window = _windows(read, today)
        _lexicon(read)
        area = self._area(read)
        code = code or _numbered_task(read, area)
        unit_phrase, units = self._units_left(read)
        return read, (code, area, window, unit_phrase, units, _keywords(read))

    def search(self, text: str, today: date) -> Query | None:
        """/tim: what a question would find; failing that, every word but
        filler is a keyword."""
        query = self.parse(text, today)
        if query is not None and (query.code or query.keywords):
            return query
        keywords = _keywords(_Read(tokenize(text)))
        return Query(SEARCH, keywords=keywords) if keywords else None

    def _codes(self, read: _Read) -> str | None:
        found = None
        for i, token in enumerate(read.tokens):
            if (m := _CODE.match(token.word)) and m.group(1) in _ROMAN:
                found = found or f"{m.group(1).upper()}.{int(m.group(2))}"
                read.claim(i, i + 1, "code", found)
        return found

    def _typed_units(self, read: _Read) -> None:
        """Units written with their type word ("phòng HCQT", "trung tâm tin học"):
        the longest run from the type word that names a unit."""
        n = len(read.tokens)
        for i in range(n):
            head = read.words(i, min(n, i + 3))
            kind, rest = split_type(head)
            if kind is None or read.tokens[i].kind is not None:
                continue
            content = i + len(head) - len(rest)
            last = content
            while last < min(n, content + 6) and self.units.may_name(read.tokens[last].word):
                last += 1
            for end in range(last, content, -1):
                if read.free(i, end) and self._resolve(read, i, end):
                    break

    def _resolve(self, read: _Read, start: int, end: int) -> bool:
        if read.tokens[end - 1].word == "va":  # "TT PVHCC và phòng HCQT": two units, not one named "… và"
            return False
        phrase = " ".join(t.raw for t in read.tokens[start:end])
        found = self.units.resolve(phrase)
        if found:
            read.claim(start, end, "unit", (phrase, tuple(u.ref for u in found)))
        return bool(found)

    def _units_left(self, read: _Read) -> tuple[str | None, tuple[Any, ...]]:
        """Runs of unclaimed words that name a unit without its type word
        ("HCQT", "tin học", "tổng hợp"), longest first."""
        runs = []
        for start, end in _free_runs(read):  # cut where a word cannot be in a unit's name
            cut = [i for i in range(start, end) if not self.units.may_name(read.tokens[i].word)]
            runs += [(a, b) for a, b in zip([start, *[c + 1 for c in cut]], [*cut, end]) if a < b]
        for start, end in runs:
            for length in range(min(end - start, 6), 0, -1):
                for i in range(start, end - length + 1):
                    words = read.words(i, i + length)
                    if words[0] in STOP or words[-1] in STOP:
                        continue
                    if length == 1 and not is_acronym(read.tokens[i].raw):
                        continue
                    if read.free(i, i + length) and self._resolve(read, i, i + length):
                        break
        found = read.kinds.get("unit", [])
        return found[0] if found else (None, ())

    def _area(self, read: _Read) -> str | None:
        for i, token in enumerate(read.tokens):
            if token.kind is None and (m := re.fullmatch(r"lv(\d|[ivx]+)", token.word)):
                code = _to_roman(int(m.group(1)) if m.group(1).isdigit() else _ROMAN.get(m.group(1), 0))
                if code in self.area_names:
                    read.claim(i, i + 1, "area", code)
                    return code
            if token.kind == "area_marker":
                end = i + 1
                while end < len(read.tokens) and read.tokens[end].kind == "area_marker":
                    end += 1
                if after := self._area_after(read, end):
                    return after
        for markers in read.kinds.get("area_topic", []):
            for code, name in self.area_names.items():
                if any(f" {m} " in f" {name} " for m in markers):
                    return code
        return None

    def _area_after(self, read: _Read, i: int) -> str | None:
        """'lĩnh vực III', 'lĩnh vực 3', 'lĩnh vực thứ ba', 'lĩnh vực thể chế'."""
        if i < len(read.tokens) and read.tokens[i].word in ("so", "thu"):
            i += 1
        if i >= len(read.tokens):
            return None
        word = read.tokens[i].word
        number = _ROMAN.get(word) or (int(word) if word.isdigit() else _SPELLED.get(word))
        if number:
            code = _to_roman(number)
            if code in self.area_names:
                read.claim(i, i + 1, "area", code)
                return code
            return None
        for end in range(min(len(read.tokens), i + 8), i, -1):
            words = " ".join(t.word for t in read.tokens[i:end])
            hits = [code for code, name in self.area_names.items() if f" {words} " in f" {name} "]
            if len(hits) == 1:
                read.claim(i, end, "area", hits[0])
                return hits[0]
        return None


def _to_roman(number: int) -> str:
    return next((r.upper() for r, n in _ROMAN.items() if n == number), str(number))


def _free_runs(read: _Read) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, token in enumerate([*read.tokens, _Token("", "", kind="end")]):
        if token.kind is None and start is None:
            start = i
        elif token.kind is not None and start is not None:
            runs.append((start, i))
            start = None
    return runs


def _lexicon(read: _Read) -> None:
    """Claim known phrases, longest first: as written, then with one typo
    (so that "hoàn thành qáu hạn" is not read as "hoàn thành"); single words
    last, and phrases run together ("quahan")."""
    for length in range(_LONGEST, 1, -1):
        _exact(read, length)
        for start, end in _free_runs(read):
            for i in range(start, end - length + 1):
                if not read.free(i, i + length):
                    continue
                typed = " ".join(read.words(i, i + length))
                best = process.extractOne(typed, _BY_LENGTH[length], scorer=fuzz.ratio, score_cutoff=PHRASE_THRESHOLD)
                if best is not None and one_slip(typed, best[0]):
                    read.claim(i, i + length, *_LEXICON[best[0]])
    _exact(read, 1)
    for i, token in enumerate(read.tokens):
        if token.kind is None and token.word in _COMPACT:
            read.claim(i, i + 1, *_LEXICON[_COMPACT[token.word]])


def _exact(read: _Read, length: int) -> None:
    for i, token in enumerate(read.tokens):
        for words, phrase in _BY_FIRST.get(token.word, []):
            if len(words) == length and read.free(i, i + length) and read.words(i, i + length) == words:
                read.claim(i, i + length, *_LEXICON[phrase])
                break


def _numbered_task(read: _Read, area: str | None) -> str | None:
    """'hoạt động 2 lĩnh vực III' -> III.2."""
    if area is None:
        return None
    for i, token in enumerate(read.tokens[:-1]):
        j = i + 2 if read.tokens[i + 1].word == "so" and i + 2 < len(read.tokens) else i + 1
        number = read.tokens[j]
        if token.kind == "noun" and token.word in ("dong", "vu") and number.kind is None and number.word.isdigit():
            read.claim(j, j + 1, "code")
            return f"{area}.{int(number.word)}"
    return None


def _keywords(read: _Read) -> tuple[str, ...]:
    """Runs of words nothing else claimed, without filler at either end:
    phrases to look for in the tasks' content."""
    phrases = []
    for start, end in _free_runs(read):
        run = read.tokens[start:end]
        while run and _filler(run[0].word):
            run = run[1:]
        while run and _filler(run[-1].word):
            run = run[:-1]
        if run:
            phrases.append(" ".join(t.raw.lower() for t in run))
    return tuple(phrases)


def _filler(word: str) -> bool:
    return word in STOP or word.isdigit() or len(word) < 2


# --- windows of due dates ------------------------------------------------------------------

_QUARTER = r"(1|2|3|4|i|ii|iii|iv|mot|hai|ba|bon)"
_YEAR = r"(?:(?: ?/ ?| nam | )(\d{4}))?"
_DATE = r"(\d{1,2}/\d{1,2}(?:/\d{2,4})?)"
_WINDOWS = [
    ("days", re.compile(r"(?:trong )?(?:vong )?(\d{1,3}) ngay (?:toi|nua|sap toi|tiep theo|ke tiep|sau|den)")),
    ("relative", re.compile(r"(tuan|thang|quy) (nay|toi|sau|truoc|ke tiep|tiep theo)")),
    ("month", re.compile(r"thang (\d{1,2})(?:/(\d{4})|(?: nam)? (\d{4}))?")),
    ("quarter", re.compile(rf"quy {_QUARTER}{_YEAR}")),
    ("half", re.compile(r"(?:6|sau) thang (dau|cuoi)(?: nam)?|nua (dau|cuoi) nam")),
    ("range", re.compile(rf"tu (?:ngay )?{_DATE} (?:den|toi) (?:ngay )?{_DATE}")),
    ("until", re.compile(rf"(?:truoc|den|toi|han) (?:ngay )?{_DATE}")),
    ("this", re.compile(r"trong (tuan|thang|quy)(?! \d| ?[ivx]+\b)")),
    ("day", re.compile(r"hom nay|ngay mai")),
    ("year", re.compile(r"nam (\d{4})|nam nay")),
]


def _windows(read: _Read, today: date) -> Window | None:
    """Claims the words of a time window; returns the first one found."""
    joined, starts = "", []
    for token in read.tokens:
        starts.append(len(joined) + (1 if joined else 0))
        joined = f"{joined} {token.word}" if joined else token.word
    found = None
    for kind, pattern in _WINDOWS:
        for m in re.finditer(rf"(?<!\S){pattern.pattern}(?!\S)", joined):
            first = next(i for i, s in enumerate(starts) if s >= m.start())
            last = max(i for i, s in enumerate(starts) if s < m.end()) + 1
            if not read.free(first, last):
                continue
            window = _window(kind, m, today)
            read.claim(first, last, "window" if window else "plan", window)
            found = found or window
    return found


def _window(kind: str, m: re.Match[str], today: date) -> Window | None:
    if kind == "days":
        return Window(today, today + timedelta(days=int(m.group(1))), "days", int(m.group(1)))
    if kind in ("relative", "this"):
        unit, which = m.group(1), m.group(2) if kind == "relative" else "nay"
        step = {"nay": 0, "truoc": -1}.get(which, 1)
        if unit == "tuan":
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=step)
            return Window(monday, monday + timedelta(days=6), "week")
        if unit == "thang":
            month = today.month - 1 + step
            year, month = today.year + month // 12, month % 12 + 1
            return _month(month, year)
        quarter = (today.month - 1) // 3 + step
        return _period("quarter", quarter % 4 + 1, today.year + quarter // 4)
    if kind == "month":
        month = int(m.group(1))
        year = int(m.group(2) or m.group(3) or today.year)
        return _month(month, year) if 1 <= month <= 12 else None
    if kind == "quarter":
        number = _ROMAN.get(m.group(1)) or _SPELLED.get(m.group(1)) or int(m.group(1))
        return _period("quarter", number, int(m.group(2) or today.year))
    if kind == "half":
        return _period("half", 1 if (m.group(1) or m.group(2)) == "dau" else 2, today.year)
    if kind == "range":
        start, end = _day(m.group(1), today), _day(m.group(2), today)
        return Window(start, end, "range") if start and end and start <= end else None
    if kind == "until":
        end = _day(m.group(1), today)
        return Window(None, end, "until") if end else None
    if kind == "day":
        day = today if m.group(0) == "hom nay" else today + timedelta(days=1)
        return Window(day, day, "day")
    return None  # "năm 2026", "năm nay": the plan's year, not a window


def _month(month: int, year: int) -> Window:
    period = make_period("months", year, month)
    return Window(date(year, month, 1), period.end, "month", month, year)


def _period(kind: str, number: int, year: int) -> Window:
    period = make_period(kind, year, number)
    return Window(period.start, period.end, kind, number, year)


def _day(text: str, today: date) -> date | None:
    parts = [int(p) for p in text.split("/")]
    year = parts[2] if len(parts) == 3 else today.year
    year = year + 2000 if year < 100 else year
    try:
        return date(year, parts[1], parts[0])
    except ValueError:
        return None


# --- what is asked -------------------------------------------------------------------------


def _decide(read: _Read, today: date, asked: bool, questioning: bool, code: str | None, area: str | None,
            window: Window | None, unit_phrase: str | None, units: tuple[Any, ...],
            keywords: tuple[str, ...]) -> Query | None:
    kinds = read.kinds
    statuses = tuple(dict.fromkeys(s for found in kinds.get("status", []) for s in found))
    categories = kinds.get("category", [])
    category = categories[0] if categories else None
    if category in (OVERDUE, OPEN_ON_TIME) and "done" in statuses:  # "quá hạn đã hoàn thành"
        category, statuses = (DONE_LATE if category == OVERDUE else DONE_ON_TIME), ()
    if category in (DONE_LATE, DONE_ON_TIME) or (category in (OVERDUE, OPEN_ON_TIME) and statuses == OPEN):
        statuses = ()  # said twice: "quá hạn chưa xong"
    if "due" in kinds:
        if window is None:
            window = Window(today, today + timedelta(days=DUE_SOON_DAYS), "soon")
        statuses = statuses or (() if category else OPEN)
    elif window is not None and "deadline" in kinds and not (statuses or category):
        statuses = OPEN
    count = "count" in kinds
    question = questioning or any(k in kinds for k in ("question", "how", "count"))
    particle = questioning and not asked  # "… không", "… chưa": asks for tasks; a bare "HCQT?" for progress
    listing = particle or any(k in kinds for k in ("noun", "list", "remaining", "search", "question"))
    about_tasks = any(k in kinds for k in ("due", "deadline", "count", "noun", "list", "remaining"))
    if window is not None and keywords and not (about_tasks or statuses or category):
        window = None  # "hôm nay ăn gì?": a day, but no word about tasks
    filters = bool(statuses or category or window)
    scope: dict[str, Any] = dict(unit=unit_phrase, units=units, area=area)

    if code:
        return Query(TASK, code=code)
    if "not_reported" in kinds:
        return Query(NOT_REPORTED, unit=unit_phrase, units=units, window=window)
    if keywords and not filters and not count:
        # Words to look for, when the question is about tasks: not "nhận được chưa?".
        if any(k in kinds for k in ("noun", "list", "search", "question", "how", "progress")) or units or area:
            return Query(SEARCH, **scope, keywords=keywords)
        return Query(HELP) if question else None
    if "progress" in kinds:
        return Query(PROGRESS, **scope, window=window)
    if filters or count or "remaining" in kinds:
        if statuses and not (question or listing or category or window or units or area):
            return None  # a bare status word: an officer answering a question long gone
        if not (statuses or category) and "remaining" in kinds:
            statuses = OPEN
        # "tuần này đã hoàn thành những việc gì": done this week, whatever the deadline.
        done_in = window is not None and "due" not in kinds and "deadline" not in kinds and (
            statuses == ("done",) or category in (DONE_ON_TIME, DONE_LATE)
        )
        return Query(LIST, **scope, statuses=statuses, category=category, window=window, done_in=done_in, count=count,
                     keywords=keywords)
    if units or area:
        if listing and "how" not in kinds:
            return Query(LIST, **scope)
        # "lĩnh vực VII" alone asks for its progress; a unit's name alone may be an answer gone astray.
        if "how" in kinds or asked or not units:
            return Query(PROGRESS, **scope)
        return None
    if "noun" in kinds and (question or "list" in kinds or "plural" in kinds):
        return Query(LIST)
    if "plan" in kinds and "how" in kinds:
        return Query(PROGRESS)
    return Query(HELP) if question or "noun" in kinds else None


# --- finding tasks by their words ----------------------------------------------------------


@lru_cache(maxsize=65536)
def _content_key(content: str) -> str:
    return f" {key(content)} "


def find_words(keywords: tuple[str, ...], contents: dict[int, str]) -> list[int]:
    """Ids of the contents that hold every keyword phrase; failing that, every
    word of them; failing that, every word give or take one slip."""
    phrases = [key(k) for k in keywords if key(k)]
    if not phrases:
        return []
    folded = {i: _content_key(c or "") for i, c in contents.items()}
    found = [i for i, c in folded.items() if all(f" {p} " in c for p in phrases)]
    if found:
        return found
    words = {w for p in phrases for w in p.split()}
    found = [i for i, c in folded.items() if all(f" {w} " in c for w in words)]
    if found:
        return found
    return [i for i, c in folded.items() if all(any(w == x or one_slip(w, x) for x in c.split()) for w in words)]


_VOWEL_RUN = re.compile(r"[aeiouyd]+")


def like_patterns(keywords: tuple[str, ...]) -> list[str]:
    """SQL LIKE patterns (case-insensitive) that every content holding all the
    keywords' words fits, whatever its diacritics or Unicode form: each run of
    letters that may carry a mark ("ậ", "đ") becomes "%". The database narrows
    the tasks down with them; find_words decides."""
    words = sorted({w for k in keywords for w in key(k).split()})
    skeletons = [re.sub("%+", "%", f"%{_VOWEL_RUN.sub('%', w)}%") for w in words]
    return [s for s in skeletons if s != "%"]
