"""The running network: real gunicorn, real Celery workers and beat, private Redis, PostgreSQL."""
from __future__ import annotations

import os

import pytest
import redis

from shared import config, db
from shared.testing import postgres
from shared.testing.network import Network
from shared.testing.standin import StandInServer
from tests.standins import OpenLibraryStandIn, SmsGatewayStandIn, SmtpServer


@pytest.fixture(scope="session")
def open_library():
    """Open Library, as a local server answering in its documented format."""
    with StandInServer(OpenLibraryStandIn()) as server:
        yield server


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on loopback: where the network's e-mails land."""
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="session")
def sms_gateway():
    """The SMS gateway, as a local server speaking Twilio's Messages API."""
    gateway = SmsGatewayStandIn()
    with StandInServer(gateway) as server:
        gateway.address = server.address
        yield gateway


@pytest.fixture(scope="module")
def e2e_env(pg_admin_url, redis_server, open_library, smtp_server, sms_gateway):
    """Fresh databases for this module, pointed at by the environment of this process too
    (tests call use cases and read databases directly to check effects)."""
    if redis_server.process is None:
        redis_server.start()
    urls = {s: postgres.create_database(pg_admin_url) for s in config.SERVICES}
    env = {f"{s.upper()}_DATABASE_URL": u for s, u in urls.items()}
    env.update(REDIS_URL=redis_server.url, OUTBOX_SWEEP_SECONDS="1", CONSUMER_MAX_RETRIES="3",
               BOOKCROSS_SECRET_KEY=os.environ["BOOKCROSS_SECRET_KEY"], LOG_LEVEL="INFO",
               OPEN_LIBRARY_URL=open_library.url, SMTP_URL=smtp_server.url,
               SMS_GATEWAY_URL=f"http://AC1:token@{sms_gateway.address}",
               # Short windows for a test; quiet hours off (00:00–00:00), whatever the hour in Kyiv.
               NOTIFY_BATCH_WINDOW="6", NOTIFY_TICK_SECONDS="1",
               NOTIFY_QUIET_START="00:00", NOTIFY_QUIET_END="00:00",
               # Catalog's word to the assistant stays out of journeys that count their events
               # (the assistant's own journey sets it to a second).
               ASSISTANT_NEEDS_SECONDS="3600")
    patch = pytest.MonkeyPatch()
    for key, value in env.items():
        patch.setenv(key, value)
    db.dispose_all()  # after the environment is set: see tests/conftest.py _use_databases
    from services.catalog.services.centres import seed_centres
    from shared.migrate import upgrade

    for service, url in urls.items():
        upgrade(service, url)
    seed_centres(demo=True)
    redis.Redis.from_url(redis_server.url).flushall()
    yield env
    from shared.outbox.relay import wait_for_nudges

    wait_for_nudges(10)
    db.dispose_all()
    patch.undo()
    for url in urls.values():
        postgres.drop_database(pg_admin_url, url)


@pytest.fixture(scope="module")
def network_env(e2e_env):
    """The environment of the network's processes (a module may override it, e.g. to put a
    proxy between a service and its database)."""
    return e2e_env


@pytest.fixture(scope="module")
def network(network_env, tmp_path_factory, request):
    net = Network(network_env, tmp_path_factory.mktemp("network"),
                  workers={"catalog": "tests.e2e.instrumented_app:app",
                           "donations": "services.donations.tasks:app",
                           "notifications": "services.notifications.tasks:app"})
    try:
        net.start()
    except Exception:
        print(net.logs())
        net.stop()
        raise
    yield net
    net.stop()
    if request.session.testsfailed:
        print(net.logs())


@pytest.fixture
def control(network):
    client = redis.Redis.from_url(config.redis_url(), decode_responses=True)
    client.delete("test:runs", "test:delay", "test:fail", "test:overrun")
    yield client
    client.delete("test:delay", "test:fail", "test:overrun")
    client.close()


@pytest.fixture(scope="module")
def logistics_token(e2e_env):
    from tests.staff import staff_token

    return staff_token("olha", "logistics")


@pytest.fixture(scope="module")
def admin_token(e2e_env):
    from tests.staff import staff_token

    return staff_token("admin", "admin")
