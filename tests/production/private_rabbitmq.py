"""A RabbitMQ node of the test's own, so that a test can stop its event broker.

It runs the machine's RabbitMQ as a second node, `sosprivate@localhost`, with a
listener on 127.0.0.1 only and its data, logs and configuration in a folder
under /tmp. The node shares the machine's epmd and Erlang cookie, so
`rabbitmqctl -n sosprivate@localhost` can stop it. As root, Debian's
`rabbitmq-server` runs the node as the `rabbitmq` user, which must own the
folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

NODE_NAME = "sosprivate@localhost"
START_TIMEOUT_SECONDS = 60.0


class PrivateRabbitMQ:
    """One RabbitMQ node listening on 127.0.0.1:`port` with no plugins."""

    def __init__(self, port: int, distribution_port: int) -> None:
        self.port = port
        self.distribution_port = distribution_port
        self.directory = Path(tempfile.mkdtemp(prefix="sos-rabbitmq-"))
        (self.directory / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{port}\n", encoding="utf-8"
        )
        # No plugins: the machine's node may already use the management port.
        (self.directory / "enabled_plugins").write_text("[].\n", encoding="utf-8")
        for name in ("mnesia", "log"):
            (self.directory / name).mkdir()
        if os.geteuid() == 0:
            for path in (self.directory, *self.directory.rglob("*")):
                shutil.chown(path, user="rabbitmq", group="rabbitmq")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the node and wait until it accepts connections on its port."""
        environment = {
            **os.environ,
            "RABBITMQ_NODENAME": NODE_NAME,
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq.conf"),
            "RABBITMQ_DIST_PORT": str(self.distribution_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(self.directory / "node.pid"),
        }
        self.process = subprocess.Popen(
            ["rabbitmq-server"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._accepts_connections():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"RabbitMQ node {NODE_NAME} exited with code "
                    f"{self.process.returncode}; see {self.directory / 'log'}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"RabbitMQ node {NODE_NAME} did not listen on port {self.port} "
                    f"within {START_TIMEOUT_SECONDS} s; see {self.directory / 'log'}"
                )
            time.sleep(0.25)

    def stop(self) -> None:
        """Stop the node and wait for its process to exit."""
        if self.process is None:
            return
        subprocess.run(
            ["rabbitmqctl", "-n", NODE_NAME, "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        """Stop the node and delete its folder."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _accepts_connections(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False
