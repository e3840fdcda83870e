"""What beat sends to notifications besides every service's sweeps: the delivery loop's tick, and
the consultation assistant's forgetting of quiet Telegram conversations (registered in
pyproject.toml as an entry point of `bookcross.periodic`). Kept small: beat and the other
services' workers load it without loading notifications' Celery app."""
from __future__ import annotations

from services.notifications import config
from shared.bus.periodic import Periodic

DELIVER_TASK = "bookcross.notifications.deliver"
ASSISTANT_FORGET_TASK = "bookcross.notifications.assistant_forget"


def periodic_tasks() -> list[Periodic]:
    return [Periodic("notifications-deliver", DELIVER_TASK, "notifications", config.tick_seconds()),
            Periodic("notifications-assistant-forget", ASSISTANT_FORGET_TASK, "notifications", 3600.0)]
