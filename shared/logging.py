"""Structured JSON logs (structlog) carrying request ids and event ids."""
from __future__ import annotations

import logging
import sys

import structlog

from shared import config

_configured = False


def configure_logging(service: str | None = None) -> None:
    global _configured
    if _configured:
        return
    level = getattr(logging, (config.env("LOG_LEVEL") or "INFO").upper(), logging.INFO)
    shared_processors = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if service:
        shared_processors.append(lambda _l, _m, ev: {**ev, "service": ev.get("service", service)})
    structlog.configure(
        # Drop filtered-out records before any work is done on them.
        processors=[structlog.stdlib.filter_by_level] + shared_processors + [structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,  # a traceback as text, not an object's repr
                    structlog.processors.JSONRenderer(ensure_ascii=False)],
        foreign_pre_chain=shared_processors,
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Celery's own two lines per task ("received", "succeeded in …") only when debugging, like
    # the consumer's own line per handled event (processed_events records each one).
    for name in ("celery.worker.strategy", "celery.app.trace"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING) if level > logging.DEBUG else level)
    _configured = True
