"""Prometheus metrics.

Counters and histograms live in the process that observes them; with several
gunicorn or Celery processes set PROMETHEUS_MULTIPROC_DIR (bookcross up does) so
/metrics adds them up. Backlogs are read from the service database at scrape
time, so they are right whichever process wrote the rows.
"""
from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from shared import config

REQUESTS = Counter("bookcross_http_requests_total", "HTTP requests",
                   ["service", "method", "endpoint", "status"])
LATENCY = Histogram("bookcross_http_request_seconds", "HTTP request latency",
                    ["service", "endpoint"],
                    buckets=(.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
EVENTS_HANDLED = Counter("bookcross_events_handled_total", "Events seen by consumers",
                         ["consumer", "outcome"])


class BusCollector:
    """Outbox backlog, dead outbox rows and dead letters, straight from the database."""

    def __init__(self, service: str):
        self.service = service

    def collect(self):
        from shared import db
        from shared.models import DeadLetter, OutboxEvent

        outbox = GaugeMetricFamily("bookcross_outbox_events", "Outbox rows by status",
                                   labels=["service", "status"])
        dead = GaugeMetricFamily("bookcross_dead_letters", "Dead letters not yet replayed",
                                 labels=["service"])
        try:
            with db.session_scope(self.service) as session:
                counts = dict(session.execute(
                    select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)).all())
                dead_count = session.scalar(select(func.count()).select_from(DeadLetter)
                                            .where(DeadLetter.replayed_at.is_(None)))
        except Exception:
            return
        for status in ("pending", "sent", "dead"):
            outbox.add_metric([self.service, status], counts.get(status, 0))
        dead.add_metric([self.service], dead_count or 0)
        yield outbox
        yield dead


def render(service: str) -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if config.env("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, EVENTS_HANDLED):
            registry.register(collector)
    registry.register(BusCollector(service))
    return generate_latest(registry), CONTENT_TYPE_LATEST
