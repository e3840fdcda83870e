"""Staff accounts: the CLI prints a token; the sign-in form sets a cookie every service honours."""
from __future__ import annotations

import html

from click.testing import CliRunner

from services.catalog.app import create_app as catalog_app
from services.notifications.app import create_app as notifications_app
from shared.auth import COOKIE_NAME, read_token
from shared.cli import main


def test_staff_add_prints_a_working_token(databases, seeded_centres, redis_client):
    runner = CliRunner()
    result = runner.invoke(main, ["staff", "add", "taras", "--role", "centre_staff", "--centre", "1241"])
    assert result.exit_code == 0, result.output
    staff = read_token(result.output.strip())
    assert staff.name == "taras" and staff.role == "centre_staff" and staff.centre == "1241"


def test_staff_add_refuses_what_makes_no_sense(databases, seeded_centres):
    runner = CliRunner()
    assert "need --centre" in runner.invoke(main, ["staff", "add", "a", "--role", "centre_staff"]).output
    assert "no centre 0000" in runner.invoke(
        main, ["staff", "add", "b", "--role", "centre_staff", "--centre", "0000"]).output
    runner.invoke(main, ["staff", "add", "c", "--role", "logistics"])
    again = runner.invoke(main, ["staff", "add", "c", "--role", "logistics"])
    assert again.exit_code != 0 and "exists" in again.output


def test_sign_in_sets_a_cookie_that_other_services_accept(databases, seeded_centres, redis_client):
    CliRunner().invoke(main, ["staff", "add", "oksana", "--role", "admin", "--password", "s3cret-pass"])
    catalog = catalog_app({"TESTING": True}).test_client()
    wrong = catalog.post("/staff/login", data={"name": "oksana", "password": "nope"})
    assert wrong.status_code == 401 and "Неправильне ім'я або пароль." in html.unescape(wrong.get_data(as_text=True))
    ok = catalog.post("/staff/login", data={"name": "oksana", "password": "s3cret-pass"})
    assert ok.status_code == 302
    cookie = catalog.get_cookie(COOKIE_NAME)
    assert cookie is not None and cookie.http_only
    home = catalog.get("/staff/")
    assert "oksana" in home.get_data(as_text=True)

    notifications = notifications_app({"TESTING": True}).test_client()
    url = "/api/v1/messages?donation_id=00000000-0000-0000-0000-000000000000"
    assert notifications.get(url).status_code == 401
    notifications.set_cookie(COOKIE_NAME, cookie.value)
    assert notifications.get(url).status_code == 200


def test_password_guessing_is_slowed_down(databases, seeded_centres, redis_client, monkeypatch):
    monkeypatch.setattr("services.catalog.pages.LOGIN_ATTEMPTS_PER_MINUTE", 3)
    CliRunner().invoke(main, ["staff", "add", "petro", "--role", "logistics", "--password", "right-one"])
    catalog = catalog_app({"TESTING": True}).test_client()
    statuses = [catalog.post("/staff/login", data={"name": "petro", "password": f"guess{i}"}).status_code
                for i in range(3)]
    assert statuses == [401, 401, 401]
    blocked = catalog.post("/staff/login", data={"name": "petro", "password": "right-one"})
    assert blocked.status_code == 429 and catalog.get_cookie(COOKIE_NAME) is None
