"""Tests of the signposting engine against the seeded directory."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import Phone, Service
from directory.seed import DATA_FILE_NAME, read_directory_file, seed_directory
from directory.settings import REPO_ROOT
from directory.signposting.engine import explain, likely, signpost
from directory.signposting.matching import load_candidates, matches
from directory.signposting.schemas import SignpostResult, Situation
from tests.directory.test_signposting_content import rewrite

DATA_FILE = REPO_ROOT / "data" / DATA_FILE_NAME


def service_ids(result: SignpostResult) -> list[str]:
    """Return the service ids of the result's routes, in order."""
    return [entry.service_id for entry in result.routes]


def entry_for(result: SignpostResult, service_id: str) -> Any:
    """Return the route entry of one service, failing when it is missing."""
    matching = [entry for entry in result.routes if entry.service_id == service_id]
    assert matching, f"{service_id} missing from {service_ids(result)}"
    return matching[0]


def national_service_ids() -> set[str]:
    """Return the ids of the services the data file marks as national."""
    records = json.loads(DATA_FILE.read_text(encoding="utf-8"))["services"]
    return {record["id"] for record in records if "national" in record["areas"]}


MUSLIM_GRAFFITI_CHARNWOOD: dict[str, Any] = {
    "characteristics": ["religion"],
    "faiths": ["muslim"],
    "incident_types": ["criminal_damage", "hate_material"],
    "area": "charnwood",
}
ANTISEMITIC_ONLINE: dict[str, Any] = {
    "characteristics": ["religion"],
    "faiths": ["jewish"],
    "incident_types": ["online_abuse"],
}
HOMOPHOBIC_LEICESTER: dict[str, Any] = {
    "characteristics": ["sexual_orientation"],
    "incident_types": ["verbal_abuse"],
    "area": "leicester",
}
RACIST_ASSAULT: dict[str, Any] = {
    "characteristics": ["race"],
    "incident_types": ["physical_assault"],
    "area": "blaby",
}
DISABILITY_DISCRIMINATION: dict[str, Any] = {
    "characteristics": ["disability"],
    "incident_types": ["discrimination"],
    "area": "rutland",
}
STOLEN_BIKE: dict[str, Any] = {
    "incident_types": ["theft_or_robbery"],
    "area": "leicester",
}

SIGNPOST_CASES = [
    pytest.param(
        MUSLIM_GRAFFITI_CHARNWOOD,
        "crime",
        [
            "police-101",
            "tell-mama",
            "himp-leicestershire",
            "charnwood-community-safety",
            "stop-hate-uk",
            "victim-first",
        ],
        ["cst", "galop", "police-999", "blaby-community-safety", "crimestoppers"],
        id="anti-muslim-graffiti-charnwood",
    ),
    pytest.param(
        ANTISEMITIC_ONLINE,
        "unclear",
        ["cst", "report-harmful-content", "police-101", "true-vision"],
        ["tell-mama", "charnwood-community-safety"],
        id="antisemitic-online-abuse",
    ),
    pytest.param(
        HOMOPHOBIC_LEICESTER,
        "unclear",
        ["galop", "police-101", "stop-hate-uk", "victim-first"],
        ["himp-leicestershire", "tell-mama", "report-harmful-content"],
        id="homophobic-abuse-leicester",
    ),
    pytest.param(
        RACIST_ASSAULT,
        "crime",
        ["blaby-community-safety", "himp-leicestershire", "stop-hate-uk"],
        ["galop", "charnwood-community-safety", "eass"],
        id="racist-assault-blaby",
    ),
    pytest.param(
        DISABILITY_DISCRIMINATION,
        "non_crime_incident",
        ["eass", "rutland-community-safety"],
        ["himp-leicestershire", "report-harmful-content"],
        id="discrimination-only",
    ),
    pytest.param(
        STOLEN_BIKE,
        "not_hate",
        ["police-101", "victim-first"],
        [
            "true-vision",
            "stop-hate-uk",
            "tell-mama",
            "galop",
            "himp-leicestershire",
            "crimestoppers",
        ],
        id="stolen-bike-no-characteristic",
    ),
]


@pytest.mark.parametrize(("situation", "reading", "present", "absent"), SIGNPOST_CASES)
def test_signpost_table_of_situations(
    session: Session,
    situation: dict[str, Any],
    reading: str,
    present: list[str],
    absent: list[str],
) -> None:
    result = signpost(session, Situation(**situation))

    assert result.likely == reading
    for service_id in present:
        assert service_id in service_ids(result), f"{service_id} should be suggested"
    for service_id in absent:
        assert service_id not in service_ids(result), f"{service_id} is unexpected"


def test_signpost_lists_each_service_once(session: Session) -> None:
    result = signpost(session, Situation(**MUSLIM_GRAFFITI_CHARNWOOD))

    assert len(service_ids(result)) == len(set(service_ids(result)))


def test_police_101_entry_has_contacts(session: Session) -> None:
    result = signpost(session, Situation(**MUSLIM_GRAFFITI_CHARNWOOD))
    entry = entry_for(result, "police-101")

    assert entry.route == "police_report"
    assert entry.phone == "101"
    assert entry.url is not None
    assert entry.hours == "24 hours, every day"
    assert entry.anonymous is False


def test_tell_mama_reason_names_hatred(session: Session) -> None:
    result = signpost(session, Situation(**MUSLIM_GRAFFITI_CHARNWOOD))
    entry = entry_for(result, "tell-mama")

    assert entry.route == "third_party_report"
    assert entry.reason == (
        "Reports anti-Muslim hatred and supports people who experience it."
    )
    assert entry.anonymous is True


def test_route_order_follows_routes_file(session: Session) -> None:
    result = signpost(session, Situation(**MUSLIM_GRAFFITI_CHARNWOOD))
    ids = service_ids(result)

    assert ids.index("police-101") < ids.index("tell-mama")
    assert ids.index("tell-mama") < ids.index("himp-leicestershire")
    assert ids.index("himp-leicestershire") < ids.index("stop-hate-uk")
    assert ids.index("stop-hate-uk") < ids.index("charnwood-community-safety")
    assert ids.index("charnwood-community-safety") < ids.index("victim-first")


def test_harmful_content_reason_has_48_hours(session: Session) -> None:
    result = signpost(session, Situation(**ANTISEMITIC_ONLINE))
    entry = entry_for(result, "report-harmful-content")

    assert entry.route == "online_harms"
    assert "48 hours" in entry.reason
    assert "platform" in entry.reason


def test_cst_reason_names_antisemitism(session: Session) -> None:
    result = signpost(session, Situation(**ANTISEMITIC_ONLINE))

    assert "antisemitism" in entry_for(result, "cst").reason


def test_galop_reason_names_homophobia(session: Session) -> None:
    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER))

    assert "homophobia" in entry_for(result, "galop").reason


@pytest.mark.parametrize(
    "situation",
    [
        {"urgent": True},
        {**MUSLIM_GRAFFITI_CHARNWOOD, "urgent": True},
        {**STOLEN_BIKE, "urgent": True, "avoid_police": True},
        {"urgent": True, "self_harm": True},
    ],
)
def test_urgent_puts_999_first(session: Session, situation: dict[str, Any]) -> None:
    result = signpost(session, Situation(**situation))
    first = result.routes[0]

    assert first.service_id == "police-999"
    assert first.route == "emergency"
    assert first.phone == "999"


def test_not_urgent_has_no_999(session: Session) -> None:
    result = signpost(session, Situation(**MUSLIM_GRAFFITI_CHARNWOOD))

    assert "police-999" not in service_ids(result)


def test_self_harm_puts_samaritans_first(session: Session) -> None:
    result = signpost(session, Situation(self_harm=True))

    assert result.routes[0].service_id == "samaritans"
    assert result.routes[0].route == "crisis"
    assert result.routes[0].phone == "116 123"
    assert "childline" not in service_ids(result)


def test_self_harm_under_18_adds_childline(session: Session) -> None:
    result = signpost(session, Situation(self_harm=True, under_18=True))

    assert service_ids(result)[:2] == ["samaritans", "childline"]
    assert result.routes[1].route == "crisis"


def test_under_18_without_self_harm_gets_childline(session: Session) -> None:
    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER, under_18=True))

    assert entry_for(result, "childline").route == "emotional_support"
    assert "samaritans" not in service_ids(result)


def test_avoid_police_removes_police_routes(session: Session) -> None:
    result = signpost(
        session, Situation(**MUSLIM_GRAFFITI_CHARNWOOD, avoid_police=True)
    )
    routes = {entry.route for entry in result.routes}

    assert "police_report" not in routes
    assert "online_report" not in routes
    assert "police-101" not in service_ids(result)
    assert "true-vision" not in service_ids(result)
    assert "tell-mama" in service_ids(result)
    assert "stop-hate-uk" in service_ids(result)
    assert entry_for(result, "crimestoppers").route == "anonymous_report"


def test_wants_anonymous_adds_anonymous_routes(session: Session) -> None:
    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER, wants_anonymous=True))
    crimestoppers = entry_for(result, "crimestoppers")
    galop = entry_for(result, "galop")

    assert crimestoppers.route == "anonymous_report"
    assert crimestoppers.anonymous is True
    assert galop.anonymous is True
    assert galop.reason.endswith("You can contact them without giving your name.")
    assert "without giving your name" not in entry_for(result, "police-101").reason


def test_anonymous_suffix_needs_the_request(session: Session) -> None:
    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER))

    assert "without giving your name" not in entry_for(result, "galop").reason
    assert "crimestoppers" not in service_ids(result)


def test_outside_llr_lists_only_national(session: Session) -> None:
    situation = Situation(**{**MUSLIM_GRAFFITI_CHARNWOOD, "area": "outside_llr"})
    result = signpost(session, situation)

    assert result.routes
    assert set(service_ids(result)) <= national_service_ids()
    assert "tell-mama" in service_ids(result)
    assert any("Leicester, Leicestershire and Rutland only" in n for n in result.notes)


def test_inside_llr_has_no_coverage_note(session: Session) -> None:
    result = signpost(session, Situation(**MUSLIM_GRAFFITI_CHARNWOOD))

    assert not any("Rutland only" in note for note in result.notes)


def test_unknown_area_skips_council_services(session: Session) -> None:
    situation = Situation(**{**MUSLIM_GRAFFITI_CHARNWOOD, "area": None})
    result = signpost(session, situation)

    assert "police-101" in service_ids(result)
    assert "charnwood-community-safety" not in service_ids(result)
    assert "himp-leicestershire" not in service_ids(result)


def test_unchecked_services_note_present(session: Session) -> None:
    result = signpost(session, Situation(**STOLEN_BIKE))

    assert any("not yet been checked" in note for note in result.notes)


def test_stolen_bike_explanation_avoids_hate(session: Session) -> None:
    result = signpost(session, Situation(**STOLEN_BIKE))

    assert result.explanation
    for paragraph in result.explanation:
        assert "hate" not in paragraph.lower()


def test_changed_phone_changes_next_result(session: Session) -> None:
    before = signpost(session, Situation(**STOLEN_BIKE))
    phone = session.scalars(
        select(Phone).where(Phone.service_id == "victim-first", Phone.type == "voice")
    ).one()
    phone.number = "0800 000 0000"
    session.commit()

    after = signpost(session, Situation(**STOLEN_BIKE))

    assert entry_for(before, "victim-first").phone == "0800 953 95 95"
    assert entry_for(after, "victim-first").phone == "0800 000 0000"


@pytest.mark.parametrize(
    ("column", "value"),
    [("published", False), ("status", "inactive"), ("status", "defunct")],
)
def test_hidden_service_leaves_next_result(
    session: Session, column: str, value: object
) -> None:
    service = session.get_one(Service, "victim-first")
    setattr(service, column, value)
    session.commit()

    result = signpost(session, Situation(**STOLEN_BIKE))

    assert "victim-first" not in service_ids(result)
    assert "victim-support" in service_ids(result)


def test_explain_matches_signpost_explanation(session: Session) -> None:
    situation = Situation(**MUSLIM_GRAFFITI_CHARNWOOD)

    assert explain(situation) == signpost(session, situation).explanation


def test_crime_explanation_fills_placeholders() -> None:
    paragraphs = explain(Situation(**MUSLIM_GRAFFITI_CHARNWOOD))
    text = " ".join(paragraphs)

    assert "anti-Muslim hatred" in text
    assert "damage to property" in text
    assert "{" not in text
    assert "police decide whether and how to record" in text
    assert "worthwhile either way" in text


@pytest.mark.parametrize(
    "situation",
    [MUSLIM_GRAFFITI_CHARNWOOD, ANTISEMITIC_ONLINE, DISABILITY_DISCRIMINATION, {}],
)
def test_explanations_never_say_must(situation: dict[str, Any]) -> None:
    for paragraph in explain(Situation(**situation)):
        assert " must " not in paragraph
        assert " should report" not in paragraph


def test_nothing_described_gives_definitions() -> None:
    situation = Situation()
    text = " ".join(explain(situation))

    assert likely(situation) is None
    assert "A hate crime is any criminal offence" in text
    assert "A non-crime hate incident" in text


def test_self_harm_alone_skips_definitions() -> None:
    text = " ".join(explain(Situation(self_harm=True)))

    assert "A hate crime is" not in text
    assert "people you can talk to" in text


def test_locally_recorded_characteristic_note() -> None:
    situation = Situation(
        characteristics=["alternative_subculture"],
        incident_types=["physical_assault"],
        area="hinckley_and_bosworth",
    )
    text = " ".join(explain(situation))

    assert "alternative subcultures" in text
    assert "Leicestershire Police" in text


def test_witness_gets_witness_paragraph() -> None:
    situation = Situation(**HOMOPHOBIC_LEICESTER, role="witness")

    assert any("Witnesses can report" in p for p in explain(situation))


def situations_across_the_vocabularies() -> list[Situation]:
    """Return situations that pair every area with characteristics and incidents."""
    characteristics = [
        term.code for term in vocabulary.CHARACTERISTICS.terms if term.code != "any"
    ]
    incident_types = [
        term.code for term in vocabulary.INCIDENT_TYPES.terms if term.code != "any"
    ]
    areas: list[str | None] = [
        None,
        vocabulary.OUTSIDE_LLR,
        *vocabulary.COUNCIL_IDS,
    ]
    situations = []
    for number, area in enumerate(areas):
        situations.append(
            Situation.model_validate(
                {
                    "characteristics": [
                        characteristics[number % len(characteristics)],
                        characteristics[(number + 3) % len(characteristics)],
                    ],
                    "incident_types": [incident_types[number % len(incident_types)]],
                    "area": area,
                }
            )
        )
    situations.append(Situation.model_validate({"area": "leicester"}))
    situations.append(Situation.model_validate({"characteristics": ["none"]}))
    return situations


def test_narrowed_query_matches_full_read(session: Session) -> None:
    everything = load_candidates(session)

    for situation in situations_across_the_vocabularies():
        narrowed = load_candidates(session, situation)
        expected = {c.service.id for c in everything if matches(c, situation)}

        assert {c.service.id for c in narrowed if matches(c, situation)} == expected


def test_narrowed_query_outside_llr_national_only(session: Session) -> None:
    situation = Situation(characteristics=["race"], area="outside_llr")

    narrowed = load_candidates(session, situation)

    assert narrowed
    assert all(vocabulary.NATIONAL in candidate.areas for candidate in narrowed)


def add_copies(session: Session, service_id: str, count: int) -> list[str]:
    """Seed `count` copies of a data file service under new ids; return the ids."""
    data = read_directory_file(DATA_FILE)
    record = next(record for record in data.services if record.id == service_id)
    copies = [
        record.model_copy(
            update={"id": f"{service_id}-copy-{n}", "name": f"{record.name} {n}"}
        )
        for n in range(count)
    ]
    seed_directory(session, data.model_copy(update={"services": copies}))
    session.commit()
    return [copy.id for copy in copies]


def route_service_ids(result: SignpostResult, route: str) -> list[str]:
    return [entry.service_id for entry in result.routes if entry.route == route]


def test_route_lists_at_most_three_services(session: Session) -> None:
    copies = add_copies(session, "stop-hate-uk", 5)

    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER))

    listed = route_service_ids(result, "third_party_report")
    assert len(listed) == 3
    assert listed[:2] == ["galop", "stop-hate-uk"]
    assert listed[2] in copies


def test_capped_services_keep_contact_details(session: Session) -> None:
    copies = add_copies(session, "stop-hate-uk", 5)

    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER))

    copy = next(entry for entry in result.routes if entry.service_id in copies)
    assert copy.phone == "0800 138 1625"
    assert copy.text == "07717 989 025"
    assert copy.hours == "24 hours, every day"


def test_route_max_services_overrides_default(
    session: Session, content_copy: Path
) -> None:
    add_copies(session, "stop-hate-uk", 5)
    rewrite(
        content_copy / "routes.yml",
        "  - route: third_party_report\n",
        "  - route: third_party_report\n    max_services: 1\n",
    )

    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER))

    assert route_service_ids(result, "third_party_report") == ["galop"]


def test_file_max_services_per_route_applies(
    session: Session, content_copy: Path
) -> None:
    copies = add_copies(session, "stop-hate-uk", 5)
    rewrite(
        content_copy / "routes.yml",
        "max_services_per_route: 3",
        "max_services_per_route: 10",
    )

    result = signpost(session, Situation(**HOMOPHOBIC_LEICESTER))

    listed = route_service_ids(result, "third_party_report")
    assert listed == ["galop", "stop-hate-uk", *sorted(copies)]
