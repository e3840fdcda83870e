"""What beat sends to catalog besides every service's sweeps: telling the consultation assistant
where books are needed, when that changed (an entry point of `bookcross.periodic` in
pyproject.toml)."""
from __future__ import annotations

from services.catalog import config
from shared.bus.periodic import Periodic

PUBLISH_NEEDS_TASK = "bookcross.catalog.publish_needs"


def periodic_tasks() -> list[Periodic]:
    return [Periodic("catalog-needs", PUBLISH_NEEDS_TASK, "catalog", config.assistant_needs_seconds())]
