"""Starts and stops the three processes of the assistant on one machine.

The action server and Rasa run from the Python 3.10 environment, the directory
service from the Python 3.11 one. Rasa and the action server listen on
127.0.0.1 only; Rasa's HTTP API requires a token.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = REPO_ROOT / ".venvs" / "rasa" / "bin"
SERVICE_BIN = REPO_ROOT / ".venvs" / "service" / "bin"
MODEL_PATH = REPO_ROOT / "models" / "assistant.tar.gz"
ENDPOINTS_PATH = REPO_ROOT / "bot" / "endpoints.yml"
ACTIONS_LOGGING_PATH = REPO_ROOT / "bot" / "logging-actions.yml"
LOG_DIR = REPO_ROOT / "var" / "log"

# Rasa loads TensorFlow and the model before it replies: about 30 seconds on the
# 2-core development machine. The limit leaves room for a slower one.
START_TIMEOUT_SECONDS = 180.0


class StackError(RuntimeError):
    """A process of the stack failed to start or stopped unexpectedly."""


@dataclass
class Ports:
    """Loopback ports of the processes.

    With several replicas, replica n (from 0) of Rasa and of the action server
    listens on the port given here plus n.
    """

    directory: int = 8000
    rasa: int = 5005
    actions: int = 5055


@dataclass
class Stack:
    """The running processes, their ports and the Rasa and log ingest tokens.

    `endpoints` is Rasa's endpoints file (the RabbitMQ and production set-ups
    pass their own), `replicas` is the number of Rasa servers, each with an
    action server of its own, and `extra_environment` is added to the
    environment of every process. One replica's processes are named "rasa" and
    "actions"; further replicas add "-2", "-3" and so on.
    """

    ports: Ports = field(default_factory=Ports)
    database_url: str | None = None
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    log_ingest_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    endpoints: Path = ENDPOINTS_PATH
    replicas: int = 1
    extra_environment: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def directory_url(self) -> str:
        """Base URL of the directory service."""
        return f"http://127.0.0.1:{self.ports.directory}"

    @property
    def rasa_url(self) -> str:
        """Base URL of the first Rasa server."""
        return self.rasa_urls[0]

    @property
    def rasa_urls(self) -> list[str]:
        """Base URLs of the Rasa servers, one per replica."""
        return [
            f"http://127.0.0.1:{self.ports.rasa + replica}"
            for replica in range(self.replicas)
        ]

    @property
    def action_server_urls(self) -> list[str]:
        """Base URLs of the action servers, one per replica."""
        return [
            f"http://127.0.0.1:{self.ports.actions + replica}"
            for replica in range(self.replicas)
        ]

    def environment(self) -> dict[str, str]:
        """Return the environment shared by the processes."""
        env = dict(os.environ)
        env.update(
            {
                "PYTHONPATH": str(REPO_ROOT),
                "RASA_TELEMETRY_ENABLED": "false",
                # Rasa writes text records, which the privacy filter does not
                # change, when standard error is a terminal.
                "FORCE_JSON_LOGGING": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SANIC_HOST": "127.0.0.1",
                "SOS_RASA_URLS": ",".join(self.rasa_urls),
                "SOS_ACTION_SERVER_URLS": ",".join(self.action_server_urls),
                "SOS_RASA_TOKEN": self.rasa_token,
                "SOS_DIRECTORY_URL": self.directory_url,
                "SOS_LOG_INGEST_URL": f"{self.directory_url}/api/logs/events",
                "SOS_LOG_INGEST_TOKEN": self.log_ingest_token,
            }
        )
        env.update(self.extra_environment)
        if self.database_url:
            env["SOS_DATABASE_URL"] = self.database_url
        return env

    def start(self) -> None:
        """Start the action servers, Rasa and the directory service, then wait."""
        if not MODEL_PATH.exists():
            raise StackError(
                f"Trained model not found at {MODEL_PATH}: run `make train` first."
            )

        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for replica in range(self.replicas):
            self._spawn(process_name("actions", replica))
            self._spawn(process_name("rasa", replica))
        self._spawn("directory")

        for name in self._names():
            self._wait_until_ready(name)

    def stop(self) -> None:
        """Stop every process, politely first, then by force.

        The Rasa servers stop first: each posts the conversation events that
        its event broker has not sent yet to the directory service, which must still
        be running to store them.
        """
        rasa = [
            name for name in self.processes if parse_process_name(name)[0] == "rasa"
        ]
        others = [name for name in self.processes if name not in rasa]
        for group in (rasa, others):
            self._terminate([(name, self.processes[name]) for name in group])

        self.processes.clear()

    @staticmethod
    def _terminate(processes: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
        """Send SIGTERM to every process, then wait for each, killing it at 15 s."""
        for _, process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

        for name, process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                logger.warning("Process %s did not stop in 15 s; killing it.", name)
                process.kill()
                process.wait()

    def stop_process(self, name: str) -> None:
        """Stop one process, to test how the others cope without it."""
        process = self.processes[name]
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            logger.warning("Process %s did not stop in 15 s; killing it.", name)
            process.kill()
            process.wait()
        del self.processes[name]

    def start_process(self, name: str) -> None:
        """Start one stopped process again and wait until it is ready."""
        if name in self.processes:
            raise StackError(f"Process {name} is already running")
        self._spawn(name)
        self._wait_until_ready(name)

    def _names(self) -> list[str]:
        names = ["directory"]
        for replica in range(self.replicas):
            names += [process_name("actions", replica), process_name("rasa", replica)]
        return names

    def _command(self, name: str) -> list[str]:
        kind, replica = parse_process_name(name)
        if kind == "actions":
            return [
                str(RASA_BIN / "python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(self.ports.actions + replica),
                # Reduces the tracebacks of failed actions to exception types
                # and code locations, as bot/logging.yml does for Rasa. The
                # underscore is rasa_sdk 3.6's spelling of the option.
                "--logging-config_file",
                str(ACTIONS_LOGGING_PATH),
            ]
        if kind == "rasa":
            return [
                str(RASA_BIN / "python"),
                "-m",
                "rasa_runtime",
                "run",
                "--model",
                str(MODEL_PATH),
                "--enable-api",
                # One argument, because a random token can start with "-",
                # which argparse would read as an option.
                f"--auth-token={self.rasa_token}",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.ports.rasa + replica),
                "--endpoints",
                str(self.endpoints),
                "--credentials",
                str(REPO_ROOT / "bot" / "credentials.yml"),
                "--logging-config-file",
                str(REPO_ROOT / "bot" / "logging.yml"),
            ]
        return [
            str(SERVICE_BIN / "python"),
            "-m",
            "uvicorn",
            "directory.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.ports.directory),
            "--no-access-log",
        ]

    def _ready_url(self, name: str) -> str:
        kind, replica = parse_process_name(name)
        if kind == "actions":
            return f"{self.action_server_urls[replica]}/health"
        if kind == "rasa":
            return f"{self.rasa_urls[replica]}/status?token={self.rasa_token}"
        return f"{self.directory_url}/health"

    def _port(self, name: str) -> int:
        kind, replica = parse_process_name(name)
        if kind == "actions":
            return self.ports.actions + replica
        if kind == "rasa":
            return self.ports.rasa + replica
        return self.ports.directory

    def _spawn(self, name: str) -> None:
        port = self._port(name)
        if not port_is_free(port):
            # Otherwise the readiness check would take any server listening on
            # the port, such as one left over from an earlier run, for this one.
            raise StackError(
                f"Port {port} for {name} is already in use on 127.0.0.1: stop the "
                "process that uses it"
            )
        env = self.environment()
        kind, replica = parse_process_name(name)
        # Each Rasa server calls the action server of its own replica.
        env["SOS_ACTION_SERVER_URL"] = f"{self.action_server_urls[replica]}/webhook"
        log_file = (LOG_DIR / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            self._command(name),
            cwd=REPO_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logger.info("Started %s (pid %s).", name, self.processes[name].pid)

    def _wait_until_ready(self, name: str) -> None:
        url = self._ready_url(name)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS

        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise StackError(
                    f"Process {name} exited with code "
                    f"{self.processes[name].returncode}: see {LOG_DIR / name}.log"
                )
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)

        raise StackError(
            f"Process {name} was not ready after {START_TIMEOUT_SECONDS:.0f} s: "
            f"see {LOG_DIR / name}.log"
        )


def port_is_free(port: int) -> bool:
    """Return whether a server could listen on 127.0.0.1:`port` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def process_name(kind: str, replica: int) -> str:
    """Return the name of replica `replica` (from 0) of "rasa" or "actions"."""
    return kind if replica == 0 else f"{kind}-{replica + 1}"


def parse_process_name(name: str) -> tuple[str, int]:
    """Split a process name into its kind and replica index (from 0)."""
    kind, _, number = name.partition("-")
    if kind not in ("rasa", "actions", "directory") or (
        number and not number.isdigit()
    ):
        raise StackError(f"No process is called {name!r}")
    return kind, int(number) - 1 if number else 0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    """Turn SIGTERM into the same clean stop as Ctrl+C."""
    raise KeyboardInterrupt


def run_forever() -> None:
    """Start the stack, print the URL to open, and stop on Ctrl+C or SIGTERM.

    The three processes run in process groups of their own, so a SIGTERM to the
    launcher alone would leave them running without this handler.
    """
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    stack = Stack()
    print("Starting the assistant (Rasa takes about half a minute to load)...")

    try:
        stack.start()
        print(f"\nSpeak Out Space is running: open {stack.directory_url}/\n")
        print("Press Ctrl+C to stop.")
        while all(process.poll() is None for process in stack.processes.values()):
            time.sleep(1)
        print("A process stopped unexpectedly: see the logs in var/log/.")
        stack.stop()
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nStopping...")
    except StackError as exc:
        print(f"The assistant failed to start: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        stack.stop()
