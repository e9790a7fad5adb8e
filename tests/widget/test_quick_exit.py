"""Exit this page: the button, three presses of Shift, and what leaving clears."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from stack.launcher import Stack
from tests.widget.conftest import (
    NEUTRAL_URL,
    Widget,
    conversation_row_exists,
    rasa_user_events,
    session_storage_length,
    wait_until,
)

STORY = "a man on the bus called me a p*ki in loughborough"


def start_conversation(widget: Widget) -> str:
    widget.open()
    widget.say(STORY)
    conversation_id = widget.conversation_id()
    assert conversation_id is not None
    return conversation_id


def assert_left_and_cleared(
    page: Page, widget_stack: Stack, conversation_id: str
) -> None:
    """Check the neutral site replaced the page and nothing is left behind."""
    page.wait_for_url(NEUTRAL_URL, timeout=10_000)
    expect(page).to_have_title("Weather forecast")
    assert wait_until(
        lambda: not conversation_row_exists(widget_stack, conversation_id)
    )
    assert rasa_user_events(widget_stack, conversation_id) == []
    assert session_storage_length(page, widget_stack.directory_url) == 0


def test_exit_button_leaves_and_deletes(
    page: Page, widget: Widget, widget_stack: Stack
) -> None:
    conversation_id = start_conversation(widget)

    widget.host.get_by_role("button", name="Exit this page").click()

    assert_left_and_cleared(page, widget_stack, conversation_id)


def test_shift_three_times_leaves(
    page: Page, widget: Widget, widget_stack: Stack
) -> None:
    conversation_id = start_conversation(widget)

    for _ in range(3):
        page.keyboard.press("Shift")

    assert_left_and_cleared(page, widget_stack, conversation_id)


def test_shift_works_outside_widget(page: Page, widget_stack: Stack) -> None:
    page.get_by_role("heading", level=1).click()

    for _ in range(3):
        page.keyboard.press("Shift")

    page.wait_for_url(NEUTRAL_URL, timeout=10_000)


def test_exit_by_keyboard_alone(page: Page, widget_stack: Stack) -> None:
    page.keyboard.press("Tab")
    for _ in range(30):
        focused = page.evaluate(
            "document.activeElement.shadowRoot?.activeElement?.textContent ?? ''"
        )
        if focused == "Exit this page":
            break
        page.keyboard.press("Tab")

    page.keyboard.press("Enter")

    page.wait_for_url(NEUTRAL_URL, timeout=10_000)


def test_shift_count_reset_by_other_key(page: Page, widget: Widget) -> None:
    widget.open()
    widget.input.focus()

    page.keyboard.press("Shift")
    page.keyboard.press("a")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(500)

    assert page.url.endswith("/")
    announcement = widget.host.locator("p.visually-hidden[role='status']")
    expect(announcement).to_have_text("Shift, press 1 more time to exit.")


def test_typing_capitals_does_not_leave(page: Page, widget: Widget) -> None:
    widget.open()
    widget.input.focus()

    page.keyboard.type("My Name Is Not Important But I Was Attacked")
    page.wait_for_timeout(500)

    assert page.url.endswith("/")
    expect(widget.input).to_have_value("My Name Is Not Important But I Was Attacked")


def test_shift_count_expires(page: Page, widget: Widget) -> None:
    page.clock.install()
    page.reload()
    widget.open()

    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.clock.run_for(6000)
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)

    assert page.url.endswith("/")


def test_back_does_not_return_to_chat(
    context_factory: Callable[..., BrowserContext], widget_stack: Stack
) -> None:
    page = context_factory().new_page()
    page.goto(f"{widget_stack.directory_url}/health")
    page.goto("/")
    widget = Widget(page)
    widget.open()

    widget.host.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(NEUTRAL_URL, timeout=10_000)
    page.go_back()

    assert page.url.endswith("/health")


def test_about_panel_says_history_remains(widget: Widget) -> None:
    widget.open()
    about = widget.host.locator("#sos-about")

    expect(about).to_be_visible()
    expect(about).to_contain_text("does not clear your browser history")
    link = about.get_by_role("link", name="How to browse more safely")
    expect(link).to_have_attribute(
        "href", "https://www.womensaid.org.uk/cover-your-tracks-online/"
    )
    expect(about).to_contain_text("Shift key 3 times")


def test_exit_covers_page_before_leaving(page: Page, widget: Widget) -> None:
    start_conversation(widget)
    states: list[dict[str, bool]] = []
    page.expose_function("reportExitState", lambda state: states.append(state))
    page.evaluate(
        """() => {
            const root = document.querySelector("speak-out-space-chat").shadowRoot;
            const cover = root.querySelector(".cover");
            new MutationObserver(() => {
                window.reportExitState({
                    coverShown: !cover.hidden,
                    panelHidden: root.querySelector(".panel").hidden,
                    logEmpty: root.querySelector(".log").children.length === 0,
                });
            }).observe(cover, { attributes: true, attributeFilter: ["hidden"] });
        }"""
    )

    widget.host.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(NEUTRAL_URL, timeout=10_000)

    assert states
    assert states[0]["coverShown"] is True
    assert states[0]["panelHidden"] is True
    assert states[0]["logEmpty"] is True
