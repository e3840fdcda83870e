"""The donations Celery app (worker: -Q donations,donations.relay)."""
from services.donations.beat import FORGET_TASK
from services.donations.handlers import HANDLERS
from shared.bus.celery_app import make_celery

app = make_celery("donations", HANDLERS)



@app.task(name=FORGET_TASK, ignore_result=True, acks_late=False)
def assistant_forget() -> int:
    """Questions answered more than ASSISTANT_KEEP_DAYS ago keep no words and no address."""
    from services.donations.assistant import services

    return services.forget_old()
