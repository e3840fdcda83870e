"""The event bus: Celery on Redis, one queue and one consume task per service."""
