"""The widget when parts of the stack are down. These tests stop Rasa and then
the directory service, so conftest.py runs them after every other test."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from stack.launcher import Stack
from tests.widget.conftest import Widget

HELP_LINKS = {
    "999": "tel:999",
    "101": "tel:101",
    "https://www.report-it.org.uk": "https://www.report-it.org.uk/",
    "0800 138 1625": "tel:08001381625",
}


def assert_built_in_help(widget: Widget) -> None:
    notice = widget.notices().last
    expect(notice).to_contain_text("isn't available right now")
    for text, href in HELP_LINKS.items():
        link = notice.locator(f"a[href='{href}']")
        expect(link).to_contain_text(text)
    expect(notice.get_by_role("button", name="Try again")).to_be_visible()


def test_rasa_stopped_shows_built_in_help(
    page: Page, widget: Widget, widget_stack: Stack
) -> None:
    widget.open()
    widget.say("someone spat at me in leicester because i wear a hijab")
    widget_stack.stop_process("rasa")

    widget.say("it was near the clock tower")

    assert_built_in_help(widget)
    visitor_text = widget.visitor_messages().last.locator(".message__text")
    expect(visitor_text).to_have_text("it was near the clock tower")


def test_retry_while_down_shows_help_again(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say("someone shouted homophobic abuse at me in hinckley")
    assert_built_in_help(widget)

    widget.notices().last.get_by_role("button", name="Try again").click()
    widget.wait_for_reply(1)

    expect(widget.notices()).to_have_count(1)
    assert_built_in_help(widget)
    expect(widget.visitor_messages()).to_have_count(1)


def test_gateway_stopped_shows_built_in_help(
    page: Page, widget: Widget, widget_stack: Stack
) -> None:
    widget.open()
    widget_stack.stop_process("directory")

    widget.say("my car was keyed and they wrote a slur on it")

    assert_built_in_help(widget)
    expect(widget.notices().last).to_contain_text("connection was lost")
