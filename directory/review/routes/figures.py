"""The dashboard and the quarterly figures by area and characteristic."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from directory.review.charts import bar_chart
from directory.review.conversations import NOT_SAID, load_summaries
from directory.review.figures import dashboard_figures
from directory.review.pages import (
    READING_NAMES,
    ROUTE_NAMES,
    area_names,
    characteristic_names,
    render,
)
from directory.review.quarterly import Quarter, quarter_table, table_csv
from directory.review.routes.common import PREFIX, Db, Reviewer, parse_day

logger = logging.getLogger(__name__)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

# Quarters offered on the figures page, counting back from the current one.
QUARTERS_OFFERED = 5


def _named(counts: dict[str, int], names: dict[str, str]) -> list[tuple[str, int]]:
    """Return (name, count) pairs in the order of `names`, then any other code."""
    ordered = [(names[code], counts.get(code, 0)) for code in names]
    ordered += [(code, count) for code, count in counts.items() if code not in names]
    return ordered


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request, staff: Reviewer, db: Db, start: str = "", end: str = ""
) -> HTMLResponse:
    """Show the figures of the conversations started in a date range, as charts."""
    errors: dict[str, str] = {}
    started_from = parse_day(start, "start", "first date", errors)
    started_to = parse_day(end, "end", "last date", errors)
    figures = dashboard_figures(load_summaries(db, started_from, started_to))

    characteristics = _named(figures.by_characteristic, characteristic_names())
    areas = _named(figures.by_area, area_names())
    readings = _named(figures.by_reading, READING_NAMES)
    routes = _named(figures.by_route, ROUTE_NAMES)
    weeks = [(f"w/c {week:%d %b %Y}", count) for week, count in figures.per_week]
    charts = [
        bar_chart(
            "weeks", "Conversations per week (weeks start on Monday)", "Week", weeks
        ),
        bar_chart(
            "characteristics",
            "Conversations by characteristic",
            "Characteristic",
            characteristics,
        ),
        bar_chart("areas", "Conversations by area", "Area", areas),
        bar_chart("readings", "Conversations by reading", "Reading", readings),
        bar_chart(
            "routes", "Conversations offered each kind of route", "Route", routes
        ),
    ]
    channel_started = bar_chart(
        "channels-started",
        "Conversations started, by campaign source",
        "Campaign source",
        [(row.channel.name, row.started) for row in figures.by_channel],
    )
    channel_reached = bar_chart(
        "channels-reached",
        "Conversations that reached a route, by campaign source",
        "Campaign source",
        [(row.channel.name, row.reached_route) for row in figures.by_channel],
    )
    return render(
        request,
        "dashboard.html",
        staff,
        status_code=400 if errors else 200,
        errors=errors,
        start=start,
        end=end,
        figures=figures,
        charts=charts,
        channel_started=channel_started,
        channel_reached=channel_reached,
    )


def _offered_quarters() -> list[Quarter]:
    current = Quarter.containing(datetime.now(UTC).date())
    quarters = [current]
    while len(quarters) < QUARTERS_OFFERED:
        last = quarters[-1]
        if last.number == 1:
            quarters.append(Quarter(last.year - 1, 4))
        else:
            quarters.append(Quarter(last.year, last.number - 1))
    return quarters


def _table_codes() -> tuple[list[str], list[str]]:
    areas = [code for code in area_names() if code != NOT_SAID]
    characteristics = [code for code in characteristic_names() if code != NOT_SAID]
    return areas, characteristics


def _read_quarter(value: str, errors: dict[str, str]) -> Quarter:
    if not value:
        return _offered_quarters()[0]
    try:
        return Quarter.parse(value)
    except ValueError:
        errors["quarter"] = "Choose a quarter such as 2026-Q4."
        return _offered_quarters()[0]


@router.get("/figures", response_class=HTMLResponse)
def quarterly_figures(
    request: Request, staff: Reviewer, db: Db, quarter: str = ""
) -> HTMLResponse:
    """Show a quarter's table by area and characteristic, as it will be published."""
    errors: dict[str, str] = {}
    chosen = _read_quarter(quarter, errors)
    areas, characteristics = _table_codes()
    table = quarter_table(db, chosen, areas, characteristics)
    return render(
        request,
        "figures.html",
        staff,
        status_code=400 if errors else 200,
        errors=errors,
        quarter=chosen,
        quarters=_offered_quarters(),
        table=table,
    )


@router.get("/figures.csv")
def quarterly_figures_csv(staff: Reviewer, db: Db, quarter: str = "") -> Response:
    """Download a quarter's table by area and characteristic as CSV."""
    errors: dict[str, str] = {}
    chosen = _read_quarter(quarter, errors)
    if errors:
        return Response(
            errors["quarter"], status_code=400, media_type="text/plain; charset=utf-8"
        )
    areas, characteristics = _table_codes()
    table = quarter_table(db, chosen, areas, characteristics)
    logger.info("Account %s exported the figures of %s", staff.account.id, chosen)
    return Response(
        table_csv(chosen, table),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="conversations_{chosen}.csv"',
            "Cache-Control": "no-store",
        },
    )
