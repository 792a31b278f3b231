"""The digest's chart: progress by area or by unit, one horizontal bar each,
stacked in the four-way counts. matplotlib with the Agg backend (no display)
and DejaVu Sans, which ships with matplotlib and has the Vietnamese letters.

A chart is written once under files_dir/charts, named by a hash of what it
shows: the same figures (two groups with one scope, a re-run) reuse the file."""

from __future__ import annotations

import hashlib
import json
import textwrap
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

from domain.digest import Bar  # noqa: E402

FONT = "DejaVu Sans"
# Done on time, done late, open on time, overdue (domain.progress.CATEGORIES).
COLOURS = ("#2e7d32", "#9ccc65", "#42a5f5", "#e53935")
MAX_BARS = 12
_lock = threading.Lock()  # matplotlib's font cache is not thread-safe


def chart_path(files_dir: Path, title: str, legend: tuple[str, ...], bars: list[Bar]) -> Path:
    data = json.dumps([title, legend, [(b.label, b.counts) for b in bars]], ensure_ascii=False)
    name = hashlib.sha1(data.encode()).hexdigest()[:20]
    return Path(files_dir) / "charts" / f"{name}.png"


def render_chart(files_dir: Path, title: str, legend: tuple[str, ...], bars: list[Bar]) -> Path:
    """The PNG for these bars (written if it is not there yet)."""
    path = chart_path(files_dir, title, legend, bars)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    shown = bars[:MAX_BARS]
    with _lock:
        figure = _draw(title, legend, shown)
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        figure.savefig(temporary, format="png", dpi=100)
    temporary.replace(path)  # atomic: a concurrent reader never sees half a file
    return path


def _draw(title: str, legend: tuple[str, ...], bars: list[Bar]) -> Figure:
    height = 1.1 + 0.42 * max(1, len(bars))
    figure = Figure(figsize=(8, height))
    axes = figure.add_axes((0.37, 0.45 / height, 0.58, 1 - 1.0 / height))
    labels = [textwrap.shorten(b.label, 38, placeholder="…") for b in bars][::-1]
    rows = [b.counts for b in bars][::-1]
    left = [0] * len(rows)
    positions = list(range(len(rows)))
    for index, (name, colour) in enumerate(zip(legend, COLOURS)):
        values = [r[index] for r in rows]
        axes.barh(positions, values, left=left, color=colour, label=name, height=0.62)
        for y, (start, value) in enumerate(zip(left, values)):
            if value:
                axes.text(start + value / 2, y, str(value), ha="center", va="center", fontsize=8, family=FONT,
                          color="white" if index in (0, 3) else "black")
        left = [a + b for a, b in zip(left, values)]
    for y, total in enumerate(left):
        axes.text(total, y, f" {total}", ha="left", va="center", fontsize=8, family=FONT, color="#424242")
    axes.set_yticks(positions, labels, fontsize=9, family=FONT)
    axes.tick_params(axis="y", length=0)
    axes.set_xlim(0, max(left + [1]) * 1.08)
    axes.xaxis.set_visible(False)  # every segment carries its number
    for spine in ("top", "right", "bottom"):
        axes.spines[spine].set_visible(False)
    figure.suptitle(title, fontsize=11, family=FONT, x=0.02, ha="left", y=1 - 0.12 / height)
    figure.legend(loc="lower center", ncol=4, fontsize=8, frameon=False, prop={"family": FONT, "size": 8})
    return figure
