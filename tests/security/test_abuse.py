"""What an attacker or a careless operator would try, each refused: forged forwarded headers, an
offer flood from one client, a cross-site post riding the staff cookie, framing and foreign
scripts, oversized ids and bodies, spam through our messages, and data left after "forget me"."""
from __future__ import annotations

import json
import logging
import uuid

import pytest
from sqlalchemy import inspect, select, text

from services.catalog.app import create_app as catalog_app
from services.donations.app import create_app as donations_app
from services.notifications.app import create_app as notifications_app
from services.notifications.delivery import deliver_due
from services.notifications.models import Message, Notice
from shared import auth, db
from tests.conftest import auth as bearer
from tests.integration.test_delivery import channels, donor, hear  # noqa: F401  (fixture)
from tests.samples import offer
from tests.staff import make_staff

APPS = {"catalog": catalog_app, "donations": donations_app, "notifications": notifications_app}


@pytest.fixture
def donations(databases, redis_client):
    return donations_app({"TESTING": True}).test_client()


# --- clients behind proxies, and limits ---------------------------------------------------------

def test_a_forged_forwarded_header_does_not_escape_the_limit(donations, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_OFFERS", "3/minute")
    answers = [donations.post("/api/v1/donations", json=offer(),
                              headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(5)]
    assert answers == [201, 201, 201, 429, 429]


def test_behind_a_trusted_proxy_the_client_is_the_address_it_saw(databases, redis_client, monkeypatch):
    """With TRUSTED_PROXIES=1, the last X-Forwarded-For hop (added by our proxy) is the client;
    whatever the client wrote before it counts for nothing."""
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.setenv("RATE_LIMIT_OFFERS", "2/minute")
    client = donations_app({"TESTING": True}).test_client()

    def post(forwarded: str) -> int:
        return client.post("/api/v1/donations", json=offer(), headers={"X-Forwarded-For": forwarded}).status_code

    assert [post(f"{i}.1.1.1, 203.0.113.7") for i in range(3)] == [201, 201, 429]
    assert post("198.51.100.9") == 201  # another real client has its own count


def test_an_offer_flood_from_one_client_meets_429_on_every_way_in(donations, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_OFFERS", "2/minute")
    assert donations.post("/api/v1/donations", json=offer()).status_code == 201
    manifest = {"offer": json.dumps({k: v for k, v in offer().items() if k != "items"}),
                "manifest": (__import__("io").BytesIO(b"isbn,title,authors,quantity\n,A,B,1\n"), "m.csv")}
    assert donations.post("/api/v1/donations/manifest", data=manifest,
                          content_type="multipart/form-data").status_code == 201
    refused = donations.post("/api/v1/donations", json=offer(), headers={"Accept-Language": "en"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["message"].startswith("Too many requests. Please try again in")
    form = donations.post("/offer", data={"donor-email": "a@example.com"})
    assert form.status_code == 429 and "Спробуйте знову" in form.get_data(as_text=True)


def test_every_public_write_is_limited(databases, redis_client, seeded_centres, monkeypatch):
    """One request over each limit, on each public way to write (set to one per minute here)."""
    for name in ("TRACKING", "DONOR_ACTIONS", "NOTES", "SIGN_IN", "PREFERENCES"):
        monkeypatch.setenv(f"RATE_LIMIT_{name}", "1/minute")
    cases = [("donations", "GET", "/api/v1/track/1RF4-VTG9-TYZZ-G"),
             ("donations", "POST", "/api/v1/track/1RF4-VTG9-TYZZ-G/erasure"),
             ("donations", "POST", "/track/1RF4-VTG9-TYZZ-G/cancel"),
             ("catalog", "POST", "/api/v1/copies/ZZZZZ-ZZZZZ/notes"),
             ("catalog", "POST", "/staff/login"),
             ("notifications", "POST", "/preferences/x"),
             ("notifications", "POST", "/unsubscribe/x")]
    from shared.limits import limiter

    for service, method, path in cases:
        client = APPS[service]({"TESTING": True}).test_client()
        limiter._storage.reset()  # some share one count (the API and the page of one action)
        kwargs = {"json": {"text": "x"}} if path.startswith("/api/") and method == "POST" else {}
        first = client.open(path, method=method, **kwargs)
        second = client.open(path, method=method, **kwargs)
        assert first.status_code != 429 and second.status_code == 429, (path, first.status_code, second.status_code)
        assert second.headers.get("Retry-After")


def test_the_telegram_link_is_made_only_within_its_limit(databases, redis_client, monkeypatch):
    from services.notifications.models import TelegramLink
    from shared.donor_links import preferences_token

    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "bookcross_bot")
    monkeypatch.setenv("RATE_LIMIT_TELEGRAM_LINK", "2/hour")
    donor_id = uuid.uuid4()
    donor(uuid.uuid4(), donor_id=donor_id)
    client = notifications_app({"TESTING": True}).test_client()
    pages = [client.get(f"/preferences/{preferences_token(donor_id)}").get_data(as_text=True) for _ in range(4)]
    assert ["t.me/bookcross_bot" in page for page in pages] == [True, True, False, False]
    with db.session_scope("notifications") as session:
        assert len(session.scalars(select(TelegramLink)).all()) == 2


# --- sign-in ---------------------------------------------------------------------------------

def test_unknown_names_and_wrong_passwords_take_the_same_time(databases, seeded_centres, redis_client):
    import time

    make_staff("olha", "logistics", password="the-right-one")
    client = catalog_app({"TESTING": True}).test_client()

    def timed(name: str) -> float:
        started = time.perf_counter()
        assert client.post("/staff/login", data={"name": name, "password": "wrong"}).status_code == 401
        return time.perf_counter() - started

    known = sorted(timed("olha") for _ in range(5))[2]
    unknown = sorted(timed(f"nobody-{i}") for i in range(5))[2]
    assert 0.5 < unknown / known < 2, (known, unknown)  # a password hash is checked either way


# --- the staff cookie, across sites ------------------------------------------------------------

def _signed_in(client) -> None:
    make_staff("oksana", "admin", password="s3cret-pass")
    assert client.post("/staff/login", data={"name": "oksana", "password": "s3cret-pass"}).status_code == 302


def test_a_cross_site_post_with_the_cookie_is_refused(databases, seeded_centres, redis_client):
    """Another site can make the browser send the cookie, even with no body (closing a shipment,
    accepting an allocation), but cannot add a header."""
    client = catalog_app({"TESTING": True}).test_client()
    _signed_in(client)
    for path in ("/api/v1/shipments/1/closing", "/api/v1/allocations/1/acceptance",
                 "/api/v1/centres/1241/inventory/closing"):
        forged = client.post(path)
        assert forged.status_code == 403 and "X-CSRF-Token" in forged.get_json()["message"], path
    assert client.get("/api/v1/shipments").status_code == 200  # reading needs no token
    from shared.staff_identity import lookup

    identity = lookup("catalog", auth.read_cookie(client.get_cookie(auth.COOKIE_NAME).value).staff_id)
    token = auth.api_token(auth.Staff(identity.staff_id, identity.name, identity.role, identity.centre_code))
    assert client.post("/api/v1/shipments/1/closing", headers={auth.CSRF_HEADER: token}).status_code == 404


def test_the_scan_page_sends_its_token(databases, seeded_centres, redis_client):
    client = catalog_app({"TESTING": True}).test_client()
    _signed_in(client)
    page = client.get("/staff/centres/1241/scan").get_data(as_text=True)
    assert '"X-CSRF-Token": CSRF' in page and "CSRF = \"" in page


def test_cookies_are_secure_behind_an_https_proxy(databases, seeded_centres, redis_client, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    client = catalog_app({"TESTING": True}).test_client()
    make_staff("oksana", "admin", password="s3cret-pass")
    response = client.post("/staff/login", data={"name": "oksana", "password": "s3cret-pass"},
                           headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


# --- headers and the API docs -------------------------------------------------------------------

@pytest.mark.parametrize("service,path", [("donations", "/"), ("catalog", "/staff/login"), ("notifications", "/preferences/x"),
                                          ("donations", "/api/v1/track/nonsense"), ("catalog", "/api/docs")])
def test_security_headers_on_every_page(databases, redis_client, service, path):
    response = APPS[service]({"TESTING": True}).test_client().get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_inline_scripts_and_styles_carry_the_nonce(databases, redis_client):
    response = donations_app({"TESTING": True}).test_client().post("/offer", data={})
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    page = response.get_data(as_text=True)
    assert page.count("<script") == page.count(f'<script nonce="{nonce}"') >= 1
    assert page.count("<style") == page.count(f'<style nonce="{nonce}"') >= 1


def test_swagger_ui_comes_from_our_own_origin(databases, redis_client):
    client = catalog_app({"TESTING": True}).test_client()
    page = client.get("/api/docs").get_data(as_text=True)
    assert "cdn." not in page and "//" not in page.replace("https://", "").split("<script")[1][:60]
    assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/docs/static/swagger-ui.css").status_code == 200


# --- bad input ----------------------------------------------------------------------------------

def test_bad_input_gets_a_localised_4xx_never_a_500(databases, redis_client, seeded_centres):
    catalog = catalog_app({"TESTING": True}).test_client()
    donations = donations_app({"TESTING": True}).test_client()
    token = bearer(make_staff("olha", "logistics"))
    huge_id = "9" * 40
    for path in (f"/api/v1/shipments/{huge_id}", f"/api/v1/allocations/{2**63}", "/api/v1/shipments/-1"):
        assert catalog.get(path, headers=token).status_code == 404, path
    deep = "[" * 100_000 + "]" * 100_000
    assert donations.post("/api/v1/donations", data=deep, content_type="application/json").status_code in (400, 413)
    nested = json.dumps(json.loads("[" * 900 + "]" * 900))
    assert donations.post("/api/v1/donations", data=nested, content_type="application/json").status_code in (400, 422)
    wrong_type = donations.post("/api/v1/donations", data=json.dumps(offer()), content_type="text/plain")
    assert 400 <= wrong_type.status_code < 500 and wrong_type.get_json()["message"]
    xml = donations.post("/api/v1/donations", data="<offer/>", content_type="application/xml")
    assert 400 <= xml.status_code < 500
    assert donations.post("/api/v1/donations", json=[1, 2]).status_code in (400, 422)
    big_number = donations.post("/api/v1/donations", json={**offer(), "items": [{"title": "A", "quantity": 10**30}]})
    assert big_number.status_code == 422


def test_the_offer_form_row_count_is_bounded(databases, redis_client):
    import time

    client = donations_app({"TESTING": True}).test_client()
    for rows in ("999999999", "abc", "-5", "1e9"):
        started = time.perf_counter()
        response = client.post("/offer", data={"rows": rows, "donor-email": "a@example.com"})
        assert response.status_code == 422 and time.perf_counter() - started < 2, rows


def test_reader_notes_are_plain_text_safe_in_html(databases, redis_client):
    from services.catalog.services.readers import clean_note

    assert clean_note("<b>Дуже</b> &lt;script&gt;alert(1)&lt;/script&gt; раджу") == "Дуже ‹script›alert(1)‹/script› раджу"
    assert "<" not in clean_note("&lt;img src=x onerror=alert(1)&gt;")


# --- not a spam cannon ----------------------------------------------------------------------------

def test_messages_to_one_address_are_capped_per_day(channels, monkeypatch):  # noqa: F811
    mailbox, _ = channels
    monkeypatch.setenv("NOTIFY_RECIPIENT_DAILY_CAP", "3")
    for _ in range(5):  # five offers, all naming the same stranger
        d = uuid.uuid4()
        donor(d, email="stranger@example.com")
        hear("donations.donation_offered", d, declared_count=1)
    deliver_due()
    assert len(mailbox.to("stranger@example.com")) == 3
    with db.session_scope("notifications") as session:
        reasons = [n.reason for n in session.scalars(select(Notice).where(Notice.status == "dropped"))]
    assert reasons == ["daily cap of messages to this address"] * 2


def test_sms_only_to_ukrainian_numbers_unless_configured(channels, monkeypatch):  # noqa: F811
    _, gateway = channels
    abroad, home = uuid.uuid4(), uuid.uuid4()
    donor(abroad, email=None, phone="+442079460000", channels=["sms"])
    donor(home, email=None, phone="+380501234567", channels=["sms"])
    for d in (abroad, home):
        hear("donations.donation_offered", d, declared_count=1)
    monkeypatch.setenv("NOTIFY_QUIET_START", "00:00")
    monkeypatch.setenv("NOTIFY_QUIET_END", "00:00")
    deliver_due()
    assert [m["To"] for m in gateway.sent] == ["+380501234567"]
    monkeypatch.setenv("SMS_COUNTRIES", "UA,GB")
    later = uuid.uuid4()
    donor(later, email=None, phone="+442079460001", channels=["sms"])
    hear("donations.donation_offered", later, declared_count=1)
    deliver_due()
    assert "+442079460001" in [m["To"] for m in gateway.sent]


def test_the_donors_own_words_never_reach_a_stranger_or_an_sms(channels, monkeypatch):  # noqa: F811
    mailbox, gateway = channels
    monkeypatch.setenv("NOTIFY_QUIET_START", "00:00")
    monkeypatch.setenv("NOTIFY_QUIET_END", "00:00")
    spam = "WIN A PRIZE http://evil.example/claim"
    d = uuid.uuid4()
    donor(d, name=spam, email="victim@example.com", phone="+380501234567", channels=["email", "sms"])
    hear("donations.donation_offered", d, declared_count=1)
    deliver_due()
    [first] = mailbox.to("victim@example.com")
    assert "evil.example" not in first.as_string()
    hear("donations.donation_cancelled", d, by="staff", reason=None)
    deliver_due()
    second = mailbox.to("victim@example.com")[-1]
    html = second.get_body(("html",)).get_content()
    assert 'href="http://evil' not in html  # the name may be shown later, never as a link
    sms = uuid.uuid4()
    donor(sms, name=spam, email=None, phone="+380501234568", channels=["sms"])
    hear("donations.donation_collected", sms, declared_count=1, collected_count=1)
    deliver_due()
    assert gateway.sent and all("evil" not in m["Body"] for m in gateway.sent)


# --- forget me -------------------------------------------------------------------------------------

def _every_text_in(service: str) -> str:
    """Every value of every row of every table of a service's database, as one string."""
    engine = db.engine_for(service)
    parts = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def test_after_forget_me_no_table_holds_the_person(channels, redis_client, caplog, monkeypatch):  # noqa: F811
    from shared.bus.consumer import handle
    from shared.models import OutboxEvent

    monkeypatch.setenv("NOTIFY_QUIET_START", "00:00")
    monkeypatch.setenv("NOTIFY_QUIET_END", "00:00")
    person = {"name": "Ганна Примарна", "email": "hanna.prymarna@example.com", "phone": "+380671112233"}
    client = donations_app({"TESTING": True}).test_client()
    codes = []
    for street, book in (("вул. Тиха, 7", "Кобзар"), ("просп. Світлий, 9", "Заповіт")):  # two donor records
        body = offer(donor={"kind": "citizen", "consent": True, **person},
                     handover={"kind": "pickup", "address": street, "city": "Харків", "oblast": "Харківська"},
                     items=[{"title": book, "quantity": 1}])
        codes.append(client.post("/api/v1/donations", json=body).get_json()["tracking_code"])
    with db.session_scope("donations") as session:  # what the bus would carry to notifications
        envelopes = [r.envelope for r in session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))]
    for envelope in envelopes:
        handle("notifications", __import__("services.notifications.handlers", fromlist=["HANDLERS"]).HANDLERS,
               envelope)
    deliver_due()
    with db.session_scope("notifications") as session:  # a provider's error that quoted the address
        session.scalars(select(Message)).first().last_error = f"550 <{person['email']}> refused"
    caplog.set_level(logging.INFO)
    assert client.post(f"/api/v1/track/{codes[0]}/erasure").status_code == 200
    with db.session_scope("donations") as session:
        erased = [r.envelope for r in session.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "donations.donor_erased"))]
    assert len(erased) == 2  # both donor records
    for envelope in erased:
        handle("notifications", __import__("services.notifications.handlers", fromlist=["HANDLERS"]).HANDLERS,
               envelope)
    for service in ("donations", "notifications"):
        everything = _every_text_in(service)
        for value in (*person.values(), "hanna.prymarna", "0671112233", "Тиха", "Світлий, 9"):
            assert value not in everything, f"{value!r} left in {service}"
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert codes[0] not in logged and codes[0].replace("-", "") not in logged


def test_request_logs_mask_tracking_codes_and_signed_links():
    from shared.web import masked_path

    assert masked_path("/track/1RF4-VTG9-TYZZ-G") == "/track/***"
    assert masked_path("/api/v1/track/1RF4-VTG9-TYZZ-G/erasure") == "/api/v1/track/***/erasure"
    assert masked_path("/preferences/eyJkIjoi.abc") == "/preferences/***"
    assert masked_path("/unsubscribe/eyJkIjoi.abc") == "/unsubscribe/***"
    assert masked_path("/api/v1/centres/1241/scans") == "/api/v1/centres/1241/scans"
