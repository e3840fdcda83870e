"""Fixtures shared by every layer: databases (PostgreSQL and SQLite), a private Redis, staff tokens.

Configuration is read from the environment at call time, so a fixture points a
service at its database by setting `<SERVICE>_DATABASE_URL` and dropping cached engines.
"""
from __future__ import annotations

import os
import uuid

import pytest

from shared import config, db
from shared.embedded import EmbeddedRedis
from shared.testing import postgres

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

os.environ.setdefault("BOOKCROSS_SECRET_KEY", "test-secret-" + uuid.uuid4().hex)
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Rate limits out of the way of tests that are not about them (those set their own).
for _name in ("OFFERS", "TRACKING", "DONOR_ACTIONS", "NOTES", "SIGN_IN", "SIGN_IN_ACCOUNT", "PREFERENCES",
              "TELEGRAM_LINK", "QUESTIONS"):
    os.environ.setdefault(f"RATE_LIMIT_{_name}", "100000/minute")
os.environ.setdefault("NOTIFY_RECIPIENT_DAILY_CAP", "1000")


def unavailable(reason: str):
    """Under CI nothing may be skipped for want of a tool or a server."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_admin_url():
    try:
        url = postgres.ensure_server()
    except RuntimeError as exc:
        unavailable(str(exc))
    yield url
    postgres.stop_private()


_REDIS: list[EmbeddedRedis] = []


def pytest_configure(config):
    """A private Redis for the whole run, started before any service module is imported
    (their Celery apps read REDIS_URL once). Tests may stop and restart it."""
    import tempfile

    server = EmbeddedRedis(tempfile.mkdtemp(prefix="bookcross-redis-"), appendonly=True).start()
    _REDIS.append(server)
    os.environ["REDIS_URL"] = server.url


def pytest_unconfigure(config):
    for server in _REDIS:
        server.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no requests counted against any limit."""
    from shared.limits import limiter

    storage = getattr(limiter, "_storage", None)
    if storage is not None:
        try:
            storage.reset()
        except Exception:  # Redis stopped by a failure test: nothing counted there either
            pass
    yield


@pytest.fixture(scope="session")
def redis_server():
    return _REDIS[0]


@pytest.fixture
def redis_client(redis_server):
    import redis

    if redis_server.process is None:
        redis_server.start()
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    yield client
    client.close()


def _migrate_all(urls: dict[str, str]) -> None:
    from shared.migrate import upgrade

    for service, url in urls.items():
        upgrade(service, url)


@pytest.fixture(scope="session")
def pg_databases(pg_admin_url):
    """One PostgreSQL database per service, migrated once for the session."""
    urls = {s: postgres.create_database(pg_admin_url) for s in config.SERVICES}
    _migrate_all(urls)
    yield urls
    db.dispose_all()
    for url in urls.values():
        postgres.drop_database(pg_admin_url, url)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory):
    base = tmp_path_factory.mktemp("sqlite")
    urls = {s: f"sqlite:///{base / (s + '.db')}" for s in config.SERVICES}
    _migrate_all(urls)
    return urls


def _truncate(urls: dict[str, str]) -> None:
    from sqlalchemy import text

    import services.catalog.assistant_models  # noqa: F401  (the assistant's tables are on each Base too)
    import services.catalog.models as cm
    import services.catalog.report_models  # noqa: F401  (the reports tables are on catalog's Base)
    import services.donations.assistant.models  # noqa: F401
    import services.donations.impact_models  # noqa: F401  (so are donations' feedback tables)
    import services.donations.models as dm
    import services.notifications.assistant_models  # noqa: F401
    import services.notifications.models as nm
    from shared import staff_identity
    from shared.migrate import alembic_config  # noqa: F401  (models imported below)
    from shared.models import BusBase
    from shared.staff_identity import IdentityBase

    staff_identity.forget()

    bases = {"catalog": cm.Base, "donations": dm.Base, "notifications": nm.Base}
    for service, _url in urls.items():
        engine = db.engine_for(service)
        tables = (list(reversed(bases[service].metadata.sorted_tables)) + list(BusBase.metadata.sorted_tables)
                  + list(IdentityBase.metadata.sorted_tables))
        with engine.begin() as conn:
            if db.is_sqlite(engine):
                for table in tables:
                    conn.execute(table.delete())
            else:
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _use_databases(urls: dict[str, str], monkeypatch):
    """Point every service at these (emptied) databases for one test.

    The environment is set before cached engines are dropped, so nothing (a relay thread
    of the previous test included) can open an engine on the wrong database in between;
    and the test's own relay work is finished before the next test's begins.
    """
    from shared.outbox.relay import wait_for_nudges

    for service, url in urls.items():
        monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", url)
    db.dispose_all()
    _truncate(urls)
    yield urls
    wait_for_nudges(10)
    db.dispose_all()


@pytest.fixture(params=["postgresql", "sqlite"])
def databases(request, monkeypatch):
    """Every integration test runs on PostgreSQL (production) and SQLite (the embedded default)."""
    urls = request.getfixturevalue("pg_databases" if request.param == "postgresql" else "sqlite_databases")
    yield from _use_databases(urls, monkeypatch)


@pytest.fixture
def pg_only(monkeypatch, pg_databases):
    yield from _use_databases(pg_databases, monkeypatch)


@pytest.fixture
def seeded_centres(databases):
    from services.catalog.services.centres import seed_centres

    seed_centres(demo=True)


@pytest.fixture
def tokens(databases):
    """Tokens of real accounts (every service checks the account behind a token)."""
    from tests.staff import staff_token

    _ensure_centre("1241")
    return {
        "admin": staff_token("admin", "admin"),
        "logistics": staff_token("olha", "logistics"),
        "centre_staff": staff_token("taras", "centre_staff", "1241"),
    }


def _ensure_centre(code: str) -> None:
    """Centre staff need their centre in the register; seed it unless a test has."""
    from services.catalog.models import Centre
    from services.catalog.services.centres import seed_centres

    with db.session_scope("catalog") as session:
        known = session.get(Centre, code) is not None
    if not known:
        seed_centres(demo=True)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
