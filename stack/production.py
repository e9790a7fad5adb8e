"""The production set-up on one machine: several Rasa servers on shared engines.

The directory service stores the directory and the conversation logs in
PostgreSQL, and keeps its rate limits in Redis. The Rasa servers keep
conversations in Redis (tracker store with expiry and lock store) and send
events to RabbitMQ, which the directory service consumes. Each Rasa server has
an action server of its own. docs/deployment.md describes the same set-up
spread over several hosts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from stack.launcher import REPO_ROOT, Ports, Stack

PRODUCTION_ENDPOINTS = REPO_ROOT / "bot" / "endpoints-production.yml"


@dataclass(frozen=True)
class SharedServers:
    """Addresses of the Redis and RabbitMQ servers that every process shares."""

    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 0
    redis_password: str = ""
    rabbitmq_host: str = "127.0.0.1"
    rabbitmq_port: int = 5672
    rabbitmq_username: str = "guest"
    rabbitmq_password: str = "guest"

    @property
    def redis_url(self) -> str:
        """Redis URL for the directory service's shared rate limits."""
        password = f":{self.redis_password}@" if self.redis_password else ""
        return f"redis://{password}{self.redis_host}:{self.redis_port}/{self.redis_db}"

    @property
    def rabbitmq_url(self) -> str:
        """AMQP URL for the directory service's consumer."""
        return (
            f"amqp://{self.rabbitmq_username}:{self.rabbitmq_password}"
            f"@{self.rabbitmq_host}:{self.rabbitmq_port}/"
        )


def production_stack(
    ports: Ports,
    database_url: str,
    name: str,
    servers: SharedServers | None = None,
    replicas: int = 2,
    tracker_expiry_seconds: int = 3600,
) -> Stack:
    """Return a stack of `replicas` Rasa and action servers on shared engines.

    `database_url` points at PostgreSQL. `name`, letters and digits only, keeps
    this stack's Redis keys, RabbitMQ exchange and queue apart from any other.
    """
    if not name.isalnum():
        raise ValueError(
            f"The stack name {name!r} must be letters and digits only, because "
            "Rasa ignores a Redis key prefix with other characters"
        )
    servers = servers or SharedServers()
    environment = {
        "SOS_REDIS_HOST": servers.redis_host,
        "SOS_REDIS_PORT": str(servers.redis_port),
        "SOS_REDIS_DB": str(servers.redis_db),
        "SOS_REDIS_PASSWORD": servers.redis_password,
        "SOS_REDIS_KEY_PREFIX": name,
        "SOS_TRACKER_EXPIRY_SECONDS": str(tracker_expiry_seconds),
        "SOS_RABBITMQ_HOST": servers.rabbitmq_host,
        "SOS_RABBITMQ_PORT": str(servers.rabbitmq_port),
        "SOS_RABBITMQ_USERNAME": servers.rabbitmq_username,
        "SOS_RABBITMQ_PASSWORD": servers.rabbitmq_password,
        "SOS_RABBITMQ_EXCHANGE": f"{name}-events",
        "SOS_LOG_RABBITMQ_URL": servers.rabbitmq_url,
        "SOS_LOG_RABBITMQ_QUEUE": f"{name}-events",
        "SOS_RATE_LIMIT_REDIS_URL": servers.redis_url,
        "SOS_RATE_LIMIT_REDIS_PREFIX": f"{name}:ratelimit",
        "SOS_RATE_LIMIT_KEY_SECRET": secrets.token_hex(16),
    }
    return Stack(
        ports=ports,
        database_url=database_url,
        endpoints=PRODUCTION_ENDPOINTS,
        replicas=replicas,
        extra_environment=environment,
    )
