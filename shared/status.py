"""What `bookcross status` reports, gathered from the services, Redis and the databases."""
from __future__ import annotations

import json
import urllib.request

import redis
from sqlalchemy import func, select

from shared import config, db
from shared.bus.subscriptions import relay_queue
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
        report["workers"] = _workers()
        for service, info in report["services"].items():
            info["workers"] = sum(1 for name in report["workers"] if name.startswith(service + "@"))
    return report


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
