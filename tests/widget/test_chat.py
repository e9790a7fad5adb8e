"""Conversations through the widget on the demonstration page, with the real stack."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from stack.launcher import Stack
from tests.widget.conftest import (
    Widget,
    conversation_row_exists,
    rasa_user_events,
    wait_until,
)

STORY = (
    "my neighbour keeps shouting at me and my kids, calling us p*kis and "
    "telling us to go back where we came from"
)
UUID4 = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)


def reach_routes(widget: Widget) -> None:
    """Describe an incident, answer the danger question and give the place."""
    widget.open()
    widget.say(STORY)
    widget.press("No")
    widget.say("it happened in wigston")


def test_widget_loads_closed_with_exit(page: Page, widget: Widget) -> None:
    expect(
        widget.host.get_by_role("button", name="Chat to the assistant")
    ).to_be_visible()
    expect(widget.host.get_by_role("button", name="Exit this page")).to_be_visible()
    expect(widget.host.get_by_role("region")).to_be_hidden()


def test_greeting_shown_without_server_turn(widget: Widget) -> None:
    widget.open()

    expect(widget.assistant_messages()).to_have_count(1)
    expect(widget.assistant_messages().first).to_contain_text("call 999")
    assert widget.conversation_id() is None


def test_message_gets_routes_with_links(widget: Widget) -> None:
    reach_routes(widget)

    text = widget.log_text()
    assert "Stop Hate UK" in text
    assert "True Vision" in text
    phone = widget.log.locator("a[href='tel:08001381625']")
    expect(phone.first).to_have_text("0800 138 1625")
    site = widget.log.locator("a[href='https://www.report-it.org.uk/']")
    expect(site.first).to_have_attribute("rel", "noopener noreferrer")


def test_conversation_id_is_server_uuid4(widget: Widget) -> None:
    widget.open()
    widget.say("someone wrote racist graffiti on my door in melton")

    conversation_id = widget.conversation_id()

    assert conversation_id is not None
    assert UUID4.match(conversation_id)


def test_quick_reply_sends_payload(widget: Widget, widget_stack: Stack) -> None:
    widget.open()
    widget.say(STORY)
    buttons = widget.quick_replies().get_by_role("button")
    expect(buttons).to_have_text(
        ["Yes, someone is in danger now", "No", "I'd rather not say"]
    )

    widget.press("No")

    expect(widget.visitor_messages().last).to_contain_text("No")
    expect(widget.assistant_messages().last).to_contain_text("Where did it happen")
    conversation_id = widget.conversation_id()
    assert conversation_id is not None
    sent = [event["text"] for event in rasa_user_events(widget_stack, conversation_id)]
    assert sent
    assert str(sent[-1]).startswith("/")


def test_typed_html_shown_as_text(widget: Widget) -> None:
    widget.open()

    widget.say("<b>bold</b> <img src=x onerror=alert(1)> in leicester")

    expect(widget.visitor_messages().last).to_have_text(
        re.compile(r"<b>bold</b> <img src=x onerror=alert\(1\)>")
    )
    assert widget.log.locator("img, b, script").count() == 0


def test_transcript_survives_reload(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)
    conversation_id = widget.conversation_id()

    page.reload()

    expect(widget.visitor_messages()).to_have_count(1)
    expect(
        widget.quick_replies().get_by_role("button", name="No", exact=True)
    ).to_be_visible()
    assert widget.conversation_id() == conversation_id


def test_no_cookies_are_set(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)

    assert page.context.cookies() == []
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("localStorage.length") == 0


def test_start_again_deletes_conversation(widget: Widget, widget_stack: Stack) -> None:
    widget.open()
    widget.say(STORY)
    conversation_id = widget.conversation_id()
    assert conversation_id is not None

    widget.host.get_by_role("button", name="Start again").click()

    expect(widget.visitor_messages()).to_have_count(0)
    expect(widget.assistant_messages()).to_have_count(1)
    expect(widget.host.get_by_role("status").first).to_have_text(
        "You have started a new conversation."
    )
    assert widget.conversation_id() is None
    assert wait_until(
        lambda: not conversation_row_exists(widget_stack, conversation_id)
    )
    assert rasa_user_events(widget_stack, conversation_id) == []


def test_summary_download_has_story_and_routes(page: Page, widget: Widget) -> None:
    reach_routes(widget)
    widget.host.get_by_role("button", name="Save this conversation").click()
    summary = widget.host.locator("#sos-summary")
    expect(summary).to_contain_text("What you described")

    with page.expect_download() as download_info:
        summary.get_by_role("button", name="Download as a text file").click()
    download = download_info.value
    text = download.path().read_text(encoding="utf-8")

    today = datetime.date.today()
    assert download.suggested_filename == (
        f"speak-out-space-conversation-{today.isoformat()}.txt"
    )
    described = text.split("What you described", 1)[1].split("Ways to report", 1)[0]
    assert STORY in described
    assert "it happened in wigston" in described
    routes = text.split("Ways to report and get support that were suggested", 1)[1]
    routes = routes.split("The whole conversation", 1)[0]
    assert "0800 138 1625" in routes
    assert "https://www.report-it.org.uk" in routes
    assert f"{today.day} {today:%B %Y}" in text
    assert "Hello. I'm the Speak Out Space assistant" not in routes


def test_summary_sends_nothing_to_server(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    widget.host.get_by_role("button", name="Save this conversation").click()
    summary = widget.host.locator("#sos-summary")
    with page.expect_download():
        summary.get_by_role("button", name="Download as a text file").click()

    assert [url for url in requests if "/api/" in url] == []
    stored = json.loads(
        page.evaluate("sessionStorage.getItem('speakOutSpace.transcript')")
    )
    assert [entry["role"] for entry in stored] == ["assistant", "visitor", "assistant"]


def test_campaign_fields_sent_on_start(
    context_factory: Callable[..., BrowserContext],
) -> None:
    page = context_factory().new_page()
    page.goto("/?utm_source=meta&utm_medium=paid_social&utm_campaign=llr-2026")
    widget = Widget(page)
    widget.open()

    with page.expect_request(
        lambda request: request.url.endswith("/api/chat/conversations")
    ) as started:
        widget.say("someone shouted abuse at me in market harborough")

    assert started.value.post_data_json == {
        "utm_source": "meta",
        "utm_medium": "paid_social",
        "utm_campaign": "llr-2026",
    }


def test_summary_shows_log_reference(page: Page, widget: Widget) -> None:
    widget.open()
    with page.expect_response(
        lambda response: response.url.endswith("/api/chat/conversations")
    ) as started:
        widget.say(STORY)
    reference = started.value.json()["reference"]
    assert reference

    widget.host.get_by_role("button", name="Save this conversation").click()

    expect(widget.host.locator("#sos-summary")).to_contain_text(
        f"The reference of this conversation is {reference}."
    )


def test_print_uses_frame_with_summary(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)
    widget.host.get_by_role("button", name="Save this conversation").click()

    widget.host.locator("#sos-summary").get_by_role("button", name="Print").click()

    # The frame is removed a second after printing, so its text is read by
    # the same function that waits for it.
    found = page.wait_for_function(
        """() => {
            const root = document.querySelector("speak-out-space-chat").shadowRoot;
            const frame = root.querySelector("iframe.print-frame");
            const text = frame?.contentDocument?.body?.textContent ?? "";
            return text.includes("What you described") ? text : false;
        }""",
        timeout=5_000,
    )
    frame_text = str(found.json_value())
    assert STORY in frame_text
    assert "Save this conversation" not in frame_text
