"""The donations Celery app (worker: -Q donations,donations.relay)."""
from services.donations.handlers import HANDLERS
from shared.bus.celery_app import make_celery

app = make_celery("donations", HANDLERS)
