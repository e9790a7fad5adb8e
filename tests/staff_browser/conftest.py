"""Fixtures that drive the staff pages and the chat widget in Debian's Chromium
against the real stack (Rasa, the action server and the directory service with
a fresh SQLite database and one admin account).

The stack runs on its own ports, so it can run beside `make run` and the other
browser and stack tests. Chromium reaches only that directory service.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    sync_playwright,
)

from directory.staff.cli import create_admin
from stack.launcher import Ports, Stack
from tests.chromium import launch_chromium
from tests.stack.conftest import seed_database

STAFF_BROWSER_PORTS = Ports(directory=8500, rasa=5505, actions=5555)
# An invented member of staff.
ADMIN_EMAIL = "alex.admin@example.org.uk"
ADMIN_PASSWORD = "an invented password for tests"


@pytest.fixture(scope="session")
def staff_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start the whole stack once, with a seeded database and an admin account."""
    url = f"sqlite:///{tmp_path_factory.mktemp('staff') / 'directory.db'}"
    seed_database(url)
    create_admin(url, ADMIN_EMAIL, ADMIN_PASSWORD)
    running = Stack(ports=STAFF_BROWSER_PORTS, database_url=url)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium; Playwright's own browsers are never downloaded."""
    with sync_playwright() as driver:
        chromium = launch_chromium(driver)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, staff_stack: Stack) -> Iterator[BrowserContext]:
    """Open a fresh browser profile that can reach only the directory service."""
    context = browser.new_context(
        base_url=staff_stack.directory_url,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )

    def abort(route: Route) -> None:
        route.abort()

    local = re.escape(staff_stack.directory_url + "/")
    context.route(re.compile(f"^(?!{local}).*"), abort)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """Return a new page in the fresh profile."""
    return context.new_page()
