"""Quarterly figures by area and characteristic, with small counts suppressed.

Counts from 0 to 4 are published as "<5" (primary suppression). Each row and
each column of the area-by-characteristic table is published with its total,
so one hidden cell in a line could be worked out by subtracting the others
from the total. Where a line with a published total has exactly one hidden
cell, the smallest other cell of that line is hidden too (secondary
suppression), and this repeats until no line changes. The row of column totals
and the grand total are treated as one more line, and so is the column of row
totals.

The counts include the conversations that the retention purge has deleted,
from the counts it kept of them (`directory.review.rollup`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from directory.review.conversations import NOT_SAID, ConversationSummary, load_summaries
from directory.review.rollup import FigureCount, figure_count, purged_counts

SMALL_COUNT = 5
SUPPRESSED = "<5"
ALL = "all"
CSV_COLUMNS = ("quarter", "area", "characteristic", "conversations")
QUARTER_PATTERN = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, such as 2026-Q4."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read a quarter written as `YYYY-Qn`; raise ValueError otherwise."""
        match = QUARTER_PATTERN.fullmatch(text.strip().upper())
        if match is None:
            raise ValueError(f"{text!r} is not a quarter such as 2026-Q4")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        """Return the quarter that contains a day."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        """First day of the quarter."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        """Last day of the quarter."""
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass
class Cell:
    """A count of the table and whether it is published."""

    count: int
    hidden: bool = False

    @property
    def published(self) -> str:
        """Return the count as published: the number or "<5"."""
        return SUPPRESSED if self.hidden else str(self.count)


@dataclass
class QuarterTable:
    """Conversations by area (rows) and characteristic (columns), with totals.

    `cells[r][c]` are the counts; the last row contains the column totals and the
    last column the row totals. A conversation that names several
    characteristics counts in each of their columns but once in its row total,
    so a row's cells can add up to more than its total.
    """

    areas: list[str]
    characteristics: list[str]
    cells: list[list[Cell]]


def build_table(
    summaries: list[ConversationSummary],
    areas: list[str],
    characteristics: list[str],
    purged: Iterable[FigureCount] = (),
) -> QuarterTable:
    """Count the conversations of the logs (`summaries`) and the counts of
    purged conversations (`purged`) into the table, with totals, before
    suppression.

    An area or characteristic that is not in `areas` or `characteristics`
    counts as `not_said`. A conversation counts at most once in each cell.
    """
    rows = areas + [NOT_SAID]
    columns = characteristics + [NOT_SAID]
    counts = [[0] * (len(columns) + 1) for _ in range(len(rows) + 1)]
    figure_counts = [figure_count(summary) for summary in summaries]
    figure_counts.extend(purged)
    for figure in figure_counts:
        added = figure.conversations
        row = rows.index(figure.area) if figure.area in rows else len(rows) - 1
        named_columns = {
            columns.index(value) if value in columns else len(columns) - 1
            for value in figure.characteristics
        }
        for column in named_columns:
            counts[row][column] += added
            counts[-1][column] += added
        counts[row][-1] += added
        counts[-1][-1] += added
    cells = [[Cell(count) for count in row] for row in counts]
    return QuarterTable(areas=rows, characteristics=columns, cells=cells)


def suppress(table: QuarterTable) -> None:
    """Hide small counts and the cells that would let someone subtract them back."""
    for row in table.cells:
        for cell in row:
            cell.hidden = cell.count < SMALL_COUNT

    lines = list(table.cells)
    lines += [[row[c] for row in table.cells] for c in range(len(table.cells[0]))]
    changed = True
    while changed:
        changed = False
        for line in lines:
            changed = _protect_line(line[:-1], line[-1]) or changed


def _protect_line(members: list[Cell], total: Cell) -> bool:
    """Hide a second cell where a published total would reveal a lone hidden one."""
    if total.hidden or sum(1 for cell in members if cell.hidden) != 1:
        return False
    shown = [cell for cell in members if not cell.hidden]
    if not shown:
        return False
    min(shown, key=lambda cell: cell.count).hidden = True
    return True


def quarter_table(
    session: Session, quarter: Quarter, areas: list[str], characteristics: list[str]
) -> QuarterTable:
    """Count and suppress the table of conversations started in a quarter:
    those still in the logs and those the retention purge has deleted."""
    summaries = load_summaries(session, quarter.first_day, quarter.last_day)
    purged = purged_counts(session, quarter.first_day, quarter.last_day)
    table = build_table(summaries, areas, characteristics, purged)
    suppress(table)
    return table


def table_csv(quarter: Quarter, table: QuarterTable) -> str:
    """Write the table as CSV, one row per cell, with `all` for the totals."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    areas = table.areas + [ALL]
    characteristics = table.characteristics + [ALL]
    for r, area in enumerate(areas):
        for c, characteristic in enumerate(characteristics):
            writer.writerow(
                (str(quarter), area, characteristic, table.cells[r][c].published)
            )
    return output.getvalue()
