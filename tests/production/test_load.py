"""100 visitors hold conversations at once for 60 seconds through the gateway.

Each visitor describes an incident, answers the danger question, reads the
routes, pauses as a person would, and starts again, until the minute is over.
The test fails on any error or fallback reply, and if a visitor never reaches
the routes. It prints its figures and writes them to var/results/load.json;
speed is not asserted (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from stack.launcher import REPO_ROOT, Stack

VISITORS = 100
DURATION_SECONDS = 60.0
# Seconds a visitor takes to read a reply and type the next message.
THINK_SECONDS = (3.0, 8.0)
# The same visitor waits as long for a reply as the widget does.
REQUEST_TIMEOUT_SECONDS = 30.0
FIRST_MESSAGES = (
    (
        "someone sprayed anti muslim graffiti on my front door in loughborough",
        "Charnwood",
    ),
    ("a man on the bus in hinckley called me a p*ki and spat at me", "Hinckley"),
    # Melton has no council service in the directory; the county's project
    # covers it.
    (
        "my neighbours in melton keep shouting abuse because im gay",
        "Hate Incident Monitoring Project",
    ),
    ("kids threw eggs at our synagogue in oadby last night", "Oadby"),
)
RESULTS_FILE = REPO_ROOT / "var" / "results" / "load.json"


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conversations_with_routes: dict[int, int] = field(default_factory=dict)


async def turn(
    client: httpx.AsyncClient, figures: Figures, url: str, body: dict[str, str]
) -> dict | None:
    started = time.monotonic()
    try:
        response = await client.post(url, json=body)
    except httpx.HTTPError as exc:
        figures.errors.append(f"{type(exc).__name__} on a message")
        return None
    figures.latencies.append(time.monotonic() - started)
    if response.status_code != 200:
        figures.errors.append(f"HTTP {response.status_code} on a message")
        return None
    reply = response.json()
    if reply.get("assistant_unavailable"):
        figures.errors.append("fallback reply")
        return None
    return reply


async def visitor(
    number: int, client: httpx.AsyncClient, figures: Figures, end: float
) -> None:
    rng = random.Random(number)
    figures.conversations_with_routes[number] = 0
    await asyncio.sleep(rng.uniform(0, 5))
    while time.monotonic() < end:
        response = await client.post("/api/chat/conversations")
        if response.status_code != 201:
            figures.errors.append(f"HTTP {response.status_code} opening")
            return
        messages_url = (
            f"/api/chat/conversations/{response.json()['conversation_id']}/messages"
        )
        text, place = rng.choice(FIRST_MESSAGES)

        first = await turn(client, figures, messages_url, {"text": text})
        if first is None:
            return
        buttons = [b for m in first["messages"] for b in m.get("buttons", [])]
        no = next((b for b in buttons if b["title"] == "No"), None)
        if no is None:
            figures.errors.append("no danger question after the first message")
            return
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))

        routes = await turn(client, figures, messages_url, {"payload": no["payload"]})
        if routes is None:
            return
        routes_text = "\n".join(m["text"] for m in routes["messages"])
        if place not in routes_text or "Stop Hate UK" not in routes_text:
            figures.errors.append(f"routes without {place} or Stop Hate UK")
            return
        figures.conversations_with_routes[number] += 1
        await asyncio.sleep(rng.uniform(*THINK_SECONDS))


async def run_load(base_url: str) -> tuple[Figures, float]:
    figures = Figures()
    limits = httpx.Limits(max_connections=VISITORS, keepalive_expiry=2.0)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS, limits=limits
    ) as client:
        started = time.monotonic()
        end = started + DURATION_SECONDS
        await asyncio.gather(
            *(visitor(number, client, figures, end) for number in range(VISITORS))
        )
        return figures, time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def test_hundred_conversations_for_a_minute(production: Stack) -> None:
    figures, elapsed = asyncio.run(run_load(production.directory_url))

    summary = {
        "visitors": VISITORS,
        "seconds": round(elapsed, 1),
        "turns": len(figures.latencies),
        "turns_per_second": round(len(figures.latencies) / elapsed, 2),
        "conversations_with_routes": sum(figures.conversations_with_routes.values()),
        "errors": len(figures.errors),
        "error_kinds": dict(Counter(figures.errors).most_common(5)),
        "p50_ms": round(1000 * statistics.median(figures.latencies), 1),
        "p95_ms": round(1000 * percentile(figures.latencies, 0.95), 1),
        "p99_ms": round(1000 * percentile(figures.latencies, 0.99), 1),
        "rasa_servers": len(production.rasa_urls),
    }
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))

    assert figures.errors == [], figures.errors[:10]
    without_routes = [
        number
        for number, count in figures.conversations_with_routes.items()
        if not count
    ]
    assert without_routes == []
