"""Server-drawn SVG bar charts: readable without JavaScript, with a text alternative alongside."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 26


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


def _nice_max(value: int) -> int:
    """Round the axis top up to 1, 2 or 5 × a power of ten."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def bar_chart(days: list[dict[str, Any]], *, key: str, title: str, label: str) -> dict[str, Any]:
    """Geometry for templates/analytics/_chart.html: one bar per day of `days[i][key]`."""
    values = [int(d[key]) for d in days]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    gap = min(2.0, slot * 0.2)
    bars = []
    for i, (day, value) in enumerate(zip((d["date"] for d in days), values, strict=True)):
        h = plot_h * value / top
        bars.append(
            Bar(
                x=round(LEFT + i * slot + gap / 2, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(h, 2),
                label=f"{_fmt(day)}: {value} {label}",
            )
        )
    total = sum(values)
    peak = max(range(len(values)), key=values.__getitem__) if values else None
    desc = f"{total} {label} in total from {_fmt(days[0]['date'])} to {_fmt(days[-1]['date'])}" if days else "No data"
    if peak is not None and values[peak]:
        desc += f"; the busiest day was {_fmt(days[peak]['date'])} with {values[peak]}."
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "title": title,
        "desc": desc,
        "axis": {
            "left": LEFT,
            "right": WIDTH - RIGHT,
            "top": TOP,
            "bottom": TOP + plot_h,
            "middle": TOP + plot_h / 2,
            "max": top,
            "half": top / 2 if top % 2 else top // 2,
            "label_y": HEIGHT - 6,
        },
        "first": _fmt(days[0]["date"]) if days else "",
        "last": _fmt(days[-1]["date"]) if days else "",
    }


def _fmt(day: dt.date) -> str:
    return f"{day:%d %b}".lstrip("0")
