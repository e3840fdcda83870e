"""How a service's outbox events become messages in their subscribers' queues.

An event goes to each subscriber as one task message for that subscriber's consume task,
exactly the message Celery's `send_task` would write to Redis (protocol 2, in kombu's Redis
envelope). Celery and kombu build such a message with machinery a relay does not need: routing,
declaring the queue again for every message (copying the queue object to bind it), signals, the
retry policy, the producer pool. In the relay of one offer's two events that was two thirds of
the relay's CPU. So the message for each subscriber is made once, by Celery itself
(`as_task_v2`), as a template; each event only fills in its ids and its body, and a claim's
messages go to Redis in one pipelined round trip. `tests/integration/test_outbox.py` holds the
template to what `send_task` writes, so an upgrade of Celery that changes its protocol fails
there, not in production.
"""
from __future__ import annotations

import base64
import json
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from celery import Celery
from redis.backoff import NoBackoff
from redis.retry import Retry

from shared import config
from shared.bus.settings import celery_settings
from shared.bus.subscriptions import consume_task_name
from shared.outbox.relay import set_publisher


@dataclass(frozen=True)
class _Template:
    headers: dict
    properties: dict
    embed: dict


class TaskMessages:
    """The consume-task message of an event for a subscriber, made from Celery's own template."""

    def __init__(self, app: Celery):
        self.app = app
        self._templates: dict[tuple[int, str], _Template] = {}

    def encode(self, subscriber: str, envelope: dict) -> str:
        template = self._templates.get((os.getpid(), subscriber)) or self._template(subscriber)
        task_id = f"{envelope['event_id']}:{subscriber}"
        headers = {**template.headers, "id": task_id, "root_id": task_id,
                   # Celery would otherwise render the whole envelope for its logs.
                   "argsrepr": f"({envelope['type']} {envelope['event_id']})"}
        body = json.dumps([[envelope], {}, template.embed]).encode()
        properties = {**template.properties, "correlation_id": task_id, "delivery_tag": str(uuid.uuid4())}
        return json.dumps({"body": base64.b64encode(body).decode("ascii"), "content-encoding": "utf-8",
                           "content-type": "application/json", "headers": headers, "properties": properties})

    def _template(self, subscriber: str) -> _Template:
        # The origin names this process (gen<pid>@host): a forked child makes its own.
        message = self.app.amqp.as_task_v2(None, consume_task_name(subscriber), args=(), kwargs={},
                                           reply_to=self.app.thread_oid, argsrepr="", kwargsrepr="{}",
                                           ignore_result=None)
        _args, _kwargs, embed = message.body
        properties = {**message.properties, "delivery_mode": 2,  # persistent, as Celery sends it
                      "delivery_info": {"exchange": "", "routing_key": subscriber}, "priority": 0,
                      "body_encoding": "base64"}
        template = _Template(headers=message.headers, properties=properties, embed=embed)
        self._templates[(os.getpid(), subscriber)] = template
        return template


def install_publisher(service: str):
    """How this process sends `service`'s outbox events to their subscribers' queues (the relay
    and `bookcross events replay` use it); registered for the after-commit nudge.

    The publisher gives up at the first refused or timed-out connection instead of retrying:
    the outbox keeps the event, and the sweep sends it when Redis is back."""
    messages = TaskMessages(_publisher_app(service))
    client = redis.Redis.from_url(config.redis_url(), socket_connect_timeout=2, socket_timeout=5,
                                  health_check_interval=10, retry=Retry(NoBackoff(), 0))

    @contextmanager
    def batch():
        """The relay's way: the messages of a claim go to Redis together, in one pipeline, when
        the block ends (nothing is sent if it raises)."""
        pipeline = client.pipeline(transaction=False)
        yield lambda subscriber, envelope: pipeline.lpush(subscriber, messages.encode(subscriber, envelope))
        pipeline.execute()

    def publish(subscriber: str, envelope: dict) -> None:
        with batch() as send:
            send(subscriber, envelope)

    publish.batch = batch
    publish.messages = messages
    set_publisher(service, publish)
    return publish


def _publisher_app(service: str) -> Celery:
    """The Celery app whose protocol the messages follow (the same settings as the workers')."""
    app = Celery(f"bookcross.{service}.publisher", broker=config.redis_url(), set_as_current=False)
    app.conf.update(celery_settings(default_queue=service))
    return app
