"""The digest's chart: progress by area or by unit, one horizontal bar each,
stacked in the four-way counts. matplotlib with the Agg backend (no display)
and DejaVu Sans, which ships with matplotlib and has the Vietnamese letters.

A chart is written once under files_dir/charts, named by a hash of what it
shows: the same figures (two groups with one scope, a re-run) reuse the file.
Drawing a figure from nothing costs more than redrawing one, so each process
keeps one figure per number of bars and only changes its bars and texts."""

from __future__ import annotations

import hashlib
import json
import os
import textwrap
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from domain.digest import Bar

FONT = "DejaVu Sans"
# Done on time, done late, open on time, overdue (domain.progress.CATEGORIES).
COLOURS = ("#2e7d32", "#9ccc65", "#42a5f5", "#e53935")
TEXT_ON = ("white", "black", "black", "white")
MAX_BARS = 12
LABEL_CHARS = 38
_lock = threading.Lock()  # one figure per size, shared: one chart at a time
_figures: dict[tuple, _Figure] = {}


def chart_path(files_dir: Path, title: str, legend: tuple[str, ...], bars: list[Bar]) -> Path:
    data = json.dumps([title, list(legend), [(b.label, list(b.counts)) for b in bars[:MAX_BARS]]], ensure_ascii=False)
    name = hashlib.sha1(data.encode()).hexdigest()[:20]
    return Path(files_dir) / "charts" / f"{name}.png"


def render_chart(files_dir: Path, title: str, legend: tuple[str, ...], bars: list[Bar]) -> Path:
    """The PNG for these bars (drawn if it is not there yet)."""
    path = chart_path(files_dir, title, legend, bars)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    shown = bars[:MAX_BARS] or [Bar("", (0, 0, 0, 0))]
    temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    with _lock:
        key = (len(shown), tuple(legend))
        if key not in _figures:
            _figures[key] = _Figure(len(shown), legend)
        _figures[key].draw(title, shown, temporary)
    temporary.replace(path)  # atomic: a concurrent reader never sees half a file
    return path


class _Figure:
    def __init__(self, count: int, legend: tuple[str, ...]):
        height = 1.1 + 0.42 * count
        self.figure = Figure(figsize=(8, height))
        FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.add_axes((0.37, 0.45 / height, 0.58, 1 - 1.0 / height))
        self.rows = list(range(count))[::-1]  # the first bar on top
        self.segments = [axes.barh(self.rows, [0] * count, color=colour, height=0.62) for colour in COLOURS]
        self.numbers = [[axes.text(0, y, "", ha="center", va="center", fontsize=8, family=FONT, color=TEXT_ON[k])
                         for y in self.rows] for k in range(len(COLOURS))]
        self.totals = [axes.text(0, y, "", ha="left", va="center", fontsize=8, family=FONT, color="#424242")
                       for y in self.rows]
        axes.set_yticks(self.rows)
        axes.tick_params(axis="y", length=0, labelsize=9)
        axes.xaxis.set_visible(False)
        for spine in ("top", "right", "bottom"):
            axes.spines[spine].set_visible(False)
        self.title = self.figure.suptitle("", fontsize=11, family=FONT, x=0.02, ha="left", y=1 - 0.12 / height)
        handles = [Patch(color=colour, label=name) for colour, name in zip(COLOURS, legend)]
        self.figure.legend(handles=handles, loc="lower center", ncol=4, frameon=False, prop={"family": FONT, "size": 8})

    def draw(self, title: str, bars: list[Bar], path: Path) -> None:
        left = [0] * len(bars)
        for k, segments in enumerate(self.segments):
            for i, (rectangle, bar) in enumerate(zip(segments, bars)):
                value = bar.counts[k]
                rectangle.set_x(left[i])
                rectangle.set_width(value)
                number = self.numbers[k][i]
                number.set_text(str(value) if value else "")
                number.set_x(left[i] + value / 2)
                left[i] += value
        for total, value in zip(self.totals, left):
            total.set_text(f" {value}")
            total.set_x(value)
        self.axes.set_yticklabels([textwrap.shorten(b.label, LABEL_CHARS, placeholder="…") for b in bars],
                                  family=FONT)
        self.axes.set_xlim(0, max([*left, 1]) * 1.08)
        self.title.set_text(title)
        self.figure.savefig(path, format="png", dpi=100)
