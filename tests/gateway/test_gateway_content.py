"""Tests of loading the gateway wording from `content/gateway.yml`."""

from pathlib import Path

import pytest
import yaml

from directory.gateway.content import (
    REQUIRED_FALLBACK_ROUTES,
    GatewayContentError,
    get_wording,
    load_wording,
)


@pytest.fixture
def wording_fields() -> dict[str, str]:
    return get_wording().model_dump()


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_repository_wording_loads(wording_fields: dict[str, str]) -> None:
    assert all(text.strip() for text in wording_fields.values())


@pytest.mark.parametrize("reply", ["assistant_unavailable", "actions_unavailable"])
@pytest.mark.parametrize("route", REQUIRED_FALLBACK_ROUTES)
def test_fallback_without_route_is_rejected(
    tmp_path: Path, wording_fields: dict[str, str], route: str, reply: str
) -> None:
    wording_fields[reply] = wording_fields[reply].replace(route, "")
    path = write_yaml(tmp_path / "gateway.yml", wording_fields)

    with pytest.raises(GatewayContentError, match="put the missing routes back"):
        load_wording(path)


def test_missing_reply_is_rejected(
    tmp_path: Path, wording_fields: dict[str, str]
) -> None:
    del wording_fields["empty_text"]
    path = write_yaml(tmp_path / "gateway.yml", wording_fields)

    with pytest.raises(GatewayContentError, match="empty_text"):
        load_wording(path)


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(GatewayContentError, match="Could not read"):
        load_wording(tmp_path / "absent.yml")


def test_invalid_yaml_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yml"
    path.write_text("empty_text: [unclosed", encoding="utf-8")

    with pytest.raises(GatewayContentError, match="Could not read"):
        load_wording(path)
