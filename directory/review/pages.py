"""Templates of the reviewer pages and the names they show for label codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from directory.review.campaigns import CHANNELS
from directory.review.conversations import NOT_SAID
from directory.signposting.content import load_labels
from directory.staff.auth import SignedIn
from directory.staff.pages import PAGE_HEADERS, STAFF_DIR
from directory.staff.pages import templates as staff_templates
from directory.vocabulary import ROUTES

REVIEW_DIR = Path(__file__).resolve().parent
READING_NAMES = {
    "crime": "Sounds like a hate crime",
    "non_crime_incident": "Sounds like a non-crime hate incident",
    "not_hate": "Does not sound like hate",
    "unclear": "Unclear",
    NOT_SAID: "No reading",
}
ROUTE_NAMES = {term.code: term.name for term in ROUTES.terms}

# The reviewer templates extend the staff pages' base.html.
templates = Jinja2Templates(
    directory=[REVIEW_DIR / "templates", STAFF_DIR / "templates"]
)
templates.env.globals.update(staff_templates.env.globals)


def characteristic_names() -> dict[str, str]:
    """Return the names of the characteristics, from content/labels.yml."""
    names = {
        code: label.name.capitalize()
        for code, label in load_labels().characteristics.items()
    }
    names[NOT_SAID] = "Not said"
    return names


def area_names() -> dict[str, str]:
    """Return the names of the areas, from content/labels.yml."""
    names = {
        code: name[0].upper() + name[1:] for code, name in load_labels().areas.items()
    }
    names[NOT_SAID] = "Not said"
    return names


def render(
    request: Request,
    template: str,
    staff: SignedIn,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a reviewer page with the staff pages' security headers."""
    context.setdefault("errors", {})
    return templates.TemplateResponse(
        request,
        template,
        {
            "staff": staff,
            "characteristic_names": characteristic_names(),
            "area_names": area_names(),
            "reading_names": READING_NAMES,
            "route_names": ROUTE_NAMES,
            "channels": CHANNELS,
            **context,
        },
        status_code=status_code,
        headers=PAGE_HEADERS,
    )
