"""Dashboard figures and the quarterly CSV over the known set of conversations."""

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from directory.review.campaigns import (
    GOOGLE_DISPLAY,
    GOOGLE_OTHER,
    GOOGLE_SEARCH,
    META,
    NO_CAMPAIGN,
    OTHER_SOURCE,
    TIKTOK,
    channel_of,
)
from directory.review.conversations import NOT_SAID, ConversationSummary, load_summaries
from directory.review.figures import dashboard_figures
from directory.review.quarterly import SUPPRESSED, Quarter, build_table, suppress
from directory.staff.models import REVIEWER


def test_dashboard_figures_for_november(
    session: Session, known_logs: dict[str, str]
) -> None:
    summaries = load_summaries(session, date(2026, 11, 1), date(2026, 11, 30))

    figures = dashboard_figures(summaries)

    assert figures.conversations == 5
    assert figures.per_week == [
        (date(2026, 11, 2), 2),
        (date(2026, 11, 9), 2),
        (date(2026, 11, 16), 1),
    ]
    assert dict(figures.by_characteristic) == {
        "race": 2,
        "religion": 2,
        "disability": 1,
        NOT_SAID: 1,
    }
    assert dict(figures.by_area) == {
        "leicester": 2,
        "charnwood": 1,
        "melton": 1,
        NOT_SAID: 1,
    }
    assert dict(figures.by_reading) == {
        "crime": 3,
        "non_crime_incident": 1,
        "not_hate": 1,
    }
    assert dict(figures.by_route) == {
        "third_party_report": 1,
        "police_report": 2,
        "victim_support": 1,
    }
    assert figures.turns == 8
    assert figures.fallback_turns == 2
    assert figures.fallback_rate == pytest.approx(0.25)
    by_channel = {
        row.channel: (row.started, row.reached_route) for row in figures.by_channel
    }
    assert by_channel == {
        META: (1, 1),
        GOOGLE_SEARCH: (1, 0),
        GOOGLE_DISPLAY: (1, 1),
        GOOGLE_OTHER: (0, 0),
        TIKTOK: (1, 0),
        OTHER_SOURCE: (0, 0),
        NO_CAMPAIGN: (1, 1),
    }


def test_weeks_without_conversations_count_zero(
    session: Session, known_logs: dict[str, str]
) -> None:
    figures = dashboard_figures(load_summaries(session))

    weeks = dict(figures.per_week)
    assert weeks[date(2026, 9, 28)] == 1
    assert weeks[date(2026, 10, 5)] == 0
    assert len(figures.per_week) == 8
    assert sum(weeks.values()) == 6


def test_dashboard_page_shows_numbers(
    client: TestClient, signed_in: Callable[[str], str], known_logs: dict[str, str]
) -> None:
    signed_in(REVIEWER)

    response = client.get("/staff/reviews/dashboard?start=2026-11-01&end=2026-11-30")

    assert response.status_code == 200
    page = response.text
    assert "<svg" in page
    assert "<script" not in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert '<tr><th scope="row">Fallback rate</th><td>25.0%</td></tr>' in page
    assert '<tr><th scope="row">Meta</th><td>1</td><td>1</td><td>100%</td></tr>' in page
    assert (
        '<tr><th scope="row">Google Search</th><td>1</td><td>0</td><td>0%</td></tr>'
        in page
    )
    assert '<tr><th scope="row">Race or ethnicity</th><td>2</td></tr>' in page
    assert '<tr><th scope="row">Police report</th><td>2</td></tr>' in page
    assert '<tr><th scope="row">w/c 02 Nov 2026</th><td>2</td></tr>' in page


def test_dashboard_rejects_invalid_date(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    signed_in(REVIEWER)

    response = client.get("/staff/reviews/dashboard?start=yesterday")

    assert response.status_code == 400
    assert "Enter the first date as a date such as 2026-12-04." in response.text


@pytest.mark.parametrize(
    ("source", "medium", "expected"),
    [
        ("meta", "paid_social", META),
        ("facebook", None, META),
        ("instagram", "social", META),
        ("google", "cpc", GOOGLE_SEARCH),
        ("google", "paid_search", GOOGLE_SEARCH),
        ("google", "display", GOOGLE_DISPLAY),
        ("google", "email", GOOGLE_OTHER),
        ("tiktok", "video", TIKTOK),
        ("other", "cpc", OTHER_SOURCE),
        (None, None, NO_CAMPAIGN),
    ],
)
def test_channel_of_source_and_medium(
    source: str | None, medium: str | None, expected: object
) -> None:
    assert channel_of(source, medium) == expected


def _summary(area: str, characteristics: tuple[str, ...]) -> ConversationSummary:
    return ConversationSummary(
        conversation_id="x",
        reference="X",
        started_at=datetime(2026, 11, 2, tzinfo=UTC),
        channel=NO_CAMPAIGN,
        utm_campaign=None,
        turns=1,
        unanswered_turns=0,
        characteristics=characteristics,
        area=area,
        reading=NOT_SAID,
        routes=(),
        fallback_turns=0,
        low_confidence_turns=0,
    )


def _summaries(counts: dict[tuple[str, str], int]) -> list[ConversationSummary]:
    result = []
    for (area, characteristic), count in counts.items():
        values = () if characteristic == NOT_SAID else (characteristic,)
        result += [_summary(area, values)] * count
    return result


# Every cell is at least 5 except Leicester and religion (3), so only secondary
# suppression can hide the others.
TABLE_COUNTS = {
    ("leicester", "race"): 10,
    ("leicester", "religion"): 3,
    ("leicester", NOT_SAID): 6,
    ("charnwood", "race"): 9,
    ("charnwood", "religion"): 8,
    ("charnwood", NOT_SAID): 12,
    (NOT_SAID, "race"): 20,
    (NOT_SAID, "religion"): 7,
    (NOT_SAID, NOT_SAID): 15,
}


def test_small_count_and_its_complement_hidden() -> None:
    table = build_table(
        _summaries(TABLE_COUNTS), ["leicester", "charnwood"], ["race", "religion"]
    )

    suppress(table)

    cells = {
        (area, characteristic): table.cells[r][c]
        for r, area in enumerate(table.areas + ["all"])
        for c, characteristic in enumerate(table.characteristics + ["all"])
    }
    assert cells[("leicester", "religion")].published == SUPPRESSED
    # Leicester's total (19) is published, so the next smallest cell of the row
    # is hidden too; the same holds for the religion column (total 18).
    assert cells[("leicester", NOT_SAID)].published == SUPPRESSED
    assert cells[(NOT_SAID, "religion")].published == SUPPRESSED
    assert cells[("leicester", "all")].published == "19"
    assert cells[("all", "religion")].published == "18"
    assert cells[("all", "all")].published == "90"
    assert cells[("charnwood", "race")].published == "9"


def test_no_line_reveals_a_lone_hidden_cell() -> None:
    table = build_table(
        _summaries(TABLE_COUNTS), ["leicester", "charnwood"], ["race", "religion"]
    )

    suppress(table)

    rows = table.cells
    columns = [[row[c] for row in rows] for c in range(len(rows[0]))]
    for line in rows + columns:
        members, total = line[:-1], line[-1]
        hidden = sum(1 for cell in members if cell.hidden)
        assert total.hidden or hidden != 1
    for row in rows:
        for cell in row:
            assert cell.count >= 5 or cell.hidden


def test_counts_of_five_published() -> None:
    counts = {
        ("leicester", "race"): 5,
        ("leicester", NOT_SAID): 5,
        (NOT_SAID, "race"): 5,
        (NOT_SAID, NOT_SAID): 5,
    }
    table = build_table(_summaries(counts), ["leicester"], ["race"])

    suppress(table)

    assert [cell.published for cell in table.cells[0]] == ["5", "5", "10"]
    assert [cell.published for cell in table.cells[-1]] == ["10", "10", "20"]


def test_quarter_csv_hides_small_counts(
    client: TestClient, signed_in: Callable[[str], str], known_logs: dict[str, str]
) -> None:
    signed_in(REVIEWER)

    fourth = client.get("/staff/reviews/figures.csv?quarter=2026-Q4")
    third = client.get("/staff/reviews/figures.csv?quarter=2026-q3")

    assert fourth.status_code == 200
    assert fourth.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(fourth.text)))
    values = {
        (row["area"], row["characteristic"]): row["conversations"] for row in rows
    }
    assert rows[0]["quarter"] == "2026-Q4"
    assert values[("all", "all")] == "5"
    assert values[("leicester", "race")] == SUPPRESSED
    assert values[("leicester", "all")] == SUPPRESSED
    assert values[("rutland", "disability")] == SUPPRESSED
    assert {value for key, value in values.items() if key != ("all", "all")} == {
        SUPPRESSED
    }
    assert len(rows) == 12 * 10
    third_rows = list(csv.DictReader(io.StringIO(third.text)))
    assert {row["conversations"] for row in third_rows} == {SUPPRESSED}


def test_quarter_csv_rejects_invalid_quarter(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    signed_in(REVIEWER)

    response = client.get("/staff/reviews/figures.csv?quarter=2026-Q5")

    assert response.status_code == 400
    assert "Choose a quarter such as 2026-Q4." in response.text


def test_figures_page_shows_table(
    client: TestClient, signed_in: Callable[[str], str], known_logs: dict[str, str]
) -> None:
    signed_in(REVIEWER)

    response = client.get("/staff/reviews/figures?quarter=2026-Q4")

    assert response.status_code == 200
    assert "2026-10-01 to 2026-12-31" in response.text
    assert "&lt;5" in response.text


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2024-q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarter_days(text: str, first: date, last: date) -> None:
    quarter = Quarter.parse(text)

    assert quarter.first_day == first
    assert quarter.last_day == last


def test_quarter_summaries_from_logs(
    session: Session, known_logs: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    quarter = Quarter.parse("2026-Q4")

    summaries = load_summaries(session, quarter.first_day, quarter.last_day)

    assert sorted(summary.reference for summary in summaries) == [
        "DISP4444",
        "META2222",
        "NONE6666",
        "SRCH3333",
        "TKTK5555",
    ]
