"""Redaction runs with no network, no spaCy model and no cache writes."""

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest
import spacy
import spacy.cli
import tldextract

from directory.redaction import ConversationRedactor, build_redactor
from directory.redaction.offline import offline_domain_extractor
from directory.settings import settings


class NetworkUsed(AssertionError):
    """Raised when code under test opens a network connection."""


def refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise NetworkUsed(f"network call attempted: {args!r}")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Make every connection, DNS look-up, model load and model download fail,
    and point the home and cache directories at an empty folder."""
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(spacy, "load", refuse)
    monkeypatch.setattr(spacy.cli, "download", refuse)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("TLDEXTRACT_CACHE", str(tmp_path / "tldextract"))
    return tmp_path


def test_connect_refused_in_fixture(no_network: Path) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))


def test_redaction_offline(no_network: Path) -> None:
    offline_domain_extractor.cache_clear()
    build_redactor.cache_clear()
    try:
        engine = build_redactor(settings.data_dir)
        redactor = ConversationRedactor(engine=engine)
        text = redactor.redact(
            "my neighbour dave.example@gmail.com posted on www.example.co.uk about "
            "me, his number is 07700 900123 and he lives at 12 Hazel Close LE4 6AB"
        )
    finally:
        offline_domain_extractor.cache_clear()
        build_redactor.cache_clear()
    assert text == (
        "my neighbour [EMAIL_1] posted on [URL_1] about me, his number is "
        "[PHONE_1] and he lives at [ADDRESS_1] [POSTCODE_1]"
    )
    assert list(os.scandir(no_network)) == []


def test_domain_extractor_uses_snapshot(no_network: Path) -> None:
    offline_domain_extractor.cache_clear()
    try:
        extractor = offline_domain_extractor()
        assert extractor("mail.example.co.uk").suffix == "co.uk"
    finally:
        offline_domain_extractor.cache_clear()
    assert list(os.scandir(no_network)) == []


def test_default_tldextract_would_download() -> None:
    # Guards the reason for the offline extractor: tldextract's default
    # extractor lists remote suffix-list addresses.
    default = tldextract.TLDExtract()
    assert default.suffix_list_urls
    assert offline_domain_extractor().suffix_list_urls == ()


OFFLINE_SCRIPT = """
import socket
import spacy


def refuse(*args, **kwargs):
    raise RuntimeError("network or model download attempted")


socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
spacy.load = refuse

from directory.redaction import ConversationRedactor

print(ConversationRedactor().redact("email dave@example.co.uk or see www.example.com"))
"""


def test_import_and_redact_offline(tmp_path: Path) -> None:
    # Blocks the network before the package is imported, in a fresh process
    # whose home and cache directories are empty.
    repo_root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONPATH": str(repo_root),
    }
    completed = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "email [EMAIL_1] or see [URL_1]"
    assert list(os.scandir(tmp_path)) == []
