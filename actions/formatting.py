"""Turns the directory service's routes into chat messages."""

from __future__ import annotations

from typing import Any, Dict, List

# Labels of the contact fields, in the order they are shown.
CONTACT_LABELS = (
    ("phone", "Phone"),
    ("text", "Text"),
    ("email", "Email"),
    ("url", "Online"),
)


def format_route(route: Dict[str, Any]) -> str:
    """Write one route as a short block: name, reason, contacts and hours."""
    lines = [f"{route['name']}: {route['reason']}"]
    contacts = [
        f"{label}: {route[field]}"
        for field, label in CONTACT_LABELS
        if route.get(field)
    ]
    if contacts:
        lines.append(". ".join(contacts))
    if route.get("hours"):
        lines.append(f"Open: {route['hours']}")

    return "\n".join(lines)


def format_routes(routes: List[Dict[str, Any]]) -> List[str]:
    """Write each route as its own message, so a screen reader reads them apart."""
    return [format_route(route) for route in routes]
