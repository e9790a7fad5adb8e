"""Tests of the demonstration page and the widget files the service serves."""

import re

import pytest
from fastapi.testclient import TestClient

from directory.settings import settings
from directory.web.routes import WIDGET_DIR

WIDGET_JS = (WIDGET_DIR / "widget.js").read_text(encoding="utf-8")


@pytest.fixture
def page(client: TestClient) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return str(response.text)


@pytest.mark.parametrize(
    "fragment",
    [
        "Speak Out Space",
        "Leicester, Leicestershire and Rutland",
        '<script src="/widget/widget.js" defer',
        f'data-exit-url="{settings.demo_page_exit_url}"',
        'data-title="Speak Out Space assistant"',
        'data-colour="#3b1f6b"',
        "data-sos-open",
        'href="tel:999"',
        'href="tel:101"',
        'href="https://www.report-it.org.uk"',
        "0800 138 1625",
        'lang="en-GB"',
    ],
)
def test_demo_page_contains(page: str, fragment: str) -> None:
    assert fragment in page


def test_demo_page_loads_one_script(page: str) -> None:
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL)

    assert len(scripts) == 1
    assert scripts[0].strip() == ""


def test_demo_page_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers

    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in headers


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/widget/widget.js", "text/javascript"),
        ("/widget/widget.css", "text/css"),
        ("/widget/summary.css", "text/css"),
        ("/static/site.css", "text/css"),
    ],
)
def test_asset_served(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert content_type in response.headers["content-type"]


def test_widget_files_loadable_cross_origin(client: TestClient) -> None:
    headers = client.get("/widget/widget.js").headers

    assert headers["cross-origin-resource-policy"] == "cross-origin"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/widget/package.json",
        "/widget/package-lock.json",
        "/widget/node_modules/axe-core/axe.min.js",
        "/widget/../directory/settings.py",
        "/widget/%2e%2e%2fMakefile",
        "/static/../routes.py",
    ],
)
def test_other_files_are_404(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404


def test_widget_never_parses_server_html() -> None:
    assert "innerHTML" not in WIDGET_JS
    assert "insertAdjacentHTML" not in WIDGET_JS
    assert "outerHTML" not in WIDGET_JS
    assert "document.write" not in WIDGET_JS


def test_widget_uses_session_storage_only() -> None:
    assert "sessionStorage" in WIDGET_JS
    assert "localStorage" not in WIDGET_JS
    assert "document.cookie" not in WIDGET_JS


@pytest.mark.parametrize("route", ["999", "101", "report-it.org.uk", "0800 138 1625"])
def test_widget_fallback_has_route(route: str) -> None:
    fallback = WIDGET_JS.split("unavailable: [", 1)[1].split("]", 1)[0]

    assert route in fallback
