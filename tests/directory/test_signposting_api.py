"""Tests of the HTTP endpoints of the directory service."""

from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from directory.app import create_app
from directory.db.models import Service
from directory.db.session import get_session, make_engine, make_sessionmaker
from directory.signposting.recent import recent_results
from directory.signposting.schemas import Situation

GRAFFITI_BODY = {
    "characteristics": ["religion"],
    "faiths": ["muslim"],
    "incident_types": ["criminal_damage", "hate_material"],
    "area": "charnwood",
    "urgent": False,
    "self_harm": False,
    "under_18": False,
    "wants_anonymous": False,
    "avoid_police": False,
    "role": "victim",
    "low_severity": False,
    "hate_denied": False,
}
ROUTE_FIELDS = {
    "service_id",
    "name",
    "route",
    "reason",
    "phone",
    "text",
    "email",
    "url",
    "hours",
    "anonymous",
}


def test_signpost_returns_documented_shape(client: TestClient) -> None:
    response = client.post("/api/signpost", json=GRAFFITI_BODY)
    body = response.json()

    assert response.status_code == 200
    assert set(body) == {"likely", "explanation", "routes", "notes"}
    assert body["likely"] == "crime"
    assert all(isinstance(paragraph, str) for paragraph in body["explanation"])
    assert all(isinstance(note, str) for note in body["notes"])
    for route in body["routes"]:
        assert set(route) == ROUTE_FIELDS


def test_signpost_tell_mama_entry(client: TestClient) -> None:
    body = client.post("/api/signpost", json=GRAFFITI_BODY).json()
    tell_mama = next(r for r in body["routes"] if r["service_id"] == "tell-mama")

    assert tell_mama["name"] == "Tell MAMA"
    assert tell_mama["route"] == "third_party_report"
    assert tell_mama["phone"] == "0800 456 1226"
    assert tell_mama["text"] is None
    assert tell_mama["email"] is None
    assert tell_mama["url"] == "https://tellmamauk.org"
    assert tell_mama["hours"] == "See website"
    assert tell_mama["anonymous"] is True


def test_signpost_accepts_empty_body(client: TestClient) -> None:
    response = client.post("/api/signpost", json={})

    assert response.status_code == 200
    assert response.json()["likely"] is None


def test_signpost_rejects_unknown_label(client: TestClient) -> None:
    body = {**GRAFFITI_BODY, "characteristics": ["astrology"]}

    assert client.post("/api/signpost", json=body).status_code == 422


def test_signpost_rejects_unknown_field(client: TestClient) -> None:
    body = {**GRAFFITI_BODY, "self-harm": True}

    assert client.post("/api/signpost", json=body).status_code == 422


def test_api_reflects_unpublished_service(client: TestClient, session: Session) -> None:
    service = session.get_one(Service, "tell-mama")
    service.published = False
    session.commit()

    body = client.post("/api/signpost", json=GRAFFITI_BODY).json()

    assert "tell-mama" not in [route["service_id"] for route in body["routes"]]


def test_api_runs_again_after_a_change(client: TestClient, session: Session) -> None:
    before = client.post("/api/signpost", json=GRAFFITI_BODY).json()
    service = session.get_one(Service, "tell-mama")
    service.published = False
    session.commit()

    after = client.post("/api/signpost", json=GRAFFITI_BODY).json()

    assert "tell-mama" in [route["service_id"] for route in before["routes"]]
    assert "tell-mama" not in [route["service_id"] for route in after["routes"]]


def test_api_keeps_result_for_the_log(client: TestClient) -> None:
    recent_results.clear()

    body = client.post("/api/signpost", json=GRAFFITI_BODY).json()

    kept = recent_results.get(Situation(**GRAFFITI_BODY))
    assert kept is not None
    assert kept.model_dump(mode="json") == body


def test_broken_content_gives_server_error(
    client: TestClient, content_copy: Path
) -> None:
    (content_copy / "routes.yml").write_text("routes: 3\n", encoding="utf-8")

    response = client.post("/api/signpost", json=GRAFFITI_BODY)

    assert response.status_code == 500
    assert "content" in response.json()["detail"]


def test_health_reports_database_ok(client: TestClient) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_database_error(tmp_path: Path) -> None:
    # A folder where the database file should be makes every query fail.
    (tmp_path / "directory.db").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'directory.db'}")
    factory = make_sessionmaker(engine)

    def get_broken_session() -> Iterator[Session]:
        with factory() as session:
            yield session

    app = create_app()
    app.dependency_overrides[get_session] = get_broken_session
    with TestClient(app) as client:
        response = client.get("/health")
    engine.dispose()

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
