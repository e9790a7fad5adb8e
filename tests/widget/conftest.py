"""Fixtures that drive the chat widget in Debian's Chromium against the real stack.

The stack (Rasa with the trained model, the action server and the directory
service with a fresh SQLite database) runs on its own ports, so it can run
beside `make run` and the stack tests. Chromium reaches only that directory
service: the neutral site that "Exit this page" opens is served by Playwright
from memory, and every other request is aborted.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    Route,
    sync_playwright,
)
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from directory.gateway.models import ChatConversation
from stack.launcher import Ports, Stack
from tests.chromium import launch_chromium
from tests.stack.conftest import seed_database

WIDGET_PORTS = Ports(directory=8400, rasa=5405, actions=5455)
NEUTRAL_URL = "http://neutral.test/weather"
NEUTRAL_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Weather forecast</title></head>"
    "<body><h1>Weather forecast</h1><p>Sunny spells.</p></body></html>"
)
CONVERSATION_KEY = "speakOutSpace.conversationId"

# Rasa replies to a turn in about a second on the 2-core development machine;
# the first turn after start-up, and a turn that calls the action server and
# the directory, take longer.
REPLY_TIMEOUT_MS = 30_000

# Every browser test comes from 127.0.0.1, so the per-address limit is raised
# to let the whole suite run within one window.
# SITE_ORIGIN plays a site that embeds the widget from another origin.
SITE_ORIGIN = "https://site.test"
STACK_ENVIRONMENT = {
    "SOS_DEMO_PAGE_EXIT_URL": NEUTRAL_URL,
    "SOS_RATE_LIMIT_CLIENT_REQUESTS": "1000",
    "SOS_ALLOWED_ORIGINS": f"http://127.0.0.1:{WIDGET_PORTS.directory},{SITE_ORIGIN}",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that stop parts of the stack after every other test."""
    stopping = [item for item in items if item.path.name == "test_stack_down.py"]
    items[:] = [item for item in items if item not in stopping] + stopping


@pytest.fixture(scope="session")
def widget_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start the whole stack once, with a new seeded SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('widget') / 'directory.db'}"
    seed_database(url)
    running = Stack(
        ports=WIDGET_PORTS,
        database_url=url,
        extra_environment=dict(STACK_ENVIRONMENT),
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium once; Playwright's own browsers are not used."""
    chromium = launch_chromium(playwright)
    yield chromium
    chromium.close()


def keep_traffic_local(context: BrowserContext, directory_url: str) -> None:
    """Serve the neutral site from memory and abort requests to any other host."""

    def handle(route: Route) -> None:
        if route.request.url.startswith(NEUTRAL_URL):
            route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE)
        else:
            route.abort()

    local = re.escape(directory_url + "/")
    context.route(re.compile(f"^(?!{local}).*"), handle)


@pytest.fixture
def context_factory(
    browser: Browser, widget_stack: Stack
) -> Iterator[Callable[..., BrowserContext]]:
    """Return a function that opens a new browser context (a fresh profile)."""
    contexts: list[BrowserContext] = []

    def new_context(**options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(
            base_url=widget_stack.directory_url, locale="en-GB", **options
        )
        keep_traffic_local(context, widget_stack.directory_url)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(context_factory: Callable[..., BrowserContext]) -> Page:
    """Return a desktop-size page showing the demonstration page."""
    page = context_factory().new_page()
    page.goto("/")
    return page


class Widget:
    """The chat widget on a page, driven as a visitor would."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.host = page.locator("speak-out-space-chat")
        self.log = self.host.get_by_role("log")
        self.input = self.host.get_by_label("Your message")

    def open(self) -> None:
        self.host.get_by_role("button", name="Chat to the assistant").click()
        self.input.wait_for()

    def say(self, text: str) -> None:
        """Type a message, press Enter and wait for the assistant's reply."""
        count = self.assistant_messages().count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_reply(count)

    def press(self, title: str) -> None:
        """Press a quick-reply button and wait for the assistant's reply."""
        count = self.assistant_messages().count()
        self.quick_replies().get_by_role("button", name=title, exact=True).click()
        self.wait_for_reply(count)

    def wait_for_reply(self, count_before: int) -> None:
        """Wait until an assistant message or a notice follows the last turn."""
        self.page.wait_for_function(
            """([count]) => {
                const root = document.querySelector("speak-out-space-chat").shadowRoot;
                const replies = root.querySelectorAll(".message--assistant").length;
                const notices = root.querySelectorAll(".message--notice").length;
                const typing = !root.querySelector(".typing").hidden;
                return !typing && (replies > count || notices > 0);
            }""",
            arg=[count_before],
            timeout=REPLY_TIMEOUT_MS,
        )

    def assistant_messages(self) -> Locator:
        return self.log.locator(".message--assistant")

    def visitor_messages(self) -> Locator:
        return self.log.locator(".message--visitor")

    def notices(self) -> Locator:
        return self.log.locator(".message--notice")

    def quick_replies(self) -> Locator:
        return self.log.get_by_role("group", name="Reply options")

    def log_text(self) -> str:
        return self.log.inner_text()

    def conversation_id(self) -> str | None:
        value = self.page.evaluate(f"sessionStorage.getItem('{CONVERSATION_KEY}')")
        return str(value) if value else None


@pytest.fixture
def widget(page: Page) -> Widget:
    return Widget(page)


def conversation_row_exists(stack: Stack, conversation_id: str) -> bool:
    """Return whether the gateway still has a row for the conversation."""
    assert stack.database_url is not None
    engine = create_engine(stack.database_url)
    try:
        with Session(engine) as session:
            row = session.scalar(
                select(ChatConversation).where(
                    ChatConversation.conversation_id == conversation_id
                )
            )
            return row is not None
    finally:
        engine.dispose()


def rasa_user_events(stack: Stack, conversation_id: str) -> list[dict[str, object]]:
    """Return the visitor messages in Rasa's tracker of the conversation."""
    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.rasa_token},
        timeout=10,
    ).json()
    return [event for event in tracker["events"] if event["event"] == "user"]


def wait_until(condition: Callable[[], bool], timeout_seconds: float = 10.0) -> bool:
    """Poll `condition` until it is true or the time runs out, and return it."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def session_storage_length(page: Page, directory_url: str) -> int:
    """Open a page of the directory service without the widget in this tab and
    return how many sessionStorage items its origin holds."""
    page.goto(f"{directory_url}/health")
    return int(page.evaluate("sessionStorage.length"))


WIDGET_SOURCE = Path(__file__).resolve().parents[2] / "widget" / "widget.js"
