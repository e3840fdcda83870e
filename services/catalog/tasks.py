"""The catalog Celery app (worker: -Q catalog,catalog.relay)."""
from services.catalog.handlers import HANDLERS
from shared.bus.celery_app import make_celery

app = make_celery("catalog", HANDLERS)

PUBLISH_NEEDS_TASK = "bookcross.catalog.publish_needs"


@app.task(name=PUBLISH_NEEDS_TASK, ignore_result=True, acks_late=False)
def publish_needs() -> bool:
    """Tell the assistant (donations) where books are needed, when that changed."""
    from services.catalog import assistant_feed

    return assistant_feed.publish_if_changed()
