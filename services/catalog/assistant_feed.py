"""What catalog tells the consultation assistant (in donations) about where books are needed:
the centres with shelves and how much each needs books, the oblasts greatest need first and
their wish lists — the same figures as the public needs page (`needs.needs`). A periodic tick
(ASSISTANT_NEEDS_SECONDS) publishes `catalog.needs_changed` only when they changed."""
from __future__ import annotations

import hashlib
import json

from services.catalog.assistant_models import PublishedDigest
from services.catalog.beat import PUBLISH_NEEDS_TASK
from services.catalog.services import needs
from shared import db
from shared.models import utcnow
from shared.outbox import add_event

SERVICE = "catalog"
NAME = "needs"


def snapshot() -> dict:
    data = needs.needs()
    centres = [{"code": c["code"], "name": c["name"], "settlement": c["settlement"], "oblast": o["oblast"],
                "address": c["address"], "level": c["level"]}
               for o in data["oblasts"] for c in o["centres"]]
    oblasts = [{"oblast": o["oblast"], "level": o["level"], "priority": o["priority"], "wishes": o["wishes"]}
               for o in data["oblasts"]]
    return {"centres": centres, "oblasts": oblasts, "wish_kinds": data["wish_kinds"]}


def publish_if_changed() -> bool:
    payload = snapshot()
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    with db.session_scope(SERVICE) as session:
        db.insert_ignoring_duplicates(session, PublishedDigest.__table__,
                                      {"name": NAME, "digest": "", "published_at": utcnow()})
        row = session.get(PublishedDigest, NAME, with_for_update=True, populate_existing=True)
        if row.digest == digest:
            return False
        row.digest, row.published_at = digest, utcnow()
        add_event(session, "catalog.needs_changed", {"digest": digest, **payload}, producer=SERVICE)
        return True


TASK = PUBLISH_NEEDS_TASK  # a periodic task (beat.py)


def register_task(app):
    """The periodic tick on catalog's Celery app (services/catalog/tasks.py)."""
    @app.task(name=TASK, ignore_result=True, acks_late=False)
    def publish_needs() -> bool:
        return publish_if_changed()

    return publish_needs
