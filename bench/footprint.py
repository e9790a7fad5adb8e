"""Measure the stack's cold start, its resident memory, and the widget's size.

Starts the whole stack (directory service, Rasa with models/assistant.tar.gz,
action server) on ports 8700, 5705 and 5755 with a temporary seeded SQLite
database, and prints:

- cold start: seconds from starting the processes to the first answered
  message through the gateway, next to the seconds that the Rasa environment's
  Python takes to `import tensorflow` in the same run (the reference,
  because Rasa imports TensorFlow when it starts);
- resident memory (VmRSS of /proc/<pid>/status) of each process and its
  children after a few conversations, and the CPU time (utime plus stime of
  /proc/<pid>/stat) each used per turn over 24 turns sent one at a time;
- the size of widget/*.js and widget/*.css, raw and compressed with gzip at
  level 9.

Run: `.venvs/service/bin/python bench/footprint.py`.
"""

from __future__ import annotations

import gzip
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
from stack.launcher import RASA_BIN, Ports, Stack  # noqa: E402

BENCH_PORTS = Ports(directory=8700, rasa=5705, actions=5755)
WIDGET_DIR = REPO_ROOT / "widget"
# Times the conversations after the first are repeated while CPU time is read.
CPU_ROUNDS = 3
# Invented conversations sent before memory is read.
CONVERSATIONS = (
    ("someone sprayed anti muslim graffiti on my front door in loughborough", "No"),
    ("a man spat at me and called me a dirty jew in oadby", "No"),
    ("my neighbour keeps shouting racist abuse at my kids", "No"),
    ("people at work keep mocking my wheelchair", "leicester"),
    ("what is a hate crime", "thanks"),
)


def seed_database(url: str) -> None:
    """Create the tables of the database at `url` and seed the directory."""
    subprocess.run(
        [sys.executable, "-m", "directory.seed"],
        cwd=REPO_ROOT,
        env={"SOS_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
        stderr=subprocess.DEVNULL,
    )


def tensorflow_import_seconds() -> float:
    """Return the wall-clock seconds of `import tensorflow` in the Rasa environment."""
    started = time.perf_counter()
    subprocess.run(
        [str(RASA_BIN / "python"), "-c", "import tensorflow"],
        env={"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return time.perf_counter() - started


def send_turn(client: httpx.Client, conversation_id: str, text: str) -> list[dict]:
    """Send one typed message and return the assistant's messages."""
    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}
    )
    response.raise_for_status()
    reply = response.json()
    if reply.get("assistant_unavailable"):
        raise RuntimeError(
            "The gateway returned its fallback reply because the Rasa turn "
            "failed; see var/log/rasa.log."
        )
    messages: list[dict] = reply["messages"]
    return messages


def open_conversation(client: httpx.Client) -> str:
    response = client.post("/api/chat/conversations")
    response.raise_for_status()
    conversation_id: str = response.json()["conversation_id"]
    return conversation_id


def rss_kib(pid: int) -> int:
    """Return the resident set size of a process in KiB, 0 if it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_cpu_seconds(pid: int) -> float:
    return cpu_seconds(pid) + sum(cpu_seconds(child) for child in descendants(pid))


def descendants(pid: int) -> list[int]:
    """Return the ids of the children of `pid`, and theirs, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        children = parents.get(pending.pop(), [])
        found.extend(children)
        pending.extend(children)
    return found


def print_widget_sizes() -> None:
    """Print raw and gzip-compressed sizes of the widget's JavaScript and CSS."""
    files = sorted([*WIDGET_DIR.glob("*.js"), *WIDGET_DIR.glob("*.css")])
    if not files:
        print("widget: no *.js or *.css files in widget/")
        return
    print(f"{'widget file':<16}{'bytes':>9}{'gzip -9':>9}")
    raw_total = compressed_total = 0
    for path in files:
        raw = path.read_bytes()
        compressed = len(gzip.compress(raw, compresslevel=9))
        raw_total += len(raw)
        compressed_total += compressed
        print(f"{path.name:<16}{len(raw):>9}{compressed:>9}")
    print(f"{'total':<16}{raw_total:>9}{compressed_total:>9}")


def main() -> int:
    # Line by line, so that figures and log lines on standard error interleave whole.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(f"date (UTC): {datetime.now(UTC):%Y-%m-%d %H:%M}")
    reference = tensorflow_import_seconds()

    with tempfile.TemporaryDirectory(prefix="sos-bench-") as directory:
        database_url = f"sqlite:///{Path(directory) / 'directory.db'}"
        seed_database(database_url)
        stack = Stack(ports=BENCH_PORTS, database_url=database_url)
        try:
            started = time.perf_counter()
            stack.start()
            ready = time.perf_counter() - started
            with httpx.Client(base_url=stack.directory_url, timeout=60.0) as client:
                conversation_id = open_conversation(client)
                first, answer = CONVERSATIONS[0]
                if not send_turn(client, conversation_id, first):
                    raise RuntimeError(
                        "The first message returned no messages; see var/log/rasa.log."
                    )
                cold_start = time.perf_counter() - started
                send_turn(client, conversation_id, answer)
                wait_until_idle([process.pid for process in stack.processes.values()])
                before = {
                    name: tree_cpu_seconds(process.pid)
                    for name, process in stack.processes.items()
                }
                for first, answer in CONVERSATIONS[1:] * CPU_ROUNDS:
                    conversation_id = open_conversation(client)
                    send_turn(client, conversation_id, first)
                    send_turn(client, conversation_id, answer)
                measured_turns = 2 * (len(CONVERSATIONS) - 1) * CPU_ROUNDS
                # The log of the last turns is stored after their replies.
                wait_until_idle([process.pid for process in stack.processes.values()])
                cpu_per_turn = {
                    name: (tree_cpu_seconds(process.pid) - before[name])
                    / measured_turns
                    for name, process in stack.processes.items()
                }

            print(f"import tensorflow (Rasa environment): {reference:6.1f} s")
            print(f"stack ready (health checks pass):     {ready:6.1f} s")
            print(f"first answered message:               {cold_start:6.1f} s")
            print(
                f"cold start / import tensorflow:       {cold_start / reference:6.1f}"
            )
            print()
            print(
                f"after {2 + measured_turns} turns: resident memory, and CPU time "
                f"per turn over the last {measured_turns} (sequential) turns"
            )
            print(
                f"{'process':<12}{'RSS MiB':>10}{'with children':>15}"
                f"{'CPU ms/turn':>13}"
            )
            total = 0
            for name, process in stack.processes.items():
                own = rss_kib(process.pid)
                tree = own + sum(rss_kib(child) for child in descendants(process.pid))
                total += tree
                print(
                    f"{name:<12}{own / 1024:>10.0f}{tree / 1024:>15.0f}"
                    f"{cpu_per_turn[name] * 1000:>13.0f}"
                )
            print(
                f"{'total':<12}{'':>10}{total / 1024:>15.0f}"
                f"{sum(cpu_per_turn.values()) * 1000:>13.0f}"
            )
        finally:
            stack.stop()

    print()
    print_widget_sizes()
    return 0


if __name__ == "__main__":
    sys.exit(main())
