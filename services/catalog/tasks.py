"""The catalog Celery app (worker: -Q catalog,catalog.relay)."""
from services.catalog.handlers import HANDLERS
from shared.bus.celery_app import make_celery

app = make_celery("catalog", HANDLERS)

from services.catalog import assistant_feed  # noqa: E402
from services.catalog.services import reports  # noqa: E402

publish_needs = assistant_feed.register_task(app)

reports_catch_up = reports.register_task(app)
