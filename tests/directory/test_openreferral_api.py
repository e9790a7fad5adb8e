"""Tests of the public Open Referral API at /openreferral."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory import vocabulary
from directory.db.models import Service, Taxonomy, TaxonomyTerm
from directory.db.queries import load_service_terms
from directory.openreferral.areas import load_postcode_districts
from directory.openreferral.importer import import_file
from tests.directory.conftest import FIXTURES_DIR

V3_FEED = FIXTURES_DIR / "openreferral_feed_v3.json"
IMPORTED_SERVICE_ID = "5c1e7a52-0d3b-4f4e-9a61-2f1b8e3c0a01"
PAGE_FIELDS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


def visible_ids(session: Session) -> set[str]:
    """Return the ids of the services the API should show, read from the tables."""
    return set(
        session.scalars(
            select(Service.id).where(
                Service.published.is_(True),
                Service.status.in_(["active", "temporarily closed"]),
            )
        )
    )


def all_listed_ids(client: TestClient, **params: str) -> set[str]:
    """Return the ids of every service listed over all pages."""
    ids: set[str] = set()
    page = 1
    while True:
        response = client.get(
            "/openreferral/services", params={**params, "page": page, "per_page": 100}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        ids.update(item["id"] for item in body["contents"])
        if body["last_page"]:
            return ids
        page += 1


def area_codes(session: Session) -> dict[str, set[str]]:
    """Return the sos-areas codes of each service."""
    ids = list(session.scalars(select(Service.id)))
    terms = load_service_terms(session, ids)
    return {
        service_id: terms.get(service_id, {}).get(vocabulary.AREAS_TAXONOMY, set())
        for service_id in ids
    }


def term_id(session: Session, taxonomy: str, code: str) -> str:
    """Return the id of a term of the project's taxonomies."""
    return session.scalars(
        select(TaxonomyTerm.id)
        .join(Taxonomy, TaxonomyTerm.taxonomy_id == Taxonomy.id)
        .where(Taxonomy.name == taxonomy, TaxonomyTerm.code == code)
    ).one()


@pytest.fixture
def imported(session: Session) -> Session:
    """Import the HSDS 3.0 test feed, published, and return the session."""
    import_file(session, V3_FEED, publish=True)
    return session


def test_root_gives_version_and_profile(client: TestClient) -> None:
    response = client.get("/openreferral/")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "3.0"
    assert "uk-profile" in body["profile"]
    assert client.get(body["openapi_url"]).status_code == 200


def test_openapi_document_lists_only_openreferral_paths(client: TestClient) -> None:
    document = client.get("/openreferral/openapi.json").json()

    assert set(document["paths"]) == {
        "/openreferral/",
        "/openreferral/services",
        "/openreferral/services/{id}",
        "/openreferral/taxonomies",
        "/openreferral/taxonomies/{id}",
        "/openreferral/taxonomy_terms",
        "/openreferral/taxonomy_terms/{id}",
    }


def test_services_page_wrapper(client: TestClient, session: Session) -> None:
    expected_total = len(visible_ids(session))

    body = client.get("/openreferral/services", params={"per_page": 5}).json()

    assert set(body) == PAGE_FIELDS
    assert body["total_items"] == expected_total
    assert body["total_pages"] == math.ceil(expected_total / 5)
    assert body["page_number"] == 1
    assert body["size"] == 5
    assert len(body["contents"]) == 5
    assert body["first_page"] is True
    assert body["last_page"] is False
    assert body["empty"] is False


def test_services_last_and_beyond_last_page(
    client: TestClient, session: Session
) -> None:
    total = len(visible_ids(session))
    last = math.ceil(total / 5)

    last_page = client.get(
        "/openreferral/services", params={"per_page": 5, "page": last}
    ).json()
    beyond = client.get(
        "/openreferral/services", params={"per_page": 5, "page": last + 1}
    ).json()

    assert last_page["last_page"] is True
    assert last_page["size"] == total - 5 * (last - 1)
    assert beyond["contents"] == []
    assert beyond["size"] == 0
    assert beyond["last_page"] is True


def test_services_list_every_visible_service(
    client: TestClient, session: Session
) -> None:
    assert all_listed_ids(client) == visible_ids(session)


def test_unpublished_service_is_hidden(client: TestClient, session: Session) -> None:
    service = session.get(Service, "tell-mama")
    assert service is not None
    service.published = False
    session.commit()

    assert "tell-mama" not in all_listed_ids(client)
    assert client.get("/openreferral/services/tell-mama").status_code == 404


@pytest.mark.parametrize(
    ("status", "listed"),
    [("temporarily closed", True), ("inactive", False), ("defunct", False)],
)
def test_status_decides_visibility(
    client: TestClient, session: Session, status: str, listed: bool
) -> None:
    service = session.get(Service, "tell-mama")
    assert service is not None
    service.status = status
    session.commit()

    response = client.get("/openreferral/services/tell-mama")

    assert ("tell-mama" in all_listed_ids(client)) is listed
    assert response.status_code == (200 if listed else 404)
    if listed:
        assert response.json()["status"] == status


def test_search_is_case_insensitive(client: TestClient) -> None:
    body = client.get("/openreferral/services", params={"search": "tell mama"}).json()

    assert [item["id"] for item in body["contents"]] == ["tell-mama"]


def test_search_matches_organisation_name(client: TestClient) -> None:
    ids = all_listed_ids(client, search="Leicestershire Police")

    assert "police-999" in ids


def test_search_wildcards_are_literal(client: TestClient) -> None:
    body = client.get("/openreferral/services", params={"search": "%_%"}).json()

    assert body["total_items"] == 0
    assert body["empty"] is True


def test_taxonomy_term_filter(client: TestClient, session: Session) -> None:
    anonymous = term_id(
        session, vocabulary.FLAGS_TAXONOMY, vocabulary.ANONYMOUS_REPORTING
    )
    terms = load_service_terms(session, list(visible_ids(session)))
    expected = {
        service_id
        for service_id, by_taxonomy in terms.items()
        if vocabulary.ANONYMOUS_REPORTING
        in by_taxonomy.get(vocabulary.FLAGS_TAXONOMY, set())
    }

    listed = all_listed_ids(client, taxonomy_term_id=anonymous)

    assert expected
    assert listed == expected


def test_unknown_taxonomy_term_gives_empty_page(client: TestClient) -> None:
    body = client.get(
        "/openreferral/services", params={"taxonomy_term_id": "no-such-term"}
    ).json()

    assert body["empty"] is True
    assert body["total_pages"] == 0


def test_modified_after_filter(client: TestClient, session: Session) -> None:
    moment = datetime.now(UTC) + timedelta(days=30)
    service = session.get(Service, "stop-hate-uk")
    assert service is not None
    service.last_modified = moment
    session.commit()

    after = (moment - timedelta(minutes=1)).isoformat()
    naive = (moment - timedelta(minutes=1)).replace(tzinfo=None).isoformat()

    assert all_listed_ids(client, modified_after=after) == {"stop-hate-uk"}
    assert all_listed_ids(client, modified_after=naive) == {"stop-hate-uk"}


def test_modified_after_rejects_bad_time(client: TestClient) -> None:
    response = client.get(
        "/openreferral/services", params={"modified_after": "last tuesday"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "modified_after"]


def test_postcode_filter_in_one_council(client: TestClient, session: Session) -> None:
    areas = area_codes(session)
    visible = visible_ids(session)
    expected = {
        service_id
        for service_id in visible
        if areas[service_id] & {"charnwood", vocabulary.LLR, vocabulary.NATIONAL}
    }

    listed = all_listed_ids(client, postcode="le11 3ab")

    assert listed == expected
    assert not any(areas[service_id] == {"leicester"} for service_id in listed)


def test_postcode_district_spanning_councils(
    client: TestClient, session: Session
) -> None:
    councils = load_postcode_districts()["LE2"]
    areas = area_codes(session)
    expected = {
        service_id
        for service_id in visible_ids(session)
        if areas[service_id] & (councils | {vocabulary.LLR, vocabulary.NATIONAL})
    }

    assert all_listed_ids(client, postcode="LE2") == expected


def test_postcode_outside_llr_gives_national(
    client: TestClient, session: Session
) -> None:
    areas = area_codes(session)
    expected = {
        service_id
        for service_id in visible_ids(session)
        if vocabulary.NATIONAL in areas[service_id]
    }

    listed = all_listed_ids(client, postcode="NG1 1AA")

    assert expected
    assert listed == expected


def test_invalid_postcode_is_422(client: TestClient) -> None:
    response = client.get("/openreferral/services", params={"postcode": "banana"})

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["query", "postcode"]
    assert "not a UK postcode" in error["msg"]


def test_area_filter(client: TestClient, session: Session) -> None:
    areas = area_codes(session)
    expected = {
        service_id
        for service_id in visible_ids(session)
        if areas[service_id] & {"rutland", vocabulary.LLR, vocabulary.NATIONAL}
    }

    assert all_listed_ids(client, area="rutland") == expected


def test_unknown_area_is_422(client: TestClient) -> None:
    response = client.get("/openreferral/services", params={"area": "mars"})

    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "unknown area" in message
    assert "rutland" in message


def test_postcode_and_area_together_is_422(client: TestClient) -> None:
    response = client.get(
        "/openreferral/services", params={"area": "rutland", "postcode": "LE15"}
    )

    assert response.status_code == 422
    assert "either postcode or area" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "101"}, "per_page"),
        ({"search": "a" * 201}, "search"),
        ({"search": "tell\x00mama"}, "search"),
    ],
)
def test_bad_parameters_are_422(
    client: TestClient, params: dict[str, str], parameter: str
) -> None:
    response = client.get("/openreferral/services", params=params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", parameter]


def test_service_detail_is_fully_nested(client: TestClient, imported: Session) -> None:
    response = client.get(f"/openreferral/services/{IMPORTED_SERVICE_ID}")

    assert response.status_code == 200
    service = response.json()
    assert service["organization"]["name"] == "Harbour Lane Community Trust"
    assert [phone["number"] for phone in service["phones"]] == [
        "0116 496 0123",
        "07700 900456",
    ]
    assert service["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    assert service["service_areas"][0]["name"] == "Leicester"
    location = service["service_at_locations"][0]["location"]
    assert location["name"] == "Harbour Lane Centre"
    assert location["addresses"][0]["postal_code"] == "LE1 9ZZ"
    assert service["contacts"][0]["phones"][0]["extension"] == 2
    codes = {
        (item["taxonomy_term"]["taxonomy"], item["taxonomy_term"]["code"])
        for item in service["attributes"]
    }
    assert ("sos-routes", "emotional_support") in codes
    assert ("esdServiceTypes", "1013") in codes
    term = next(
        item["taxonomy_term"]
        for item in service["attributes"]
        if item["taxonomy_term"]["code"] == "1013"
    )
    assert term["taxonomy_detail"]["name"] == "esdServiceTypes"


def test_service_detail_has_no_nulls(client: TestClient, imported: Session) -> None:
    service = client.get(f"/openreferral/services/{IMPORTED_SERVICE_ID}").json()

    assert nulls_in(service) == []


def nulls_in(node: object, path: str = "") -> list[str]:
    """Return the paths of the null values in a JSON document."""
    if node is None:
        return [path]
    if isinstance(node, dict):
        return [
            found
            for key, value in node.items()
            for found in nulls_in(value, f"{path}.{key}")
        ]
    if isinstance(node, list):
        return [
            found
            for index, value in enumerate(node)
            for found in nulls_in(value, f"{path}[{index}]")
        ]
    return []


def test_last_modified_is_utc(client: TestClient) -> None:
    service = client.get("/openreferral/services/tell-mama").json()

    assert service["last_modified"].endswith(("Z", "+00:00"))


@pytest.mark.parametrize("service_id", ["no-such-service", "x" * 300])
def test_unknown_service_is_404(client: TestClient, service_id: str) -> None:
    response = client.get(f"/openreferral/services/{service_id}")

    assert response.status_code == 404
    assert "No service has the id" in response.json()["detail"]


def test_taxonomies_list(client: TestClient) -> None:
    body = client.get("/openreferral/taxonomies", params={"per_page": 100}).json()

    names = {taxonomy["name"] for taxonomy in body["contents"]}
    assert {vocabulary.ROUTES_TAXONOMY, vocabulary.AREAS_TAXONOMY} <= names
    assert body["total_items"] == len(body["contents"])


def test_taxonomy_terms_filtered_by_taxonomy(
    client: TestClient, session: Session
) -> None:
    taxonomy_id = session.scalars(
        select(Taxonomy.id).where(Taxonomy.name == vocabulary.FAITHS_TAXONOMY)
    ).one()

    body = client.get(
        "/openreferral/taxonomy_terms",
        params={"taxonomy_id": taxonomy_id, "per_page": 100},
    ).json()

    assert {term["code"] for term in body["contents"]} == {
        term.code for term in vocabulary.FAITHS.terms
    }
    assert all(
        term["taxonomy_detail"]["name"] == vocabulary.FAITHS_TAXONOMY
        for term in body["contents"]
    )


def test_taxonomy_terms_by_parent(client: TestClient, session: Session) -> None:
    llr = term_id(session, vocabulary.AREAS_TAXONOMY, vocabulary.LLR)

    body = client.get(
        "/openreferral/taxonomy_terms", params={"parent_id": llr, "per_page": 100}
    ).json()

    assert {term["code"] for term in body["contents"]} == set(vocabulary.COUNCIL_IDS)


def test_taxonomy_terms_top_only(client: TestClient) -> None:
    body = client.get(
        "/openreferral/taxonomy_terms",
        params={"top_only": "true", "search": "leicester", "per_page": 100},
    ).json()

    codes = {term["code"] for term in body["contents"]}
    assert vocabulary.LLR in codes
    assert "leicester" not in codes


def test_taxonomy_term_by_id(client: TestClient, session: Session) -> None:
    rutland = term_id(session, vocabulary.AREAS_TAXONOMY, "rutland")

    found = client.get(f"/openreferral/taxonomy_terms/{rutland}")
    missing = client.get("/openreferral/taxonomy_terms/no-such-term")

    assert found.status_code == 200
    assert found.json()["code"] == "rutland"
    assert missing.status_code == 404


def test_cors_open_on_openreferral(client: TestClient) -> None:
    response = client.get(
        "/openreferral/services", headers={"Origin": "https://other.example"}
    )

    assert response.headers["access-control-allow-origin"] == "*"


def test_cors_preflight_on_openreferral(client: TestClient) -> None:
    response = client.options(
        "/openreferral/services",
        headers={
            "Origin": "https://other.example",
            "Access-Control-Request-Method": "GET",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]


def test_cors_not_opened_elsewhere(client: TestClient) -> None:
    response = client.get("/health", headers={"Origin": "https://other.example"})

    assert "access-control-allow-origin" not in response.headers


def test_error_responses_carry_cors(client: TestClient) -> None:
    response = client.get(
        "/openreferral/services/no-such-service",
        headers={"Origin": "https://other.example"},
    )

    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == "*"
