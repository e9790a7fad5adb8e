"""Checks of the service form and the messages shown for each field."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from directory.staff import validation
from directory.staff.models import EDITOR
from tests.directory.staff.conftest import edit_form


@pytest.mark.parametrize(
    "number",
    [
        "999",
        "101",
        "116 123",
        "0800 1111",
        "0800 555 111",
        "0116 305 8263",
        "01530 454545",
        "07717 989 025",
        "08 08 16 89 111",
        "+44 116 496 0123",
        "18001 101",
        "18000",
    ],
)
def test_uk_phone_accepted(number: str) -> None:
    assert validation.phone_error(number) is None


@pytest.mark.parametrize(
    "number",
    ["12345", "0116 305", "0116 305 8263 1", "+1 212 555 0100", "call us", "0800"],
)
def test_non_uk_phone_rejected(number: str) -> None:
    message = validation.phone_error(number)

    assert message is not None
    assert number in message
    assert "UK phone number" in message


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the name of the service."),
        ("organization", "", "Enter the organisation that runs the service."),
        ("email", "help at example.org", "is not a valid email address"),
        ("email", "help@localhost", "is not a valid email address"),
        ("url", "www.example.org.uk", "is not a full web address"),
        ("url", "javascript:alert(1)", "is not a full web address"),
        ("minimum_age", "eighteen", "must be a whole number of years"),
        ("maximum_age", "200", "must be a whole number of years"),
        ("status", "open-ish", "Choose whether the service is open or closed."),
    ],
)
def test_field_error_shown(
    client: TestClient,
    signed_in: Callable[[str], str],
    field: str,
    value: str,
    message: str,
) -> None:
    token = signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    fields[field] = value
    fields["csrf_token"] = token

    response = client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert f'href="#{field}"' in response.text
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert response.text.count(message) == 2
    assert "<title>Error:" in response.text


def _with_row(fields: dict[str, object], **row: object) -> dict[str, object]:
    fields = dict(fields)
    for name, value in row.items():
        fields[name.replace("_", "-")] = value
    return fields


@pytest.mark.parametrize(
    ("row", "error_id", "message"),
    [
        ({"phone_0_number": "12345"}, "phone-0-number", "is not a UK phone number"),
        (
            {"hours_0_days": ["MO"], "hours_0_opens": "9am", "hours_0_closes": "17:00"},
            "hours-0-opens",
            "24-hour clock",
        ),
        (
            {
                "hours_0_days": ["MO"],
                "hours_0_opens": "17:00",
                "hours_0_closes": "09:00",
            },
            "hours-0-closes",
            "closing time later than the opening time",
        ),
        (
            {"hours_0_opens": "09:00", "hours_0_closes": "17:00"},
            "hours-0-days",
            "Choose the days",
        ),
        ({"terms_sos-routes": []}, "terms-sos-routes", "Choose at least one option"),
        (
            {"terms_sos-areas": ["atlantis"]},
            "terms-sos-areas",
            "Choose only from the options",
        ),
    ],
)
def test_row_error_shown(
    client: TestClient,
    signed_in: Callable[[str], str],
    row: dict[str, object],
    error_id: str,
    message: str,
) -> None:
    token = signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    for key in [
        k for k in fields if k.startswith("phone-0") or k.startswith("hours-0")
    ]:
        if key.endswith("-number") or key.endswith("-opens") or key.endswith("-closes"):
            fields[key] = ""
    fields.pop("hours-0-days", None)
    fields = _with_row(fields, **row)
    fields["csrf_token"] = token

    response = client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert response.status_code == 400
    assert f'href="#{error_id}"' in response.text
    assert message in response.text


def test_min_age_above_max_rejected(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    fields.update(minimum_age="18", maximum_age="16", csrf_token=token)

    response = client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert response.status_code == 400
    assert "maximum age that is the same as or more than the minimum" in response.text


def test_invalid_form_keeps_typed_values(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    fields = edit_form(client, "stop-hate-uk")
    fields.update(email="not-an-address", name="Stop Hate UK (renamed)")
    fields["csrf_token"] = token

    response = client.post("/staff/services/stop-hate-uk/edit", data=fields)

    assert 'value="Stop Hate UK (renamed)"' in response.text
    assert 'value="not-an-address"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_unchanged_seed_record_valid(
    client: TestClient, signed_in: Callable[[str], str]
) -> None:
    token = signed_in(EDITOR)
    for service_id in ("police-999", "police-101", "childline", "victim-support"):
        fields = edit_form(client, service_id)
        fields["csrf_token"] = token

        response = client.post(
            f"/staff/services/{service_id}/edit", data=fields, follow_redirects=False
        )

        assert response.status_code == 303, (service_id, response.text)
