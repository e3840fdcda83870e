"""The notifications Celery app (worker: -Q notifications,notifications.relay)."""
from services.notifications.handlers import HANDLERS
from shared.bus.celery_app import make_celery

app = make_celery("notifications", HANDLERS)
