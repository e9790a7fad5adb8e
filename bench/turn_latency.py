"""Measure chat turn latency through the gateway against Rasa alone.

Starts the whole stack (directory service, Rasa with models/assistant.tar.gz,
action server) on ports 8700, 5705 and 5755 with a temporary seeded SQLite
database. At 1, 10 and 50 concurrent conversations it sends the same number
of turns on each of three paths:

- gateway: `POST /api/chat/conversations/{id}/messages` in scripted
  conversations (first messages describing incidents, answers to the
  assistant's questions, buttons pressed, questions), with Rasa, the action
  server and the directory's signposting in the loop;
- rest: the same conversations posted to Rasa's REST channel
  (`/webhooks/rest/webhook`) directly, so the gap to `gateway` is the
  gateway's own cost (`--skip-rest` leaves this path out);
- parse: `POST /model/parse` on Rasa with its token for the texts of the same
  scripts, which runs only the NLU pipeline. It is the reference for the ratio.

The paths take turns block by block, so a change in machine load falls on all
of them. By default each conversation sends its next message as soon as the
reply arrives (a closed loop, the heaviest load that many conversations can
make). With `--pause SECONDS` each conversation, and each parse worker, waits
a random time between 0 and twice that after every reply, as people do while
they read and type. The gateway's rate limits are raised through `SOS_RATE_LIMIT_*`
environment variables, because the benchmark sends every request from one
address.

Run: `.venvs/service/bin/python bench/turn_latency.py [--turns 1000]
[--levels 1 10 50] [--pause 0]`.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from stack.launcher import Ports, Stack  # noqa: E402

BENCH_PORTS = Ports(directory=8700, rasa=5705, actions=5755)
CONCURRENCY_LEVELS = (1, 10, 50)
WARM_UP_TURNS = 20
BLOCKS_PER_LEVEL = 4
REQUEST_TIMEOUT_SECONDS = 60.0

# Limits high enough that no benchmark request gets 429.
RAISED_RATE_LIMITS = {
    "SOS_RATE_LIMIT_WINDOW_SECONDS": "60",
    "SOS_RATE_LIMIT_CLIENT_REQUESTS": "10000000",
    "SOS_RATE_LIMIT_CONVERSATION_MESSAGES": "10000000",
}


@dataclass(frozen=True)
class Step:
    """One turn of a scripted conversation: typed text, or a button to press.

    A button that the last reply did not offer is sent as typed text instead.
    """

    text: str
    button: bool = False


def say(text: str) -> Step:
    return Step(text)


def press(title: str) -> Step:
    return Step(title, button=True)


# Invented conversations in the style of the stack tests: a first message
# describing an incident, answers to the assistant's questions, and questions.
SCRIPTS: tuple[tuple[Step, ...], ...] = (
    (
        say("someone sprayed anti muslim graffiti on my front door in loughborough"),
        press("No"),
        say("can i stay anonymous?"),
    ),
    (
        say("something happened to me and i dont know what to do"),
        say("no"),
        say("they punched me in the face"),
        say("because im black"),
        say("it was in hinckley"),
    ),
    (
        say("my neighbour keeps shouting racist abuse at my kids"),
        press("No"),
        say("what happens after i report"),
    ),
    (
        say("a man spat at me and called me a dirty jew in oadby"),
        press("No"),
        say("sorry no, it was in coalville"),
    ),
    (
        say("what is a hate crime"),
        say("a group of lads kicked me and called me a tranny in melton"),
        press("No"),
        say("i dont want the police involved"),
    ),
    (
        say("people at work keep mocking my wheelchair and hiding my things"),
        say("no"),
        say("leicester"),
        say("will they find out it was me"),
    ),
    (
        say("someone smashed my car window because im polish, in rutland"),
        press("No"),
        say("thanks"),
    ),
)


@dataclass
class Samples:
    """Latencies in seconds of successful requests, and the failed ones."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    wall_seconds: float = 0.0


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of `values` (fraction in 0..1)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def parse_texts() -> list[str]:
    """Return the typed texts of all scripts, the input of the parse phase."""
    return [step.text for script in SCRIPTS for step in script]


class TurnBudget:
    """A count of turns left in a block, shared by the workers of that block.

    It also sets the mean pause that the workers take after each reply.
    """

    def __init__(self, turns: int, pause_seconds: float = 0.0) -> None:
        self.left = turns
        self.pause_seconds = pause_seconds
        self.rng = random.Random(turns)

    async def pause(self) -> None:
        """Wait as a person reading the reply and typing would, if pauses are on."""
        if self.pause_seconds > 0:
            await asyncio.sleep(self.rng.uniform(0, 2 * self.pause_seconds))

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class GatewayPath:
    """Conversations through the gateway, as the widget sends them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def open(self) -> str:
        created = await self.client.post("/api/chat/conversations")
        created.raise_for_status()
        conversation_id: str = created.json()["conversation_id"]
        return conversation_id

    async def send(
        self, conversation_id: str, text: str, payload: str | None
    ) -> list[dict[str, Any]]:
        """Send one turn and return the reply's messages, or [] if the turn failed."""
        body = {"payload": payload} if payload else {"text": text}
        try:
            response = await self.client.post(
                f"/api/chat/conversations/{conversation_id}/messages", json=body
            )
        except httpx.HTTPError:
            return []
        if response.status_code != 200:
            return []
        reply = response.json()
        if reply.get("assistant_unavailable"):
            return []
        messages: list[dict[str, Any]] = reply.get("messages") or []
        return messages


class RestPath:
    """Conversations sent to Rasa's REST channel directly, without the gateway."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def open(self) -> str:
        return f"bench-{uuid.uuid4()}"

    async def send(
        self, conversation_id: str, text: str, payload: str | None
    ) -> list[dict[str, Any]]:
        """Send one turn and return Rasa's messages, or [] if the turn failed."""
        try:
            response = await self.client.post(
                "/webhooks/rest/webhook",
                json={"sender": conversation_id, "message": payload or text},
            )
        except httpx.HTTPError:
            return []
        if response.status_code != 200:
            return []
        messages: list[dict[str, Any]] = response.json()
        return messages


async def run_conversations(
    path: GatewayPath | RestPath,
    budget: TurnBudget,
    scripts: Iterator[tuple[Step, ...]],
    samples: Samples,
) -> None:
    """Run scripted conversations on `path` until the budget is spent.

    Only message turns are timed; opening a conversation is not a turn. A turn
    fails when it returns no messages or the gateway's fallback reply.
    """
    while budget.left > 0:
        try:
            conversation_id = await path.open()
        except httpx.HTTPError:
            budget.take()
            samples.failures += 1
            continue
        buttons: list[dict[str, str]] = []

        for step in next(scripts):
            if not budget.take():
                return
            payload = None
            if step.button:
                offered = [b for b in buttons if b.get("title") == step.text]
                if offered:
                    payload = offered[0]["payload"]

            started = time.perf_counter()
            messages = await path.send(conversation_id, step.text, payload)
            elapsed = time.perf_counter() - started

            await budget.pause()
            if not messages:
                samples.failures += 1
                continue
            samples.latencies.append(elapsed)
            offered_now = [b for m in messages for b in m.get("buttons") or []]
            if offered_now:
                buttons = offered_now


async def run_parses(
    client: httpx.AsyncClient,
    budget: TurnBudget,
    texts: Iterator[str],
    token: str,
    samples: Samples,
) -> None:
    """Send texts to Rasa's `/model/parse` until the budget is spent."""
    while budget.take():
        started = time.perf_counter()
        try:
            response = await client.post(
                "/model/parse", params={"token": token}, json={"text": next(texts)}
            )
        except httpx.HTTPError:
            samples.failures += 1
            continue
        elapsed = time.perf_counter() - started
        await budget.pause()
        if response.status_code != 200 or "intent" not in response.json():
            samples.failures += 1
            continue
        samples.latencies.append(elapsed)


@dataclass
class LevelResult:
    """Samples of the three paths at one level of concurrency."""

    gateway: Samples = field(default_factory=Samples)
    rest: Samples = field(default_factory=Samples)
    parse: Samples = field(default_factory=Samples)


async def run_block(samples: Samples, workers: list[Coroutine[Any, Any, None]]) -> None:
    """Run the workers of one block together and add their wall-clock time."""
    started = time.perf_counter()
    await asyncio.gather(*workers)
    samples.wall_seconds += time.perf_counter() - started


async def measure_level(
    stack: Stack,
    concurrency: int,
    turns: int,
    with_rest: bool,
    pause_seconds: float = 0.0,
) -> LevelResult:
    """Measure bare parses, REST turns and gateway turns at one concurrency.

    The turns are split into blocks, and the paths take turns block by block,
    so that a change in machine load falls on all of them.
    """
    result = LevelResult()
    # Idle connections are dropped after 2 s, before the servers close them
    # (Sanic, under Rasa, after 5 s), so that no request is sent on a
    # connection that the server is closing.
    limits = httpx.Limits(
        max_connections=concurrency,
        max_keepalive_connections=concurrency,
        keepalive_expiry=2.0,
    )
    scripts = itertools.cycle(SCRIPTS)
    texts = itertools.cycle(parse_texts())

    async with (
        httpx.AsyncClient(
            base_url=stack.directory_url,
            timeout=REQUEST_TIMEOUT_SECONDS,
            limits=limits,
        ) as gateway_client,
        httpx.AsyncClient(
            base_url=stack.rasa_url, timeout=REQUEST_TIMEOUT_SECONDS, limits=limits
        ) as rasa_client,
    ):
        gateway = GatewayPath(gateway_client)
        rest = RestPath(rasa_client)
        block_sizes = [turns // BLOCKS_PER_LEVEL] * BLOCKS_PER_LEVEL
        block_sizes[-1] += turns - sum(block_sizes)
        for block in block_sizes:
            budget = TurnBudget(block, pause_seconds)
            await run_block(
                result.parse,
                [
                    run_parses(
                        rasa_client, budget, texts, stack.rasa_token, result.parse
                    )
                    for _ in range(concurrency)
                ],
            )
            if with_rest:
                budget = TurnBudget(block, pause_seconds)
                await run_block(
                    result.rest,
                    [
                        run_conversations(rest, budget, scripts, result.rest)
                        for _ in range(concurrency)
                    ],
                )
            budget = TurnBudget(block, pause_seconds)
            await run_block(
                result.gateway,
                [
                    run_conversations(gateway, budget, scripts, result.gateway)
                    for _ in range(concurrency)
                ],
            )

    return result


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def format_row(name: str, concurrency: int, samples: Samples) -> str:
    values = samples.latencies
    if not values:
        return f"{name:<8}{concurrency:>5}  no successful requests"
    throughput = len(values) / samples.wall_seconds if samples.wall_seconds else 0.0
    return (
        f"{name:<8}{concurrency:>5}{len(values):>7}{samples.failures:>6}"
        f"{milliseconds(percentile(values, 0.50))}"
        f"{milliseconds(percentile(values, 0.95))}"
        f"{milliseconds(percentile(values, 0.99))}"
        f"{milliseconds(statistics.fmean(values))}"
        f"{throughput:>9.1f}"
    )


def seed_database(url: str) -> None:
    """Create the tables of the database at `url` and seed the directory."""
    subprocess.run(
        [sys.executable, "-m", "directory.seed"],
        cwd=REPO_ROOT,
        env={"SOS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
    )


async def warm_up(stack: Stack) -> None:
    """Send a few turns of each kind, so that first-call costs are not measured."""
    await measure_level(stack, 1, WARM_UP_TURNS, with_rest=True)


def print_header(turns: int, pause_seconds: float) -> None:
    print(f"date (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M}")
    print(f"machine: {platform.node()}, {platform.machine()}, {_cpu_summary()}")
    print(f"turns per level and path: {turns}, in {BLOCKS_PER_LEVEL} blocks")
    if pause_seconds > 0:
        print(
            f"pause after each reply: 0 to {2 * pause_seconds:g} s, "
            f"{pause_seconds:g} s on average"
        )
    else:
        print("pause after each reply: none")
    print()


def _cpu_summary() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown CPU"
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    cores = cpuinfo.count("processor\t:")
    return f"{cores} x {model}"


def ratio_of_p95(numerator: Samples, denominator: Samples) -> str:
    if not numerator.latencies or not denominator.latencies:
        return "  n/a"
    ratio = percentile(numerator.latencies, 0.95) / percentile(
        denominator.latencies, 0.95
    )
    return f"{ratio:5.2f}"


def print_summary(results: dict[int, LevelResult], with_rest: bool) -> None:
    print()
    print("p95 ratios:")
    for concurrency, result in results.items():
        line = (
            f"  {concurrency:>3} concurrent: gateway / parse "
            f"{ratio_of_p95(result.gateway, result.parse)}"
        )
        if with_rest:
            line += f", gateway / rest {ratio_of_p95(result.gateway, result.rest)}"
        print(line)
    highest = max(results)
    saturated = results[highest].gateway
    if saturated.wall_seconds:
        print(
            f"throughput at {highest} concurrent conversations: "
            f"{len(saturated.latencies) / saturated.wall_seconds:.1f} gateway turns/s"
        )


def main() -> int:
    # Line by line, so that figures and log lines on standard error interleave whole.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--turns",
        type=int,
        default=1000,
        help="turns per concurrency level and path (default: %(default)s)",
    )
    parser.add_argument(
        "--levels",
        type=int,
        nargs="+",
        default=list(CONCURRENCY_LEVELS),
        help="numbers of concurrent conversations to measure (default: 1 10 50)",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help=(
            "mean seconds each conversation waits after a reply before its next "
            "message (default: %(default)s, none)"
        ),
    )
    parser.add_argument(
        "--skip-rest",
        action="store_true",
        help="leave out the turns sent to Rasa's REST channel directly",
    )
    arguments = parser.parse_args()
    if min(arguments.levels) < 1:
        parser.error("--levels must be whole numbers of at least 1")
    if arguments.pause < 0:
        parser.error("--pause must not be negative")
    if arguments.turns < BLOCKS_PER_LEVEL:
        parser.error(f"--turns must be at least {BLOCKS_PER_LEVEL}")
    with_rest = not arguments.skip_rest

    with tempfile.TemporaryDirectory(prefix="sos-bench-") as directory:
        database_url = f"sqlite:///{Path(directory) / 'directory.db'}"
        seed_database(database_url)
        stack = Stack(
            ports=BENCH_PORTS,
            database_url=database_url,
            extra_environment=dict(RAISED_RATE_LIMITS),
        )
        results: dict[int, LevelResult] = {}
        try:
            stack.start()
            asyncio.run(warm_up(stack))
            print_header(arguments.turns, arguments.pause)
            print(
                f"{'path':<8}{'conc':>5}{'ok':>7}{'fail':>6}"
                f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'mean ms':>8}{'per s':>9}"
            )
            for concurrency in arguments.levels:
                result = asyncio.run(
                    measure_level(
                        stack, concurrency, arguments.turns, with_rest, arguments.pause
                    )
                )
                results[concurrency] = result
                print(format_row("gateway", concurrency, result.gateway))
                if with_rest:
                    print(format_row("rest", concurrency, result.rest))
                print(format_row("parse", concurrency, result.parse), flush=True)
        finally:
            stack.stop()

    print_summary(results, with_rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
