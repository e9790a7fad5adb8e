"""Launching Debian's Chromium for the browser tests.

Playwright's own browser download does not work on the test machines, so the
tests drive the Chromium that `make setup` installs from Debian's packages.
The flags keep it from reaching the network by itself.
"""

from playwright.sync_api import Browser, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright: Playwright) -> Browser:
    """Start headless Debian Chromium with the flags above."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
