"""Assembly of the suggested routes and notes from routes.yml and the directory."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import Phone, Service
from directory.signposting.conditions import Facts, when_holds
from directory.signposting.content import Labels, RouteRule, RouteRules
from directory.signposting.matching import (
    Candidate,
    load_candidates,
    load_contact_details,
    matches,
)
from directory.signposting.schemas import RouteEntry, Situation
from directory.signposting.wording import fill, hostility_phrases, join_phrases

# RFC 6350 phone types shown as `phone`; a phone row without a type is voice.
VOICE_TYPES = (None, "voice", "cell")
# The RFC 6350 type of an SMS number, shown as `text`.
TEXT_TYPE = "text"


@dataclass(frozen=True)
class RouteContext:
    """Inputs shared by the route entries of one request."""

    situation: Situation
    facts: Facts
    labels: Labels
    rules: RouteRules
    placeholders: dict[str, str]


@dataclass(frozen=True)
class Suggestions:
    """The route entries, and whether any of their services is unchecked."""

    entries: list[RouteEntry]
    unchecked_services: bool


def suggest_routes(session: Session, context: RouteContext) -> Suggestions:
    """List each matching service once, under the first suggested route it offers.

    Each route lists at most its `max_services`, or the file's
    `max_services_per_route`, in display order. A service left out of one
    route for that reason can still appear under a later route it offers.
    """
    offered = [
        rule for rule in context.rules.routes if when_holds(rule.when, context.facts)
    ]
    withheld = {
        rule.route
        for rule in context.rules.routes
        if rule.withhold_when is not None
        and when_holds(rule.withhold_when, context.facts)
    }
    candidates = [
        candidate
        for candidate in load_candidates(session, context.situation)
        if matches(candidate, context.situation) and not candidate.routes & withheld
    ]

    chosen: list[tuple[Candidate, RouteRule]] = []
    placed: set[str] = set()
    for rule in offered:
        limit = rule.max_services or context.rules.max_services_per_route
        for candidate in _services_for_route(rule, candidates, placed)[:limit]:
            chosen.append((candidate, rule))
            placed.add(candidate.service.id)

    load_contact_details(session, [candidate.service for candidate, _ in chosen])
    entries = [_entry(candidate, rule, context) for candidate, rule in chosen]
    unchecked = any(candidate.service.assured_date is None for candidate, _ in chosen)
    return Suggestions(entries, unchecked)


def _services_for_route(
    rule: RouteRule, candidates: list[Candidate], placed: set[str]
) -> list[Candidate]:
    """Return the unplaced services offering the route, in display order."""
    offering = [
        candidate
        for candidate in candidates
        if rule.route in candidate.routes and candidate.service.id not in placed
    ]
    return sorted(offering, key=lambda candidate: _order_key(rule, candidate))


def _order_key(rule: RouteRule, candidate: Candidate) -> tuple[int, int, int, str]:
    """Order by first_services, specialist before general, local before national."""
    service_id = candidate.service.id
    listed = rule.first_services
    first = listed.index(service_id) if service_id in listed else len(listed)

    if candidate.faiths:
        specificity = 0
    elif candidate.is_specialist:
        specificity = 1
    else:
        specificity = 2

    if vocabulary.NATIONAL in candidate.areas:
        reach = 2
    elif vocabulary.LLR in candidate.areas:
        reach = 1
    else:
        reach = 0

    return first, specificity, reach, candidate.service.name.casefold()


def _entry(candidate: Candidate, rule: RouteRule, context: RouteContext) -> RouteEntry:
    service = candidate.service
    return RouteEntry(
        service_id=service.id,
        name=service.name,
        route=rule.route,
        reason=_reason(candidate, rule, context),
        phone=_first_number(service, VOICE_TYPES),
        text=_first_number(service, (TEXT_TYPE,)),
        email=service.email,
        url=service.url,
        hours=_hours(service),
        anonymous=candidate.anonymous,
    )


def _reason(candidate: Candidate, rule: RouteRule, context: RouteContext) -> str:
    """Fill the route's reason, and add the anonymous suffix where it applies."""
    template = rule.reason
    if candidate.is_specialist and rule.specialist_reason is not None:
        template = rule.specialist_reason

    values = {
        **context.placeholders,
        "service_hostility": _service_hostility(candidate, context),
    }
    reason = fill(template, values)

    suffix = context.rules.anonymous_suffix
    if (
        suffix is not None
        and rule.anonymous_suffix
        and candidate.anonymous
        and when_holds(suffix.when, context.facts)
    ):
        reason = f"{reason} {fill(suffix.text, values)}"
    return reason


def _service_hostility(candidate: Candidate, context: RouteContext) -> str:
    """Name the hostility a specialist service covers among what was described."""
    situation = context.situation
    faiths = [faith for faith in situation.faiths if faith in candidate.faiths]
    characteristics = [
        code for code in situation.characteristics if code in candidate.characteristics
    ]
    phrases = hostility_phrases(characteristics, faiths, context.labels)
    return join_phrases(phrases) or context.placeholders["characteristic_summary"]


def _first_number(service: Service, types: tuple[str | None, ...]) -> str | None:
    """Return the number of a phone of these types, the lowest id if several are."""
    phones: list[Phone] = sorted(service.phones, key=lambda phone: phone.id)
    for phone in phones:
        if phone.type in types:
            return phone.number
    return None


def _hours(service: Service) -> str | None:
    descriptions = [
        schedule.description for schedule in service.schedules if schedule.description
    ]
    return "; ".join(descriptions) or None


def route_notes(context: RouteContext, suggestions: Suggestions) -> list[str]:
    """Return the notes whose conditions hold for the situation and the routes."""
    facts = {**context.facts, "unchecked_services": suggestions.unchecked_services}
    return [
        fill(note.text, context.placeholders)
        for note in context.rules.notes
        if when_holds(note.when, facts)
    ]
