"""Schemathesis over the three OpenAPI documents, anonymous and with an admin token: whatever
a client sends that the documents allow (and much they do not), no answer is a server error."""
from __future__ import annotations

import importlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.staff import make_staff

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def _schema(service: str):
    app = importlib.import_module(f"services.{service}.app").create_app({"TESTING": True})
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def admin_headers(pg_only, seeded_centres, redis_client):
    return {"Authorization": f"Bearer {make_staff('fuzz-admin', 'admin')}"}


@pytest.fixture
def catalog_api(pg_only, seeded_centres, redis_client):
    return _schema("catalog")


@pytest.fixture
def donations_api(pg_only, seeded_centres, redis_client):
    return _schema("donations")


@pytest.fixture
def notifications_api(pg_only, seeded_centres, redis_client):
    return _schema("notifications")


catalog = schemathesis.pytest.from_fixture("catalog_api")
donations = schemathesis.pytest.from_fixture("donations_api")
notifications = schemathesis.pytest.from_fixture("notifications_api")


def _check(case, headers: dict | None) -> None:
    case.call_and_validate(headers=headers, checks=[not_a_server_error])


@catalog.parametrize()
@SETTINGS
def test_catalog_api_anonymous(case):
    _check(case, None)


@catalog.parametrize()
@SETTINGS
def test_catalog_api_as_admin(case, admin_headers):
    _check(case, admin_headers)


@donations.parametrize()
@SETTINGS
def test_donations_api_anonymous(case):
    _check(case, None)


@donations.parametrize()
@SETTINGS
def test_donations_api_as_admin(case, admin_headers):
    _check(case, admin_headers)


@notifications.parametrize()
@SETTINGS
def test_notifications_api_anonymous(case):
    _check(case, None)


@notifications.parametrize()
@SETTINGS
def test_notifications_api_as_admin(case, admin_headers):
    _check(case, admin_headers)
