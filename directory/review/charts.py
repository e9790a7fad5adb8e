"""Geometry of the server-rendered SVG bar charts of the dashboard.

Charts are horizontal bars with the label and the number as text beside each
bar, so they read without colour. Each chart is followed on the page by a
table of the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 260
BAR_AREA_WIDTH = 360
VALUE_WIDTH = 60
BAR_HEIGHT = 22
BAR_GAP = 8


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, and position in the SVG."""

    label: str
    value: int
    y: int
    width: int

    @property
    def text_y(self) -> int:
        """Baseline of the bar's label and value."""
        return self.y + BAR_HEIGHT - 6


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart ready to render."""

    chart_id: str
    title: str
    # Heading of the first column of the chart's table.
    category: str
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def width(self) -> int:
        """Width of the SVG in user units."""
        return LABEL_WIDTH + BAR_AREA_WIDTH + VALUE_WIDTH

    @property
    def height(self) -> int:
        """Height of the SVG in user units."""
        return max(1, len(self.bars)) * (BAR_HEIGHT + BAR_GAP)

    def value_x(self, bar: Bar) -> int:
        """Left edge of a bar's value text."""
        return LABEL_WIDTH + bar.width + 6


def bar_chart(
    chart_id: str, title: str, category: str, items: list[tuple[str, int]]
) -> BarChart:
    """Lay out bars for (label, value) pairs, scaled to the largest value."""
    largest = max((value for _, value in items), default=0)
    bars = []
    for index, (label, value) in enumerate(items):
        width = round(BAR_AREA_WIDTH * value / largest) if largest else 0
        bars.append(
            Bar(label=label, value=value, y=index * (BAR_HEIGHT + BAR_GAP), width=width)
        )
    return BarChart(chart_id=chart_id, title=title, category=category, bars=bars)
