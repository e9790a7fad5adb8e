"""Staff edit the directory in the browser, and the assistant gives the change."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.staff_browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.widget.conftest import Widget

OLD_NUMBER = "0800 138 1625"
# An invented number from 0116 496 0000 to 0999, a range Ofcom sets aside for
# drama, so it is not in use.
NEW_NUMBER = "0116 496 0432"
STORY = (
    "my neighbour keeps shouting at me and my kids, calling us p*kis and "
    "telling us to go back where we came from"
)


def sign_in(page: Page) -> None:
    """Sign in through the form as the admin."""
    page.goto("/staff")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email address").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Staff pages")).to_be_visible()


def test_published_phone_reaches_assistant(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Services", exact=True).first.click()
    page.get_by_role("link", name="Stop Hate UK", exact=True).click()
    page.get_by_role("link", name="Edit").click()

    numbers = page.locator("input[type=tel]")
    old = next(
        numbers.nth(index)
        for index in range(numbers.count())
        if numbers.nth(index).input_value() == OLD_NUMBER
    )
    old.fill(NEW_NUMBER)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")
    page.get_by_role("button", name="Publish the changes").click()
    expect(page.get_by_role("status")).to_contain_text("Published")

    chat = page.context.new_page()
    chat.goto("/")
    widget = Widget(chat)
    widget.open()
    widget.say(STORY)
    widget.press("No")
    widget.say("it happened in wigston")

    text = widget.log_text()
    assert "Stop Hate UK" in text
    assert NEW_NUMBER in text
    assert OLD_NUMBER not in text


def test_error_summary_reached_by_keyboard(page: Page) -> None:
    sign_in(page)
    page.goto("/staff/services/galop/edit")
    page.get_by_label("Email address").fill("help at galop")
    page.get_by_role("button", name="Save as draft").focus()
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Email address")).to_be_focused()


def test_sign_in_by_keyboard_only(page: Page) -> None:
    page.goto("/staff/sign-in")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(ADMIN_EMAIL)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Staff pages")).to_be_visible()
