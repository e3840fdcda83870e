"""The catalog Celery app (worker: -Q catalog,catalog.relay)."""
from services.catalog.handlers import HANDLERS
from shared.bus.celery_app import make_celery

app = make_celery("catalog", HANDLERS)

from services.catalog import assistant_feed  # noqa: E402

publish_needs = assistant_feed.register_task(app)


from services.catalog.beat import REPORTS_CATCH_UP_TASK  # noqa: E402
from services.catalog.services import reports  # noqa: E402


@app.task(name=REPORTS_CATCH_UP_TASK, ignore_result=True, acks_late=False)
def reports_catch_up() -> int:
    """The periodic tick: count the copies moved since the last one (reports.catch_up)."""
    return reports.catch_up()
