"""Statistics charts as SVG (matplotlib, Agg). Text stays text (svg.fonttype "none"), so the
browser draws the Chinese labels with its own fonts and no font has to ship with the charts."""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections import Counter
from datetime import date, timedelta
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

_lock = threading.Lock()  # matplotlib's text layout is not thread-safe
RED, GREY = "#b3261e", "#9e9e9e"
PALETTE = ["#b3261e", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#9e9e9e"]
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC")
MAX_DAILY_BARS = 31


@lru_cache(maxsize=1)
def _style() -> dict:
    # Layout is measured with a CJK font when one is installed; the SVG text is drawn by the browser.
    installed = {f.name for f in font_manager.fontManager.ttflist}
    family = [f for f in CJK_FONTS if f in installed] + ["DejaVu Sans"]
    return {"svg.fonttype": "none", "font.family": family, "font.size": 9, "axes.spines.top": False,
            "axes.spines.right": False}


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.3)
    return buf.getvalue()


def _render(draw) -> str:  # type: ignore[no-untyped-def]
    with _lock, matplotlib.rc_context(_style()), warnings.catch_warnings():
        # Without a CJK font matplotlib warns per missing glyph; the browser has the glyphs.
        warnings.simplefilter("ignore")
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        fig = Figure(figsize=(8, 3.2))
        ax = fig.add_subplot()
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        draw(ax)
        return _svg(fig)


def consultations(per_day: dict[date, Counter[str]], names: dict[str, str], top: int = 7,
                  first: date | None = None, last: date | None = None) -> str:
    """Stacked bars per day for the most frequent categories, the rest as 其他; days without
    consultations show as gaps when the period is short enough to draw every day."""
    totals: Counter[str] = Counter()
    for counts in per_day.values():
        totals.update(counts)
    shown = [c for c, _ in totals.most_common(top)]
    days = sorted(per_day)
    if days and first and last and (last - first).days < MAX_DAILY_BARS:
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    per_day = {d: per_day.get(d, Counter()) for d in days}

    def draw(ax) -> None:  # type: ignore[no-untyped-def]
        if not days:
            ax.text(0.5, 0.5, "暂无数据", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return
        labels = [d.strftime("%m-%d") for d in days]
        bottom = [0] * len(days)
        series = [(names.get(c, c), [per_day[d].get(c, 0) for d in days]) for c in shown]
        rest = [sum(n for c, n in per_day[d].items() if c not in shown) for d in days]
        if any(rest):
            series.append(("其他", rest))
        for i, (name, values) in enumerate(series):
            ax.bar(labels, values, bottom=bottom, label=name, color=PALETTE[i % len(PALETTE)])
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_ylabel("咨询量")
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.tick_params(axis="x", labelrotation=45)

    return _render(draw)


def bars(counts: dict[str, int], title: str, highlight: str | None = None) -> str:
    def draw(ax) -> None:  # type: ignore[no-untyped-def]
        keys = list(counts)
        if not keys or not any(counts.values()):
            ax.text(0.5, 0.5, "暂无数据", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            return
        colours = [RED if highlight is None or k == highlight else GREY for k in keys]
        ax.bar(keys, [counts[k] for k in keys], color=colours)
        ax.set_title(title)
        for i, k in enumerate(keys):
            ax.annotate(str(counts[k]), (i, counts[k]), ha="center", va="bottom", fontsize=8)

    return _render(draw)
