"""How the widget shows the gateway's own replies: too long, rate limited, slow.

The too-long case uses the real gateway. The rate-limit and slow cases hold or
replace the gateway's response in the browser, because reaching them for real
would take a minute of messages or a stalled Rasa.
"""

from __future__ import annotations

import json

from playwright.sync_api import Page, Route, expect

from tests.widget.conftest import Widget

MESSAGES_URL = "**/api/chat/conversations/*/messages"


def test_too_long_message_asks_to_shorten(widget: Widget) -> None:
    widget.open()

    widget.say("a" * 2001)

    expect(widget.assistant_messages().last).to_contain_text("Please shorten it")
    assert widget.notices().count() == 0


def test_rate_limited_reply_says_when(page: Page, widget: Widget) -> None:
    detail = "Sorry, there have been a lot of messages in a short time."
    page.route(
        MESSAGES_URL,
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "12"},
            content_type="application/json",
            body=json.dumps({"detail": detail}),
        ),
    )
    widget.open()

    widget.say("someone threw eggs at my house in oakham")

    notice = widget.notices().last
    expect(notice).to_contain_text(detail)
    expect(notice).to_contain_text("You can try again in 12 seconds.")
    expect(notice.get_by_role("button", name="Try again")).to_be_visible()


def test_slow_reply_says_so_then_gives_help(page: Page, widget: Widget) -> None:
    held_routes: list[Route] = []
    page.route(MESSAGES_URL, lambda route: held_routes.append(route))
    page.clock.install()
    page.reload()
    widget.open()
    status = widget.host.locator("p.status")

    widget.input.fill("a group followed me home shouting abuse in coalville")
    widget.input.press("Enter")
    # The message's own 30-second limit starts when its request is sent, after
    # the conversation has been started.
    for _ in range(100):
        if held_routes:
            break
        page.wait_for_timeout(50)
    assert len(held_routes) == 1
    expect(status).to_have_text("The assistant is writing a reply.")
    page.clock.run_for(9_000)
    expect(status).to_contain_text("taking longer than usual")
    page.clock.run_for(22_000)

    notice = widget.notices().last
    expect(notice).to_contain_text("connection was lost")
    expect(notice.locator("a[href='tel:999']")).to_be_visible()
    expect(status).to_have_text("")
    assert len(held_routes) == 1
