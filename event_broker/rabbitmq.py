"""Rasa 3.6's RabbitMQ event broker, publishing transient messages.

Rasa's `PikaEventBroker` publishes every event as a persistent message. RabbitMQ
then writes the raw event, visitor text included, into the queue's index on
disk, where it stays after the message is consumed (seen with RabbitMQ 3.10.8
on a durable classic queue). This subclass changes only the delivery mode: the
messages stay in RabbitMQ's memory. The queue is still declared durable, as
Rasa declares it, so the queue itself survives a restart of RabbitMQ but the
events in it do not.

NOTE: RabbitMQ pages transient messages out to its transient store on disk
when it runs short of memory; that store is wiped when RabbitMQ restarts.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

import aio_pika
from rasa.core.brokers.pika import PikaEventBroker
from rasa.shared.utils.io import DEFAULT_ENCODING


class TransientPikaEventBroker(PikaEventBroker):
    """`PikaEventBroker` whose messages RabbitMQ keeps in memory only."""

    def _message(
        self, event: Dict[str, Any], headers: Optional[Dict[str, str]]
    ) -> aio_pika.Message:
        body = json.dumps(event)
        return aio_pika.Message(
            bytes(body, DEFAULT_ENCODING),
            headers=headers,
            app_id=self.rasa_environment,
            delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
        )
