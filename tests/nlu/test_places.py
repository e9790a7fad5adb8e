"""Tests for nlu.components.places.PlaceExtractor through its process() method."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


def parse(extractor: Any, text: str, entities: list | None = None) -> list[dict]:
    """Run the extractor on one message and return all its entities."""
    data: dict[str, Any] = {TEXT: text}
    if entities is not None:
        data[ENTITIES] = entities
    message = Message(data=data)
    extractor.process([message])
    return message.get(ENTITIES, [])


def areas(entities: list[dict]) -> list[str]:
    """Return the values of the `area` entities in order."""
    return [entity["value"] for entity in entities if entity["entity"] == "area"]


def places(entities: list[dict]) -> list[str]:
    """Return the canonical place names of the `area` entities in order."""
    return [entity["place"] for entity in entities if entity["entity"] == "area"]


def districts(entities: list[dict]) -> list[dict]:
    """Return the `postcode_district` entities."""
    return [entity for entity in entities if entity["entity"] == "postcode_district"]


TOWNS_IN_EVERY_COUNCIL = [
    ("I was attacked in Leicester last night", "leicester", "Leicester"),
    ("it happened in Beaumont Leys", "leicester", "Beaumont Leys"),
    ("someone spat at me in Glenfield", "blaby", "Glenfield"),
    ("we live in Braunstone Town", "blaby", "Braunstone Town"),
    ("I was followed home in Loughborough", "charnwood", "Loughborough"),
    ("our house in Woodhouse Eaves was vandalised", "charnwood", "Woodhouse Eaves"),
    ("the shop in Market Harborough refused to serve me", "harborough", None),
    ("I live in Kibworth", "harborough", "Kibworth"),
    ("it was on a bus in Hinckley", "hinckley_and_bosworth", "Hinckley"),
    ("I live in Market Bosworth", "hinckley_and_bosworth", "Market Bosworth"),
    ("graffiti on our wall in Melton Mowbray", "melton", "Melton Mowbray"),
    ("I live in Bottesford", "melton", "Bottesford"),
    ("people shouted at us in Coalville", "north_west_leicestershire", "Coalville"),
    ("I live in Castle Donington", "north_west_leicestershire", None),
    ("my neighbour in Oadby keeps insulting me", "oadby_and_wigston", "Oadby"),
    ("we live in South Wigston", "oadby_and_wigston", "South Wigston"),
    ("it happened in Oakham", "rutland", "Oakham"),
    ("I work in Uppingham", "rutland", "Uppingham"),
    ("I live in Whissendine", "rutland", "Whissendine"),
]


@pytest.mark.parametrize("text,council,place", TOWNS_IN_EVERY_COUNCIL)
def test_towns_resolve_to_council(place_extractor, text, council, place):
    entities = parse(place_extractor, text)
    assert areas(entities) == [council]
    if place is not None:
        assert places(entities) == [place]


LOWERCASE_AND_VARIANTS = [
    ("i live in ashby de la zouch", "north_west_leicestershire", "Ashby-de-la-Zouch"),
    ("ASHBY-DE-LA-ZOUCH", "north_west_leicestershire", "Ashby-de-la-Zouch"),
    ("it was in barrow on soar", "charnwood", "Barrow upon Soar"),
    ("it was in Barrow-upon-Soar", "charnwood", "Barrow upon Soar"),
    ("market   harborough", "harborough", "Market Harborough"),
    ("at saint margaret's bus station", "leicester", "St Margaret's bus station"),
    ("at st margarets bus station", "leicester", "St Margaret's bus station"),
    ("near St. Margaret's bus station", "leicester", "St Margaret's bus station"),
    ("hinckley & bosworth", "hinckley_and_bosworth", "Hinckley and Bosworth"),
    ("lboro", "charnwood", "Lboro"),
    ("melton mowbray", "melton", "Melton Mowbray"),
]


@pytest.mark.parametrize("text,council,place", LOWERCASE_AND_VARIANTS)
def test_spelling_variants_resolve(place_extractor, text, council, place):
    entities = parse(place_extractor, text)
    assert areas(entities) == [council]
    assert places(entities) == [place]


LONGEST_SPANS = [
    ("I live in Melton Mowbray", "Melton Mowbray", "melton"),
    ("I live in Braunstone Town", "Braunstone Town", "blaby"),
    ("I live in South Wigston", "South Wigston", "oadby_and_wigston"),
    ("I live in Leicester Forest East", "Leicester Forest East", "blaby"),
    ("I live in Anstey Heights", "Anstey Heights", "leicester"),
    ("it happened at Haymarket bus station", "Haymarket bus station", "leicester"),
]


@pytest.mark.parametrize("text,place,council", LONGEST_SPANS)
def test_longest_name_wins(place_extractor, text, place, council):
    entities = parse(place_extractor, text)
    assert places(entities) == [place]
    assert areas(entities) == [council]


STREETS_AND_LANDMARKS = [
    ("someone threw eggs at me on Narborough Road", "leicester", "Narborough Road"),
    ("it happened on belgrave road", "leicester", "Belgrave Road"),
    ("outside the shops on Gallowtree Gate", "leicester", "Gallowtree Gate"),
    ("they shouted at me in Highcross", "leicester", "Highcross"),
    ("after the match at the King Power Stadium", "leicester", None),
    ("at Leicester railway station", "leicester", "Leicester railway station"),
    ("in Abbey Park", "leicester", "Abbey Park"),
    ("walking through Victoria Park", "leicester", "Victoria Park"),
    ("at the Clock Tower", "leicester", "Clock Tower"),
    ("someone keyed my car near the clock tower", "leicester", "Clock Tower"),
    ("in a shop on Granby St", "leicester", "Granby Street"),
    ("outside a shop on Hinckley Rd", "leicester", "Hinckley Road"),
    ("in Loughborough market place", "charnwood", "Loughborough market place"),
    ("on a walk in Bradgate Park", "charnwood", "Bradgate Park"),
    ("at Fosse Park", "blaby", "Fosse Park"),
    ("at East Midlands Airport", "north_west_leicestershire", None),
    ("by Rutland Water", "rutland", "Rutland Water"),
]


@pytest.mark.parametrize("text,council,place", STREETS_AND_LANDMARKS)
def test_streets_and_landmarks_resolve(place_extractor, text, council, place):
    entities = parse(place_extractor, text)
    assert areas(entities) == [council]
    if place is not None:
        assert places(entities) == [place]


SINGLE_COUNCIL_POSTCODES = [
    ("my postcode is LE11 3TU", "charnwood", "LE11"),
    ("le113tu", "charnwood", "LE11"),
    ("LE1 5WW", "leicester", "LE1"),
    ("I live in LE18", "oadby_and_wigston", "LE18"),
    ("le18", "oadby_and_wigston", "LE18"),
    ("LE13 0AB", "melton", "LE13"),
    ("it's LE65", "north_west_leicestershire", "LE65"),
    ("DE74 2SA", "north_west_leicestershire", "DE74"),
    ("LE19", "blaby", "LE19"),
]


@pytest.mark.parametrize("text,council,district", SINGLE_COUNCIL_POSTCODES)
def test_single_council_postcode_resolves(place_extractor, text, council, district):
    entities = parse(place_extractor, text)
    assert areas(entities) == [council]
    assert places(entities) == [district]


MULTI_COUNCIL_POSTCODES = [
    ("LE2", "LE2", ["leicester", "oadby_and_wigston", "harborough", "blaby"]),
    ("my postcode is LE2 1AB", "LE2", None),
    ("le4 7xx is where it happened", "LE4", None),
    ("LE4", "LE4", ["leicester", "charnwood"]),
    ("LE3", "LE3", ["leicester", "blaby", "hinckley_and_bosworth"]),
    ("LE67 3AA", "LE67", None),
    ("PE9", "PE9", ["rutland", "outside_llr"]),
]


@pytest.mark.parametrize("text,district,candidates", MULTI_COUNCIL_POSTCODES)
def test_multi_council_district_lists_candidates(
    place_extractor, text, district, candidates
):
    entities = parse(place_extractor, text)
    found = districts(entities)
    assert areas(entities) == []
    assert [entity["value"] for entity in found] == [district]
    assert len(found[0]["candidates"]) > 1
    if candidates is not None:
        assert found[0]["candidates"] == candidates


DISTRICT_AND_TOWN = [
    ("LE2 in Oadby", "oadby_and_wigston", "Oadby", "LE2"),
    ("I live in Birstall, LE4", "charnwood", "Birstall", "LE4"),
    ("Braunstone Town LE3 2AA", "blaby", "Braunstone Town", "LE3"),
    ("PE9, Stamford", "outside_llr", "Stamford", "PE9"),
]


@pytest.mark.parametrize("text,council,place,district", DISTRICT_AND_TOWN)
def test_town_wins_over_district(place_extractor, text, council, place, district):
    entities = parse(place_extractor, text)
    assert districts(entities) == []
    assert areas(entities) == [council]
    assert places(entities) == [place]
    assert entities[0]["postcode_district"] == district


OUTSIDE_LLR = [
    "I was visiting Nottingham",
    "it happened in Coventry",
    "we moved from Sheffield last year",
    "I live in Burton upon Trent",
    "I live in Stoke-on-Trent",
    "I was in Manchester",
    "my postcode is NG7 2RD",
    "CV11 4AB",
    "I live in B15",
    "SW1A 1AA",
    "sw1a 1aa",
    "it was on a train to Grantham",
]


@pytest.mark.parametrize("text", OUTSIDE_LLR)
def test_outside_places_resolve_outside(place_extractor, text):
    assert areas(parse(place_extractor, text)) == ["outside_llr"]


NO_PLACE = [
    "",
    "   ",
    "hello",
    "someone called me names because of my religion",
    "I want to report it anonymously",
    "the LE87 1AA address",
    "LE94",
    "I was on the M1",
    "I take vitamin B12",
    "I got a Galaxy S10",
    "they attacked me in the street",
    "I was spat at, car reg AB12 CDE",
    "the van was SK19 ZXY",
]


@pytest.mark.parametrize("text", NO_PLACE)
def test_no_place_no_entities(place_extractor, text):
    assert parse(place_extractor, text) == []


COMMON_WORDS_NOT_PLACES = [
    "he's a croft",
    "she called me a croft",
    "the abbey was lovely",
    "we visited Westminster Abbey",
    "The local derby was rough",
    "I play rugby on Sundays",
    "I had Quorn sausages",
    "I got a text from Heather",
    "Heather's car was damaged",
    "Mrs Croft shouted at me",
    "the new parks are nice",
    "he sharpened the knife on a whetstone",
    "Leicester Road",
    "we were in the Prince of Wales pub",
    "at the Duke of Rutland",
    "I got a freeby at the shop",
    "A man in a Derby County shirt punched me",
    "Mr Ashby is my teacher",
]


@pytest.mark.parametrize("text", COMMON_WORDS_NOT_PLACES)
def test_common_words_not_places(place_extractor, text):
    assert areas(parse(place_extractor, text)) == []


COMMON_WORDS_AS_PLACES = [
    ("i live in croft", "blaby"),
    ("croft", "blaby"),
    ("It happened in Croft yesterday", "blaby"),
    ("we live in whetstone", "blaby"),
    ("I LIVE IN CROFT", "blaby"),
    ("i live in heather", "north_west_leicestershire"),
    ("i live in quorn", "charnwood"),
    ("they moved to Derby", "outside_llr"),
    ("a lad from Rugby", "outside_llr"),
    ("near Hamilton", "leicester"),
    ("it was in New Parks", "leicester"),
]


@pytest.mark.parametrize("text,council", COMMON_WORDS_AS_PLACES)
def test_common_words_with_cues(place_extractor, text, council):
    assert areas(parse(place_extractor, text)) == [council]


AMBIGUOUS_NAMES = [
    ("I live in Braunstone", ["leicester"]),
    ("it was on London Road", ["leicester"]),
    ("on London Road in Coalville", ["north_west_leicestershire"]),
    ("on London Road, Leicester", ["leicester", "leicester"]),
    ("Hinckley Road, Leicester Forest East", ["blaby"]),
    ("on Melton Road LE7", []),
    ("I live in Wymondham", ["melton"]),
]


@pytest.mark.parametrize("text,councils", AMBIGUOUS_NAMES)
def test_ambiguous_names_use_default(place_extractor, text, councils):
    assert areas(parse(place_extractor, text)) == councils


def test_ambiguous_street_defers_to_district(place_extractor):
    entities = parse(place_extractor, "on Melton Road LE7")
    assert [entity["value"] for entity in districts(entities)] == ["LE7"]


def test_place_followed_by_street_word(place_extractor):
    entities = parse(place_extractor, "on Leicester Road, Wigston")
    assert places(entities) == ["Wigston"]


def test_different_councils_all_emitted(place_extractor):
    entities = parse(place_extractor, "I live in Oakham but it happened in Hinckley")
    assert areas(entities) == ["rutland", "hinckley_and_bosworth"]


def test_same_council_one_per_place(place_extractor):
    entities = parse(place_extractor, "from Quorn to Loughborough")
    assert places(entities) == ["Quorn", "Loughborough"]
    assert areas(entities) == ["charnwood", "charnwood"]


def test_place_and_postcode_both_emitted(place_extractor):
    entities = parse(place_extractor, "Loughborough LE11 3TU")
    assert areas(entities) == ["charnwood", "charnwood"]


def test_entity_fields_and_offsets(place_extractor):
    text = "Someone shouted at me in Melton Mowbray today"
    [entity] = parse(place_extractor, text)
    assert entity["entity"] == "area"
    assert entity["value"] == "melton"
    assert text[entity["start"] : entity["end"]] == "Melton Mowbray"
    assert entity["confidence"] == 1.0
    assert entity["extractor"] == "PlaceExtractor"
    assert entity["place"] == "Melton Mowbray"


def test_postcode_offsets_cover_postcode(place_extractor):
    text = "my postcode is le11 3tu thanks"
    [entity] = parse(place_extractor, text)
    assert text[entity["start"] : entity["end"]] == "le11 3tu"


def test_existing_entities_are_kept(place_extractor):
    earlier = {
        "entity": "incident_type",
        "value": "verbal_abuse",
        "start": 0,
        "end": 7,
        "extractor": "SituationClassifier",
    }
    entities = parse(place_extractor, "Shouted at me in Syston", [dict(earlier)])
    assert entities[0] == earlier
    assert areas(entities) == ["charnwood"]


def test_button_payload_is_skipped(place_extractor):
    entities = parse(place_extractor, '/inform{"area": "blaby"}', [])
    assert entities == []


def test_entities_attribute_is_output(place_extractor):
    message = Message(data={TEXT: "I live in Blaby"})
    place_extractor.process([message])
    assert ENTITIES in message.output_properties


def test_invalid_council_raises(tmp_path):
    from nlu.components.places import PlaceExtractor

    gazetteer = tmp_path / "places.csv"
    gazetteer.write_text("place,council,kind,note\nAnytown,nowhere,town,\n")
    with pytest.raises(ValueError, match="invalid council 'nowhere'"):
        PlaceExtractor({"places_files": [str(gazetteer)]})


def test_invalid_rule_raises():
    from nlu.components.places import PlaceExtractor

    with pytest.raises(ValueError, match="Invalid rule 'sometimes'"):
        PlaceExtractor({"restricted_names": {"croft": "sometimes"}})


NLU_CONFIG = """\
    recipe: default.v1
    language: en
    assistant_id: place-extractor-test
    pipeline:
      - name: WhitespaceTokenizer
      - name: CountVectorsFeaturizer
      - name: DIETClassifier
        epochs: 1
        entity_recognition: false
      - name: nlu.components.places.PlaceExtractor
    """

NLU_DATA = """\
    version: "3.1"
    nlu:
      - intent: greet
        examples: |
          - hello
          - hi there
          - good morning
      - intent: report_incident
        examples: |
          - someone shouted at me
          - a man pushed me in the street
          - my car was damaged
    """


def test_trained_model_returns_area(tmp_path: Path, monkeypatch):
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    config = tmp_path / "config.yml"
    config.write_text(textwrap.dedent(NLU_CONFIG))
    nlu_data = tmp_path / "nlu.yml"
    nlu_data.write_text(textwrap.dedent(NLU_DATA))

    model_path = train_nlu(str(config), str(nlu_data), str(tmp_path / "models"))
    agent = Agent.load(model_path)
    result = asyncio.run(agent.parse_message("a man pushed me in Lutterworth"))

    assert areas(result["entities"]) == ["harborough"]
    assert result["entities"][0]["extractor"] == "PlaceExtractor"
