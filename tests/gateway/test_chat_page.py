"""Tests of the chat page and its static files."""

import re

import pytest
from fastapi.testclient import TestClient

from directory.web.routes import WEB_DIR

CHAT_JS = (WEB_DIR / "static" / "chat.js").read_text(encoding="utf-8")


@pytest.fixture
def page(client: TestClient) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return str(response.text)


@pytest.mark.parametrize(
    "fragment",
    [
        "<h1>Speak Out Space</h1>",
        'role="log"',
        'aria-live="polite"',
        '<label class="chat-form__label" for="message-input">',
        'id="message-input"',
        ">Send</button>",
        ">Start again</button>",
        'href="https://www.bbc.co.uk/weather"',
        "Exit this page",
        'href="tel:999"',
        'href="tel:101"',
        'href="https://www.report-it.org.uk"',
        "0800 138 1625",
        'lang="en-GB"',
        'maxlength="2000"',
    ],
)
def test_chat_page_contains(page: str, fragment: str) -> None:
    assert fragment in page


def test_chat_page_has_no_inline_script(page: str) -> None:
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL)

    assert all(script.strip() == "" for script in scripts)


def test_chat_page_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers

    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in headers


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/chat.js", "javascript"),
        ("/static/chat.css", "text/css"),
    ],
)
def test_static_file_served(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert content_type in response.headers["content-type"]


def test_static_path_traversal_is_404(client: TestClient) -> None:
    response = client.get("/static/../routes.py")

    assert response.status_code == 404


def test_chat_js_never_uses_inner_html() -> None:
    assert "innerHTML" not in CHAT_JS
    assert "insertAdjacentHTML" not in CHAT_JS
    assert "outerHTML" not in CHAT_JS


def test_chat_js_uses_session_storage_only() -> None:
    assert "sessionStorage" in CHAT_JS
    assert "localStorage" not in CHAT_JS
    assert "document.cookie" not in CHAT_JS


@pytest.mark.parametrize("route", ["999", "101", "report-it.org.uk", "0800 138 1625"])
def test_chat_js_fallback_has_route(route: str) -> None:
    fallback = CHAT_JS.split("fallback: [", 1)[1].split("]", 1)[0]

    assert route in fallback
