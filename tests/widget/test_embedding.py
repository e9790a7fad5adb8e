"""The widget embedded in a page of another origin, as the real site embeds it.

Playwright serves the host pages from memory at https://site.test (an allowed
origin of the stack) and https://other.test (not allowed). Their styles try
hard to break the widget. Chromium lets a public site reach a service on the
loopback address only from a secure context and with the local network
access permission, so the pages are https and the permission is granted.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, Route, expect

from stack.launcher import Stack
from tests.widget.conftest import (
    NEUTRAL_URL,
    SITE_ORIGIN,
    Widget,
    conversation_row_exists,
    wait_until,
)

OTHER_ORIGIN = "https://other.test"

# Rules a careless or hostile host page might have.
HOSTILE_CSS = """
* { font-size: 4px !important; color: #ffff00 !important; }
button, a { display: none !important; }
div, section, p { background: #ffff00 !important; }
speak-out-space-chat { font-family: monospace; }
"""


def host_page(directory_url: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
  <title>Support after hate crime</title>
  <style>{HOSTILE_CSS}</style>
</head>
<body>
  <h1>Support after hate crime</h1>
  <p class="host-text">Text of the host page.</p>
  <script src="{directory_url}/widget/widget.js" defer
          data-gateway-url="{directory_url}"
          data-title="Hate crime help"
          data-greeting="Hi, this greeting comes from the host page."
          data-colour="#ffdd00"
          data-exit-url="{NEUTRAL_URL}"></script>
</body>
</html>"""


def open_host(
    context_factory: Callable[..., BrowserContext], origin: str, directory_url: str
) -> Page:
    page = context_factory(permissions=["local-network-access"]).new_page()
    body = host_page(directory_url)

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=body)

    page.route(f"{origin}/**", serve)
    page.goto(f"{origin}/help")
    return page


def test_embedded_widget_uses_data_attributes(
    context_factory: Callable[..., BrowserContext], widget_stack: Stack
) -> None:
    page = open_host(context_factory, SITE_ORIGIN, widget_stack.directory_url)
    widget = Widget(page)

    widget.open()

    expect(widget.host.get_by_role("heading", name="Hate crime help")).to_be_visible()
    expect(widget.assistant_messages().first).to_contain_text(
        "this greeting comes from the host page"
    )
    header_text = widget.host.locator(".panel__header").evaluate(
        "(element) => getComputedStyle(element).color"
    )
    assert header_text == "rgb(0, 0, 0)"


def test_host_styles_do_not_reach_widget(
    context_factory: Callable[..., BrowserContext], widget_stack: Stack
) -> None:
    page = open_host(context_factory, SITE_ORIGIN, widget_stack.directory_url)
    widget = Widget(page)

    widget.open()

    send = widget.host.get_by_role("button", name="Send")
    expect(send).to_be_visible()
    expect(widget.host.get_by_role("button", name="Exit this page")).to_be_visible()
    font_size = widget.input.evaluate("(element) => getComputedStyle(element).fontSize")
    assert font_size == "16px"


def test_widget_styles_do_not_reach_host(
    context_factory: Callable[..., BrowserContext], widget_stack: Stack
) -> None:
    page = open_host(context_factory, SITE_ORIGIN, widget_stack.directory_url)
    Widget(page).open()

    styles = page.locator("p.host-text").evaluate(
        "(element) => [getComputedStyle(element).fontSize,"
        " getComputedStyle(element).color]"
    )

    assert styles == ["4px", "rgb(255, 255, 0)"]


def test_allowed_origin_chats_and_exits(
    context_factory: Callable[..., BrowserContext], widget_stack: Stack
) -> None:
    page = open_host(context_factory, SITE_ORIGIN, widget_stack.directory_url)
    widget = Widget(page)
    widget.open()

    widget.say("someone scratched a swastika on my car in blaby")
    conversation_id = widget.conversation_id()
    assert conversation_id is not None
    assert widget.notices().count() == 0
    widget.host.get_by_role("button", name="Exit this page").click()

    page.wait_for_url(NEUTRAL_URL, timeout=10_000)
    assert wait_until(
        lambda: not conversation_row_exists(widget_stack, conversation_id)
    )


def test_other_origin_blocked_gets_help(
    context_factory: Callable[..., BrowserContext], widget_stack: Stack
) -> None:
    page = open_host(context_factory, OTHER_ORIGIN, widget_stack.directory_url)
    widget = Widget(page)
    widget.open()

    widget.say("someone scratched a swastika on my car in blaby")

    notice = widget.notices().last
    expect(notice).to_contain_text("isn't available right now")
    expect(notice.locator("a[href='tel:08001381625']")).to_be_visible()
    assert widget.conversation_id() is None
