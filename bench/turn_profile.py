"""Show where the CPU time of a chat turn goes, process by process and inside each.

Starts the whole stack (directory service, Rasa with models/assistant.tar.gz,
action server) on ports 8700, 5705 and 5755 with a temporary seeded SQLite
database, sends scripted conversations through the gateway one turn at a time,
and samples the three processes with py-spy while they process the turns. It prints the
CPU milliseconds per turn of each process and of the parts named in PARTS,
found by the functions on the sampled stacks. A part's time includes the
functions it calls, so parts of one process can overlap. The reference in the
same run is the CPU time per turn that /proc reports for each process, which
the samples should roughly add up to.

py-spy reads the memory of other processes, which needs root or
ptrace permission (kernel.yama.ptrace_scope 0 or 1 for a child process).

Run: `.venvs/service/bin/python bench/turn_profile.py [--turns 120]`.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.timing import cpu_seconds, wait_until_idle  # noqa: E402
from stack.launcher import SERVICE_BIN, Ports, Stack  # noqa: E402

BENCH_PORTS = Ports(directory=8700, rasa=5705, actions=5755)
SAMPLES_PER_SECOND = 100
WARM_UP_TURNS = 10
# Invented conversations; "BUTTON:" presses the offered button of that title.
SCRIPTS = (
    (
        "someone sprayed anti muslim graffiti on my front door in loughborough",
        "BUTTON:No",
        "can i stay anonymous?",
    ),
    (
        "something happened to me and i dont know what to do",
        "no",
        "they punched me in the face",
        "because im black",
        "it was in hinckley",
    ),
    (
        "a man on the bus in oadby called me a p*ki and spat at me",
        "BUTTON:No",
        "what is a hate crime",
    ),
)
# Parts of each process, each named by a substring of the sampled frames
# ("function (file:line)"); the first frame that matches names the part.
PARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "rasa": (
        ("NLU pipeline (parse)", "_parse_message_with_graph"),
        ("dialogue policies", "_predict_next_with_tracker"),
        ("action server responses checked", "validate_action_result"),
        ("custom action calls (HTTP)", "rasa/utils/endpoints.py"),
        ("tracker store", "tracker_store.py"),
        ("lock store", "lock_store.py"),
        ("event broker", "event_broker/"),
    ),
    "actions": (
        ("signposting call to the directory", "directory_client.py"),
        ("action code", "actions/"),
        ("rasa_sdk request handling", "rasa_sdk/"),
    ),
    "directory": (
        ("gateway turn (chat API)", "post_message"),
        ("signposting API", "post_signpost"),
        ("log ingest", "post_events"),
        ("redaction (in log ingest)", "directory/redaction/"),
        ("log reading and routes (in log ingest)", "logs/situation.py"),
        ("database (SQLAlchemy)", "sqlalchemy/"),
    ),
}


def seed_database(url: str) -> None:
    """Create the tables of the database at `url` and seed the directory."""
    subprocess.run(
        [sys.executable, "-m", "directory.seed"],
        cwd=REPO_ROOT,
        env={"SOS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
        stderr=subprocess.DEVNULL,
    )


def run_script(client: httpx.Client, script: tuple[str, ...]) -> int:
    """Hold one scripted conversation; return the number of turns sent."""
    response = client.post("/api/chat/conversations")
    response.raise_for_status()
    url = f"/api/chat/conversations/{response.json()['conversation_id']}/messages"
    buttons: list[dict[str, str]] = []
    for step in script:
        body: dict[str, str] = {"text": step}
        if step.startswith("BUTTON:"):
            title = step.removeprefix("BUTTON:")
            payload = next((b["payload"] for b in buttons if b["title"] == title), None)
            body = {"payload": payload} if payload else {"text": title}
        reply = client.post(url, json=body)
        reply.raise_for_status()
        if reply.json().get("assistant_unavailable"):
            raise RuntimeError("A turn got the fallback reply: see var/log/rasa.log")
        offered = [b for m in reply.json()["messages"] for b in m.get("buttons", [])]
        buttons = offered or buttons
    return len(script)


def send_turns(client: httpx.Client, turns: int) -> int:
    """Send whole scripted conversations until at least `turns` turns; return sent."""
    sent = 0
    scripts = iter(SCRIPTS * (turns // 3 + 1))
    while sent < turns:
        sent += run_script(client, next(scripts))
    return sent


def start_sampling(pid: int, output: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(SERVICE_BIN / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(SAMPLES_PER_SECOND),
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
            # Only the thread holding the GIL: the others wait, or run
            # TensorFlow's own threads, which /proc counts but Python does not.
            "--gil",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def read_samples(path: Path) -> list[tuple[list[str], int]]:
    """Return (frames, count) of each line of py-spy's raw output."""
    samples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append((stack.split(";"), int(count)))
    return samples


def part_totals(
    samples: list[tuple[list[str], int]], parts: tuple[tuple[str, str], ...]
) -> collections.Counter[str]:
    """Count the samples whose stack passes through each part."""
    totals: collections.Counter[str] = collections.Counter()
    for frames, count in samples:
        for name, marker in parts:
            if any(marker in frame for frame in frames):
                totals[name] += count
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--turns", type=int, default=120, help="turns to sample (default 120)"
    )
    arguments = parser.parse_args()

    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")

    with tempfile.TemporaryDirectory(prefix="sos-profile-") as directory:
        database_url = f"sqlite:///{directory}/directory.db"
        seed_database(database_url)
        # Every turn comes from one address, faster than a visitor types.
        stack = Stack(
            ports=BENCH_PORTS,
            database_url=database_url,
            extra_environment={
                "SOS_RATE_LIMIT_CLIENT_REQUESTS": "10000000",
                "SOS_RATE_LIMIT_CONVERSATION_MESSAGES": "10000000",
            },
        )
        try:
            stack.start()
            with httpx.Client(base_url=stack.directory_url, timeout=60.0) as client:
                send_turns(client, WARM_UP_TURNS)
                pids = {name: stack.processes[name].pid for name in PARTS}
                wait_until_idle(list(pids.values()))
                cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                outputs = {name: Path(directory) / f"{name}.txt" for name in PARTS}
                samplers = {
                    name: start_sampling(pid, outputs[name])
                    for name, pid in pids.items()
                }
                # py-spy attaches within a fraction of a second.
                time.sleep(2.0)
                started = time.monotonic()
                turns = send_turns(client, arguments.turns)
                elapsed = time.monotonic() - started
                cpu_after = {name: cpu_seconds(pid) for name, pid in pids.items()}
                for sampler in samplers.values():
                    sampler.send_signal(signal.SIGINT)
                for sampler in samplers.values():
                    sampler.wait(timeout=60)
        finally:
            stack.stop()

        print(f"turns: {turns}, one at a time, in {elapsed:.1f} s")
        print(f"wall-clock per turn: {1000 * elapsed / turns:.1f} ms\n")
        print(f"{'process / part':50} {'CPU ms per turn':>16}")
        for name, parts in PARTS.items():
            samples = read_samples(outputs[name])
            sampled = sum(count for _, count in samples)
            proc_ms = 1000 * (cpu_after[name] - cpu_before[name]) / turns
            sampled_ms = 1000 * sampled / SAMPLES_PER_SECOND / turns
            print(f"{name + ', CPU time from /proc':50} {proc_ms:16.1f}")
            print(f"{'  ' + name + ', sampled holding the GIL':50} {sampled_ms:16.1f}")
            for part, count in part_totals(samples, parts).most_common():
                part_ms = 1000 * count / SAMPLES_PER_SECOND / turns
                print(f"{'    ' + part:50} {part_ms:16.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
