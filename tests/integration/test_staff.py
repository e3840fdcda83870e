"""Staff accounts: the CLI prints a token; the sign-in form sets a cookie every service honours;
tokens expire, and the server checks the account behind them on every request."""
from __future__ import annotations

import html
import time

from click.testing import CliRunner

from services.catalog.app import create_app as catalog_app
from services.donations.app import create_app as donations_app
from services.notifications.app import create_app as notifications_app
from shared.auth import COOKIE_NAME, issue_token, read_token
from shared.cli import main
from tests.conftest import auth
from tests.staff import sync_identities

BOARD = "/api/v1/donations/board"
MESSAGES = "/api/v1/messages?donation_id=00000000-0000-0000-0000-000000000000"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_staff_add_prints_a_working_token(databases, seeded_centres, redis_client):
    token = _cli("staff", "add", "taras", "--role", "centre_staff", "--centre", "1241")
    claims = read_token(token)
    assert claims.version == 1 and 29 * 86400 < claims.expires - time.time() <= 30 * 86400
    catalog = catalog_app({"TESTING": True}).test_client()
    assert catalog.get("/api/v1/centres/1241/scans", headers=auth(token)).status_code == 200
    assert catalog.get("/api/v1/centres/6341/scans", headers=auth(token)).status_code == 403


def test_staff_add_refuses_what_makes_no_sense(databases, seeded_centres):
    runner = CliRunner()
    assert "need --centre" in runner.invoke(main, ["staff", "add", "a", "--role", "centre_staff"]).output
    assert "no centre 0000" in runner.invoke(
        main, ["staff", "add", "b", "--role", "centre_staff", "--centre", "0000"]).output
    runner.invoke(main, ["staff", "add", "c", "--role", "logistics"])
    again = runner.invoke(main, ["staff", "add", "c", "--role", "logistics"])
    assert again.exit_code != 0 and "exists" in again.output


def test_a_token_for_an_account_that_does_not_exist_is_refused(databases, seeded_centres):
    """Signed with our key, but no such account: a token names an account, it is not one."""
    catalog = catalog_app({"TESTING": True}).test_client()
    assert catalog.get("/api/v1/oblasts", headers=auth(issue_token(1, 1, days=1))).status_code == 401


def test_an_expired_token_is_refused(databases, seeded_centres):
    token = _cli("staff", "add", "olha", "--role", "logistics", "--days", "0.01")
    catalog = catalog_app({"TESTING": True}).test_client()
    assert catalog.get("/api/v1/oblasts", headers=auth(token)).status_code == 200
    expired = issue_token(read_token(token).staff_id, 1, days=-1)
    assert catalog.get("/api/v1/oblasts", headers=auth(expired)).status_code == 401


def test_disable_reissue_and_remove_take_effect_at_once(databases, seeded_centres):
    first = _cli("staff", "add", "petro", "--role", "logistics")
    sync_identities()
    catalog = catalog_app({"TESTING": True}).test_client()
    donations = donations_app({"TESTING": True}).test_client()
    assert catalog.get("/api/v1/oblasts", headers=auth(first)).status_code == 200
    assert donations.get(BOARD, headers=auth(first)).status_code == 200

    second = _cli("staff", "token", "petro", "--days", "2")
    assert catalog.get("/api/v1/oblasts", headers=auth(first)).status_code == 401, "a re-issued token revokes the old"
    assert catalog.get("/api/v1/oblasts", headers=auth(second)).status_code == 200

    _cli("staff", "disable", "petro")
    assert catalog.get("/api/v1/oblasts", headers=auth(second)).status_code == 401
    sync_identities()  # what the event does on a running network
    assert donations.get(BOARD, headers=auth(second)).status_code == 401
    _cli("staff", "enable", "petro")
    assert catalog.get("/api/v1/oblasts", headers=auth(second)).status_code == 401, "enable never revives old tokens"
    third = _cli("staff", "token", "petro")
    assert catalog.get("/api/v1/oblasts", headers=auth(third)).status_code == 200

    _cli("staff", "remove", "petro")
    assert catalog.get("/api/v1/oblasts", headers=auth(third)).status_code == 401
    assert "no staff account" in CliRunner().invoke(main, ["staff", "token", "petro"]).output


def test_role_and_centre_changes_count_at_the_next_request(databases, seeded_centres):
    token = _cli("staff", "add", "iryna", "--role", "centre_staff", "--centre", "1241")
    catalog = catalog_app({"TESTING": True}).test_client()
    assert catalog.get("/api/v1/centres/1241/scans", headers=auth(token)).status_code == 200
    _cli("staff", "change", "iryna", "--centre", "6341")
    assert catalog.get("/api/v1/centres/1241/scans", headers=auth(token)).status_code == 403
    assert catalog.get("/api/v1/centres/6341/scans", headers=auth(token)).status_code == 200
    assert catalog.get("/api/v1/oblasts", headers=auth(token)).status_code == 403
    _cli("staff", "change", "iryna", "--role", "logistics")
    assert catalog.get("/api/v1/oblasts", headers=auth(token)).status_code == 200


def test_the_check_is_cached_for_a_moment_in_other_processes(databases, seeded_centres, monkeypatch):
    """A change written by another process (here: straight into the table, behind this process's
    back) is seen within STAFF_CHECK_CACHE_SECONDS."""
    from sqlalchemy import update

    from shared import db
    from shared.staff_identity import StaffIdentity

    monkeypatch.setenv("STAFF_CHECK_CACHE_SECONDS", "0.5")
    token = _cli("staff", "add", "marta", "--role", "logistics")
    sync_identities()
    donations = donations_app({"TESTING": True}).test_client()
    assert donations.get(BOARD, headers=auth(token)).status_code == 200
    with db.session_scope("donations") as session:
        session.execute(update(StaffIdentity).values(active=False))
    assert donations.get(BOARD, headers=auth(token)).status_code == 200  # still cached
    time.sleep(0.6)  # the TTL itself is what is under test
    assert donations.get(BOARD, headers=auth(token)).status_code == 401


def test_sign_in_sets_a_cookie_that_other_services_accept(databases, seeded_centres, redis_client):
    _cli("staff", "add", "oksana", "--role", "admin", "--password", "s3cret-pass")
    sync_identities()
    catalog = catalog_app({"TESTING": True}).test_client()
    wrong = catalog.post("/staff/login", data={"name": "oksana", "password": "nope"})
    assert wrong.status_code == 401 and "Неправильне ім'я або пароль." in html.unescape(wrong.get_data(as_text=True))
    ok = catalog.post("/staff/login", data={"name": "oksana", "password": "s3cret-pass"})
    assert ok.status_code == 302
    cookie = catalog.get_cookie(COOKIE_NAME)
    assert cookie is not None and cookie.http_only and not cookie.secure
    home = catalog.get("/staff/")
    assert "oksana" in home.get_data(as_text=True)

    notifications = notifications_app({"TESTING": True}).test_client()
    assert notifications.get(MESSAGES).status_code == 401
    notifications.set_cookie(COOKIE_NAME, cookie.value)
    assert notifications.get(MESSAGES).status_code == 200


def test_signing_out_ends_the_session_everywhere(databases, seeded_centres, redis_client):
    _cli("staff", "add", "bohdan", "--role", "admin", "--password", "s3cret-pass")
    catalog = catalog_app({"TESTING": True}).test_client()
    catalog.post("/staff/login", data={"name": "bohdan", "password": "s3cret-pass"})
    stolen = catalog.get_cookie(COOKIE_NAME).value
    assert catalog.post("/staff/logout").status_code == 302
    other = catalog_app({"TESTING": True}).test_client()
    other.set_cookie(COOKIE_NAME, stolen)
    assert other.get("/api/v1/oblasts").status_code == 401


def test_a_disabled_account_cannot_sign_in(databases, seeded_centres, redis_client):
    _cli("staff", "add", "roman", "--role", "logistics", "--password", "s3cret-pass")
    _cli("staff", "disable", "roman")
    catalog = catalog_app({"TESTING": True}).test_client()
    assert catalog.post("/staff/login", data={"name": "roman", "password": "s3cret-pass"}).status_code == 401


def test_password_guessing_is_slowed_down(databases, seeded_centres, redis_client, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_SIGN_IN_ACCOUNT", "3/minute")
    _cli("staff", "add", "petro", "--role", "logistics", "--password", "right-one")
    catalog = catalog_app({"TESTING": True}).test_client()
    statuses = [catalog.post("/staff/login", data={"name": "petro", "password": f"guess{i}"}).status_code
                for i in range(3)]
    assert statuses == [401, 401, 401]
    blocked = catalog.post("/staff/login", data={"name": "petro", "password": "right-one"})
    assert blocked.status_code == 429 and catalog.get_cookie(COOKIE_NAME) is None
