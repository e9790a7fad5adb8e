"""Signposting engine: the reading, the explanation and the routes for a situation.

The rules and wording come from the content files (see `content.py`) and the
services from the database on every call, so edits to either apply to the
next request.
"""

import logging
from typing import Any

from sqlalchemy.orm import Session

from directory.signposting.conditions import when_holds
from directory.signposting.content import (
    load_explanations,
    load_labels,
    load_reading_rules,
    load_route_rules,
)
from directory.signposting.matching import targeted_characteristics
from directory.signposting.routing import RouteContext, route_notes, suggest_routes
from directory.signposting.schemas import Reading, SignpostResult, Situation
from directory.signposting.wording import fill, placeholder_values

logger = logging.getLogger(__name__)

FALLBACK_READING: Reading = "unclear"


def situation_facts(situation: Situation, reading: Reading | None) -> dict[str, Any]:
    """Return the facts that content conditions test: the situation and the reading."""
    facts = situation.model_dump()
    facts["characteristics"] = sorted(targeted_characteristics(situation))
    facts["likely"] = reading
    return facts


def likely(situation: Situation) -> Reading | None:
    """Return the reading of the first rule in readings.yml that holds."""
    facts = situation_facts(situation, None)
    for rule in load_reading_rules().rules:
        if when_holds(rule.when, facts):
            return rule.likely

    logger.warning(
        "No rule in readings.yml matched the situation; using %r. Add a final "
        "rule without `when` to readings.yml.",
        FALLBACK_READING,
    )
    return FALLBACK_READING


def explain(situation: Situation) -> list[str]:
    """Return the explanation paragraphs for the situation's reading."""
    return _explanation(situation, likely(situation))


def _explanation(situation: Situation, reading: Reading | None) -> list[str]:
    facts = situation_facts(situation, reading)
    values = placeholder_values(situation, load_labels())
    return [
        fill(paragraph, values)
        for section in load_explanations().sections
        if when_holds(section.when, facts)
        for paragraph in section.paragraphs
    ]


def signpost(session: Session, situation: Situation) -> SignpostResult:
    """Read the situation, explain it, and suggest routes and notes."""
    reading = likely(situation)
    explanation = _explanation(situation, reading)

    labels = load_labels()
    context = RouteContext(
        situation=situation,
        facts=situation_facts(situation, reading),
        labels=labels,
        rules=load_route_rules(),
        placeholders=placeholder_values(situation, labels),
    )
    suggestions = suggest_routes(session, context)

    logger.debug("Signposted %d routes", len(suggestions.entries))
    return SignpostResult(
        likely=reading,
        explanation=explanation,
        routes=suggestions.entries,
        notes=route_notes(context, suggestions),
    )
