"""Accessibility of the widget: axe-core, keyboard, focus, motion, small screens."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.widget.conftest import Widget

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = REPO_ROOT / "widget" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
STORY = (
    "my neighbour keeps shouting at me and my kids, calling us p*kis and "
    "telling us to go back where we came from"
)

# Set SOS_WIDGET_SCREENSHOTS to a folder (docs/images) to save the screenshots
# of the desktop and mobile tests there.
SCREENSHOT_DIR = os.environ.get("SOS_WIDGET_SCREENSHOTS")


def run_axe(page: Page, include: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page and return its violations.

    The script is evaluated through the DevTools protocol, which the page's
    Content-Security-Policy does not restrict.
    """
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core not found at {AXE_SOURCE}: run `npm ci` in widget/")
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async ([include, tags]) => {
            const context = include ? { include: [[include]] } : document;
            const options = { runOnly: { type: "tag", values: tags } };
            const result = await axe.run(context, options);
            return result.violations.map((violation) => ({
                id: violation.id,
                help: violation.help,
                targets: violation.nodes.map((node) => node.target),
            }));
        }""",
        [include, AXE_TAGS],
    )
    return list(result)


def save_screenshot(page: Page, name: str) -> None:
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / name))


def focused_text(page: Page) -> str:
    """Return the label, id or text of the focused element.

    Elements inside the widget's shadow root get the prefix "widget:", so that
    they cannot be confused with links of the page that have the same text.
    """
    return str(
        page.evaluate(
            """() => {
                let element = document.activeElement;
                let prefix = "";
                while (element?.shadowRoot?.activeElement) {
                    element = element.shadowRoot.activeElement;
                    prefix = "widget:";
                }
                if (!element) return "";
                const name = element.getAttribute("aria-label") || element.id
                    || element.textContent.trim();
                return prefix + name;
            }"""
        )
    )


def tab_to(page: Page, text: str, backwards: bool = False, limit: int = 40) -> None:
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if focused_text(page) == text:
            return
    pytest.fail(f"Could not reach {text!r} with {key} in {limit} presses")


def test_axe_open_widget_no_violations(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)
    expect(widget.quick_replies()).to_be_visible()

    violations = run_axe(page)

    assert violations == []


def test_axe_summary_and_notice_no_violations(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)
    widget.host.get_by_role("button", name="Save this conversation").click()

    violations = run_axe(page, "speak-out-space-chat")

    assert violations == []


def test_keyboard_only_conversation(page: Page, widget: Widget) -> None:
    tab_to(page, "widget:Chat to the assistant")
    page.keyboard.press("Enter")
    assert focused_text(page) == "widget:sos-input"

    page.keyboard.type(STORY)
    page.keyboard.press("Enter")
    widget.wait_for_reply(1)
    tab_to(page, "widget:No", backwards=True)
    page.keyboard.press("Enter")
    widget.wait_for_reply(2)

    expect(widget.assistant_messages().last).to_contain_text("Where did it happen")
    assert focused_text(page) == "widget:sos-input"
    page.keyboard.press("Escape")
    expect(widget.host.get_by_role("region")).to_be_hidden()
    assert focused_text(page) == "widget:Chat to the assistant"


def test_quick_replies_respond_to_space(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)
    widget.quick_replies().get_by_role("button", name="No", exact=True).focus()

    page.keyboard.press("Space")
    widget.wait_for_reply(2)

    expect(widget.assistant_messages().last).to_contain_text("Where did it happen")


def test_every_button_has_a_name(widget: Widget) -> None:
    widget.open()
    buttons = widget.host.get_by_role("button")

    names = [
        button.get_attribute("aria-label") or button.inner_text().strip()
        for button in buttons.all()
        if button.is_visible()
    ]

    assert len(names) >= 5
    assert all(names)
    expect(widget.host.get_by_role("button", name="Close the chat")).to_be_visible()


def test_focus_is_visible(page: Page, widget: Widget) -> None:
    widget.open()
    tab_to(page, "widget:Send")

    style = page.evaluate(
        """() => {
            const element = document.querySelector("speak-out-space-chat")
                .shadowRoot.activeElement;
            const computed = getComputedStyle(element);
            return [computed.outlineStyle, computed.outlineWidth, computed.boxShadow];
        }"""
    )

    assert style[0] == "solid"
    assert style[1] == "3px"
    assert style[2] != "none"


def test_new_messages_in_polite_live_region(widget: Widget) -> None:
    widget.open()

    expect(widget.log).to_have_attribute("aria-live", "polite")
    expect(widget.input).to_have_attribute("id", "sos-input")
    label = widget.host.locator("label[for='sos-input']")
    expect(label).to_have_text("Your message")


def test_reduced_motion_stops_animation(
    context_factory: Callable[..., BrowserContext],
) -> None:
    page = context_factory(reduced_motion="reduce").new_page()
    page.goto("/")
    widget = Widget(page)
    widget.open()

    animation = page.evaluate(
        """() => {
            const dot = document.querySelector("speak-out-space-chat")
                .shadowRoot.querySelector(".typing span");
            return getComputedStyle(dot).animationName;
        }"""
    )

    assert animation == "none"


def assert_fits_width(page: Page, width: int) -> None:
    """Check nothing of the page or the open widget is cut off at `width`."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    boxes = page.evaluate(
        """() => {
            const root = document.querySelector("speak-out-space-chat").shadowRoot;
            return [...root.querySelectorAll(".panel button, .panel textarea, .exit")]
                .filter((element) =>
                    element.offsetParent !== null || element.matches(".exit"))
                .map((element) => {
                    const box = element.getBoundingClientRect();
                    return {
                        name: element.textContent.trim() || element.id,
                        left: box.left,
                        right: box.right,
                        scrollWidth: element.scrollWidth,
                        clientWidth: element.clientWidth,
                    };
                });
        }"""
    )
    assert boxes
    for box in boxes:
        assert box["left"] >= 0, box
        assert box["right"] <= width, box
        assert box["scrollWidth"] <= box["clientWidth"] + 1, box


def test_mobile_viewport_fits(context_factory: Callable[..., BrowserContext]) -> None:
    page = context_factory(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    ).new_page()
    page.goto("/")
    widget = Widget(page)
    widget.open()
    widget.say(STORY)

    assert_fits_width(page, 375)
    exit_box = widget.host.get_by_role("button", name="Exit this page").bounding_box()
    panel_box = widget.host.get_by_role("region").bounding_box()
    assert exit_box is not None and panel_box is not None
    assert exit_box["y"] + exit_box["height"] <= panel_box["y"]
    save_screenshot(page, "widget-mobile.png")


def test_320_pixels_wide_fits(context_factory: Callable[..., BrowserContext]) -> None:
    page = context_factory(viewport={"width": 320, "height": 568}).new_page()
    page.goto("/")
    widget = Widget(page)
    widget.open()
    widget.say(STORY)

    assert_fits_width(page, 320)
    expect(
        widget.quick_replies().get_by_role("button", name="No", exact=True)
    ).to_be_visible()


def test_200_percent_zoom_fits(context_factory: Callable[..., BrowserContext]) -> None:
    # A 1280 by 800 window at 200 % zoom lays out 640 by 400 CSS pixels.
    page = context_factory(
        viewport={"width": 640, "height": 400}, device_scale_factor=2
    ).new_page()
    page.goto("/")
    widget = Widget(page)
    widget.open()
    widget.say(STORY)

    assert_fits_width(page, 640)
    send = widget.host.get_by_role("button", name="Send")
    send.scroll_into_view_if_needed()
    expect(send).to_be_in_viewport()
    save_button = widget.host.get_by_role("button", name="Save this conversation")
    save_button.scroll_into_view_if_needed()
    expect(save_button).to_be_in_viewport()


def test_desktop_screenshot(page: Page, widget: Widget) -> None:
    widget.open()
    widget.say(STORY)
    widget.press("No")
    widget.say("it happened in wigston")

    routes = widget.assistant_messages().filter(has_text="Stop Hate UK").first
    expect(routes).to_be_visible()
    routes.scroll_into_view_if_needed()
    save_screenshot(page, "widget-desktop.png")
