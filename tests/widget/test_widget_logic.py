"""Unit tests of the widget's own functions, run in Chromium on a blank page.

These need no stack: widget.js is loaded into an empty page and its pure
functions are called through `window.SpeakOutSpaceWidget.internals`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.widget.conftest import WIDGET_SOURCE


@pytest.fixture(scope="module")
def blank(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.route("**/*", lambda route: route.abort())
    page = context.new_page()
    page.set_content("<!DOCTYPE html><html lang='en'><body></body></html>")
    page.evaluate(WIDGET_SOURCE.read_text(encoding="utf-8"))
    yield page
    context.close()


def call(page: Page, function: str, *args: Any) -> Any:
    return page.evaluate(
        f"(args) => window.SpeakOutSpaceWidget.internals.{function}(...args)",
        list(args),
    )


def links(page: Page, text: str) -> list[tuple[str, str, str | None]]:
    parts = call(page, "findLinks", text)
    return [(part["kind"], part["text"], part.get("href")) for part in parts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "call 999 now",
            [
                ("text", "call ", None),
                ("phone", "999", "tel:999"),
                ("text", " now", None),
            ],
        ),
        (
            "Phone: 0800 138 1625.",
            [
                ("text", "Phone: ", None),
                ("phone", "0800 138 1625", "tel:08001381625"),
                ("text", ".", None),
            ],
        ),
        (
            "Samaritans on 116 123",
            [("text", "Samaritans on ", None), ("phone", "116 123", "tel:116123")],
        ),
        (
            "Text: 07717 989 025",
            [("text", "Text: ", None), ("phone", "07717 989 025", "tel:07717989025")],
        ),
        ("+44 116 305 8263", [("phone", "+44 116 305 8263", "tel:+441163058263")]),
        (
            "see https://www.report-it.org.uk.",
            [
                ("text", "see ", None),
                (
                    "url",
                    "https://www.report-it.org.uk",
                    "https://www.report-it.org.uk/",
                ),
                ("text", ".", None),
            ],
        ),
        (
            "www.stophateuk.org",
            [("url", "www.stophateuk.org", "https://www.stophateuk.org/")],
        ),
        (
            "Email: talk@stophateuk.org",
            [
                ("text", "Email: ", None),
                ("email", "talk@stophateuk.org", "mailto:talk@stophateuk.org"),
            ],
        ),
        ("in 2026 at 10:15", [("text", "in 2026 at 10:15", None)]),
        ("javascript:alert(1)", [("text", "javascript:alert(1)", None)]),
    ],
)
def test_find_links(
    blank: Page, text: str, expected: list[tuple[str, str, str | None]]
) -> None:
    assert links(blank, text) == expected


def test_linkify_never_parses_html(blank: Page) -> None:
    result = blank.evaluate(
        """() => {
            const holder = document.createElement("div");
            holder.append(window.SpeakOutSpaceWidget.internals.linkify(
                '<img src=x onerror="window.hacked=1"> call 999 <script>1</script>'));
            return {
                elements: [...holder.querySelectorAll("*")].map((e) => e.tagName),
                text: holder.textContent,
                hacked: window.hacked === 1,
            };
        }"""
    )

    assert result["elements"] == ["A"]
    assert result["text"].startswith("<img src=x")
    assert result["hacked"] is False


def test_linkify_url_opens_new_tab(blank: Page) -> None:
    result = blank.evaluate(
        """() => {
            const holder = document.createElement("div");
            holder.append(window.SpeakOutSpaceWidget.internals.linkify(
                "https://www.report-it.org.uk"));
            const link = holder.querySelector("a");
            return [link.target, link.rel, link.textContent];
        }"""
    )

    assert result == [
        "_blank",
        "noopener noreferrer",
        "https://www.report-it.org.uk (opens in a new tab)",
    ]


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#ffffff", "#000000", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),
        ("#3b1f6b", "#ffffff", 13.2),
    ],
)
def test_contrast_ratio(blank: Page, first: str, second: str, ratio: float) -> None:
    assert call(blank, "contrastRatio", first, second) == pytest.approx(ratio, abs=0.05)


@pytest.mark.parametrize(
    ("background", "text"),
    [
        ("#3b1f6b", "#ffffff"),
        ("#ffdd00", "#000000"),
        ("#fff", "#000000"),
        ("#1d70b8", "#ffffff"),
        ("#777777", "#000000"),
    ],
)
def test_readable_text_colour(blank: Page, background: str, text: str) -> None:
    assert call(blank, "readableTextColour", background) == text


def test_readable_text_always_reaches_aa(blank: Page) -> None:
    worst = blank.evaluate(
        """() => {
            const internals = window.SpeakOutSpaceWidget.internals;
            const hex = (rgb) =>
                "#" + rgb.map((c) => c.toString(16).padStart(2, "0")).join("");
            const ramps = [
                (v) => [v, v, v], (v) => [v, 0, 255 - v], (v) => [255, v, 0],
            ];
            let worst = 21;
            for (let value = 0; value < 256; value += 1) {
                for (const ramp of ramps) {
                    const colour = hex(ramp(value));
                    const text = internals.readableTextColour(colour);
                    worst = Math.min(worst, internals.contrastRatio(colour, text));
                }
            }
            return worst;
        }"""
    )

    assert worst >= 4.5


@pytest.mark.parametrize("value", ["red", "#12345", "url(x)", "", "#ggg"])
def test_parse_colour_rejects_other_values(blank: Page, value: str) -> None:
    assert call(blank, "parseColour", value) is None


TRANSCRIPT = [
    {
        "role": "assistant",
        "text": "Hello. If you are in danger now, call 999.",
        "at": "2026-03-02T10:00:00Z",
        "local": True,
    },
    {
        "role": "visitor",
        "text": "Someone pushed me and shouted abuse.",
        "at": "2026-03-02T10:01:00Z",
    },
    {
        "role": "assistant",
        "text": "Thank you for telling me.\nStop Hate UK: Phone: 0800 138 1625.\n"
        "Online: https://www.report-it.org.uk",
        "at": "2026-03-02T10:02:00Z",
    },
    {"role": "visitor", "text": "Melton", "at": "2026-03-02T10:03:00Z"},
    {
        "role": "assistant",
        "text": "Stop Hate UK: Phone: 0800 138 1625.",
        "at": "2026-03-02T10:04:00Z",
    },
]


def test_summary_sections(blank: Page) -> None:
    summary = call(blank, "buildSummary", TRANSCRIPT, "2026-03-02T11:00:00Z")
    sections = {section["heading"]: section["items"] for section in summary["sections"]}

    described = [item["text"] for item in sections["What you described"]]
    routes = [
        item["text"]
        for item in sections["Ways to report and get support that were suggested"]
    ]
    assert described == ["Someone pushed me and shouted abuse.", "Melton"]
    assert routes == [
        "Stop Hate UK: Phone: 0800 138 1625.",
        "Online: https://www.report-it.org.uk",
    ]
    assert len(sections["The whole conversation"]) == 5
    assert summary["saved"] == "Saved on 2 March 2026 at 11:00."


def test_summary_text_has_dates(blank: Page) -> None:
    text = blank.evaluate(
        """([transcript]) => {
            const internals = window.SpeakOutSpaceWidget.internals;
            const summary = internals.buildSummary(transcript, "2026-03-02T11:00:00Z");
            return internals.summaryToText(summary);
        }""",
        [TRANSCRIPT],
    )

    assert text.startswith("Speak Out Space: summary of your conversation\n")
    assert "2 March 2026 at 10:01:\n    Someone pushed me and shouted abuse." in text
    assert "You, 2 March 2026 at 10:03:\n    Melton" in text
    assert "not been sent anywhere" in text


def test_summary_of_empty_transcript(blank: Page) -> None:
    summary = call(blank, "buildSummary", [], "2026-03-02T11:00:00Z")

    assert all(section["items"] == [] for section in summary["sections"])


def test_strings_fallback_has_every_route(blank: Page) -> None:
    lines = blank.evaluate("window.SpeakOutSpaceWidget.internals.strings.unavailable")
    text = "\n".join(lines)

    for route in ("999", "101", "https://www.report-it.org.uk", "0800 138 1625"):
        assert route in text


def test_summary_includes_reference(blank: Page) -> None:
    summary = call(
        blank, "buildSummary", TRANSCRIPT, "2026-03-02T11:00:00Z", "K7MQ2XPA"
    )

    assert "K7MQ2XPA" in summary["reference"]


def test_campaign_fields_from_address(blank: Page) -> None:
    fields = call(
        blank,
        "campaignFields",
        "?utm_source=meta&utm_medium=paid_social&utm_campaign=llr-2026&name=Ann",
    )

    assert fields == {
        "utm_source": "meta",
        "utm_medium": "paid_social",
        "utm_campaign": "llr-2026",
    }


def test_campaign_fields_cut_to_200(blank: Page) -> None:
    fields = call(blank, "campaignFields", "?utm_campaign=" + "x" * 300)

    assert fields == {"utm_campaign": "x" * 200}


def test_campaign_fields_absent(blank: Page) -> None:
    assert call(blank, "campaignFields", "") == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.bbc.co.uk/weather", "https://www.bbc.co.uk/weather"),
        ("http://neutral.test/weather", "http://neutral.test/weather"),
        ("javascript:alert(1)", "https://fallback.test/"),
        ("data:text/html,hi", "https://fallback.test/"),
        ("", "https://fallback.test/"),
    ],
)
def test_web_address_only_http(blank: Page, value: str, expected: str) -> None:
    assert call(blank, "webAddress", value, "https://fallback.test/") == expected
