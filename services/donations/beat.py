"""What beat sends to donations besides every service's sweeps: the consultation assistant's
forgetting of old questions (an entry point of `bookcross.periodic` in pyproject.toml)."""
from __future__ import annotations

from shared.bus.periodic import Periodic

FORGET_TASK = "bookcross.donations.assistant_forget"


def periodic_tasks() -> list[Periodic]:
    return [Periodic("donations-assistant-forget", FORGET_TASK, "donations", 3600.0)]
