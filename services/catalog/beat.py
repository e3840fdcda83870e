"""What beat sends to catalog besides every service's sweeps: counting the copies moved since
the last tick in the reports, and telling the consultation assistant where books are needed,
when that changed (an entry point of `bookcross.periodic` in pyproject.toml)."""
from __future__ import annotations

from services.catalog import config
from shared.bus.periodic import Periodic

PUBLISH_NEEDS_TASK = "bookcross.catalog.publish_needs"
REPORTS_CATCH_UP_TASK = "bookcross.catalog.reports_catch_up"


def periodic_tasks() -> list[Periodic]:
    return [Periodic("catalog-reports", REPORTS_CATCH_UP_TASK, "catalog", config.reports_catch_up_seconds()),
            Periodic("catalog-needs", PUBLISH_NEEDS_TASK, "catalog", config.assistant_needs_seconds())]
