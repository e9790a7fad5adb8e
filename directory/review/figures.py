"""Dashboard figures counted from conversation summaries.

Every figure counts conversations, except the fallback rate, which counts
turns. A conversation that names two characteristics, or is offered two
routes, counts once under each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from directory.review.campaigns import CHANNELS, Channel
from directory.review.conversations import ConversationSummary


@dataclass(frozen=True)
class ChannelFigures:
    """Conversations started from a campaign channel, and those offered a route."""

    channel: Channel
    started: int
    reached_route: int


@dataclass(frozen=True)
class DashboardFigures:
    """The figures of the dashboard for one date range."""

    conversations: int
    per_week: list[tuple[date, int]]
    by_characteristic: Counter[str]
    by_area: Counter[str]
    by_reading: Counter[str]
    by_route: Counter[str]
    turns: int
    fallback_turns: int
    unanswered_turns: int
    by_channel: list[ChannelFigures]

    @property
    def fallback_rate(self) -> float | None:
        """Return the share of turns that fell back, or None without turns."""
        if self.turns == 0:
            return None
        return self.fallback_turns / self.turns


def week_start(day: date) -> date:
    """Return the Monday of the ISO week of a day."""
    return day - timedelta(days=day.weekday())


def weekly_counts(summaries: list[ConversationSummary]) -> list[tuple[date, int]]:
    """Return conversations per week from the first to the last week, gaps as 0."""
    counts = Counter(week_start(summary.started_at.date()) for summary in summaries)
    if not counts:
        return []
    weeks: list[tuple[date, int]] = []
    week = min(counts)
    while week <= max(counts):
        weeks.append((week, counts[week]))
        week += timedelta(days=7)
    return weeks


def dashboard_figures(summaries: list[ConversationSummary]) -> DashboardFigures:
    """Count the dashboard figures over the given conversations."""
    by_channel = []
    for channel in CHANNELS:
        members = [summary for summary in summaries if summary.channel == channel]
        by_channel.append(
            ChannelFigures(
                channel=channel,
                started=len(members),
                reached_route=sum(1 for summary in members if summary.reached_route),
            )
        )

    return DashboardFigures(
        conversations=len(summaries),
        per_week=weekly_counts(summaries),
        by_characteristic=Counter(
            value
            for summary in summaries
            for value in summary.characteristics_or_not_said
        ),
        by_area=Counter(summary.area for summary in summaries),
        by_reading=Counter(summary.reading for summary in summaries),
        by_route=Counter(route for summary in summaries for route in summary.routes),
        turns=sum(summary.turns for summary in summaries),
        fallback_turns=sum(summary.fallback_turns for summary in summaries),
        unanswered_turns=sum(summary.unanswered_turns for summary in summaries),
        by_channel=by_channel,
    )
