"""The database stops while the assistant runs, then starts again.

The stack runs on a PostgreSQL server of the test's own, so that the test can
stop it without touching the machine's shared server. All people and events
are invented.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from directory.db.session import make_engine
from directory.gateway.models import ChatConversation
from stack.launcher import REPO_ROOT, Ports, Stack
from tests.directory.staff.conftest import csrf_token
from tests.production.conftest import (
    gateway_client,
    logged_turns,
    started,
    wait_for,
)
from tests.production.private_postgres import PrivatePostgres
from tests.stack.conftest import Conversation, joined

PORTS = Ports(directory=8900, rasa=5905, actions=5955)
POSTGRES_PORT = 5899
EMERGENCY = "999"
STOP_HATE_UK = "0800 138 1625"


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres(POSTGRES_PORT)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture(scope="module")
def database_url(postgres: PrivatePostgres) -> str:
    maintenance = make_engine(postgres.maintenance_url).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with maintenance.connect() as connection:
        connection.execute(text('CREATE DATABASE "directory"'))
    maintenance.dispose()
    url = postgres.maintenance_url.rsplit("/", 1)[0] + "/directory"
    subprocess.run(
        [sys.executable, "-m", "directory.seed"],
        cwd=REPO_ROOT,
        env={"SOS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return url


@pytest.fixture(scope="module")
def stack(database_url: str) -> Iterator[Stack]:
    with started(Stack(ports=PORTS, database_url=database_url)) as running:
        yield running


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with gateway_client(stack) as http:
        yield http


def test_database_outage_keeps_key_routes_and_loses_nothing(
    stack: Stack,
    client: httpx.Client,
    postgres: PrivatePostgres,
    database_url: str,
) -> None:
    conversation = Conversation(client)
    conversation.say("someone sprayed anti muslim graffiti on my door in loughborough")
    # The first turn is logged in full before the database stops.
    assert wait_for(
        lambda: [
            turn
            for turn in logged_turns(database_url, conversation.id)
            if turn.complete
        ]
    )

    sign_in_form = client.get("/staff/sign-in")
    postgres.stop()
    try:
        during = client.post(
            f"/api/chat/conversations/{conversation.id}/messages",
            json={"text": "no"},
        )
        new_conversation = client.post("/api/chat/conversations")
        staff_page = client.post(
            "/staff/sign-in",
            data={
                "email": "rita.reviewer@example.org.uk",
                "password": "an invented password",
                "csrf_token": csrf_token(sign_in_form.text),
            },
            follow_redirects=False,
        )
        directory_api = client.get("/openreferral/services")
    finally:
        postgres.start()

    # The visitor still gets the key routes.
    assert during.status_code == 200
    reply = during.json()
    assert reply["assistant_unavailable"] is True
    assert EMERGENCY in joined(reply["messages"])
    assert STOP_HATE_UK in joined(reply["messages"])
    # A new conversation cannot be opened; the widget then shows its own help.
    assert new_conversation.status_code == 503
    assert "database" in new_conversation.json()["detail"]
    # Staff see a plain page that explains what happened, not a stack trace.
    assert staff_page.status_code == 503
    assert "The directory is not available" in staff_page.text
    assert "Traceback" not in staff_page.text
    assert directory_api.status_code == 503

    # Once the database is back, the same conversation carries on.
    routes = joined(conversation.press("No"))
    assert "Tell MAMA" in routes
    assert "Charnwood" in routes

    # Nothing half-written: only the one conversation exists, and every turn of
    # its log is complete, without the message sent during the outage.
    engine = make_engine(database_url)
    with Session(engine) as session:
        ids = session.scalars(select(ChatConversation.conversation_id)).all()
    engine.dispose()
    assert ids == [conversation.id]
    assert wait_for(
        lambda: (
            len(logged_turns(database_url, conversation.id)) == 2
            and all(
                turn.complete for turn in logged_turns(database_url, conversation.id)
            )
        )
    )
