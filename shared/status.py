"""What `bookcross status` reports, gathered from the services, Redis and the databases."""
from __future__ import annotations

import json
import time
import urllib.request
import uuid

import redis
from sqlalchemy import func, select

from shared import config, db
from shared.bus.periodic import beat_alive
from shared.bus.subscriptions import probe_task_name, relay_queue
from shared.models import DeadLetter, OutboxEvent


def _web(service: str) -> str:
    try:
        with urllib.request.urlopen(f"{config.service_url(service)}/readyz", timeout=2) as resp:
            return json.load(resp).get("status", "?")
    except urllib.error.HTTPError as exc:
        return "not ready" if exc.code == 503 else f"http {exc.code}"
    except Exception:
        return "down"


def network_status() -> dict:
    url = config.redis_url()
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    report = {"redis": {"url": url, "status": "ok"}, "services": {}}
    try:
        client.ping()
    except redis.RedisError as exc:
        report["redis"]["status"] = f"down ({type(exc).__name__})"
        client = None
    for service in config.SERVICES:
        info = {"web": _web(service), "queue": "?", "workers": "?",
                "outbox_pending": "?", "outbox_dead": "?", "dead_letters": "?"}
        if client is not None:
            info["queue"] = client.llen(service) + client.llen(relay_queue(service))
        try:
            with db.session_scope(service) as session:
                counts = dict(session.execute(select(OutboxEvent.status, func.count())
                                              .group_by(OutboxEvent.status)).all())
                info["outbox_pending"] = counts.get("pending", 0)
                info["outbox_dead"] = counts.get("dead", 0)
                info["dead_letters"] = session.scalar(
                    select(func.count()).select_from(DeadLetter).where(DeadLetter.replayed_at.is_(None)))
        except Exception as exc:
            info["outbox_pending"] = f"db error ({type(exc).__name__})"
        report["services"][service] = info
    if client is not None:
        report["beat"] = "alive" if beat_alive(client) else "silent (workers send their own periodic tasks)"
        report["workers"] = _workers()
        for service, info in report["services"].items():
            info["workers"] = sum(1 for name in report["workers"] if name.split("@")[0].startswith(service))
        for service, answer in _probes(client).items():
            report["services"][service]["round_trip"] = answer
    return report


def _probes(client, timeout: float = 5.0) -> dict[str, str]:
    """A real round trip through each service's own queue: `inspect ping` is answered by a
    worker that no longer consumes anything (celery/celery#10205); this is not."""
    from celery import Celery

    from shared.bus.settings import celery_settings

    app = Celery("bookcross.status", broker=config.redis_url(), set_as_current=False)
    app.conf.update(celery_settings(default_queue="status"))
    sent = {}
    for service in config.SERVICES:
        token = uuid.uuid4().hex
        try:
            app.send_task(probe_task_name(service), args=[token], queue=service, expires=timeout * 2)
            sent[service] = (token, time.monotonic())
        except Exception as exc:
            sent[service] = (None, f"not sent ({type(exc).__name__})")
    answers = {s: v[1] for s, v in sent.items() if v[0] is None}
    deadline = time.monotonic() + timeout
    while len(answers) < len(sent) and time.monotonic() < deadline:
        for service, (token, started) in sent.items():
            if service not in answers and token and client.exists(f"bookcross:probe:{token}"):
                answers[service] = f"{(time.monotonic() - started) * 1000:.0f} ms"
        time.sleep(0.02)
    for service in sent:
        answers.setdefault(service, f"no answer in {timeout:.0f} s")
    app.close()
    return answers


def _workers() -> list[str]:
    from celery import Celery

    from shared.bus.settings import celery_settings

    app = Celery("bookcross.status", broker=config.redis_url(), set_as_current=False)
    app.conf.update(celery_settings(default_queue="status"))
    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception:
        return []
    return [name for reply in replies for name in reply]
