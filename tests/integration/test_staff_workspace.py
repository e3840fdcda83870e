"""One staff workspace: every staff page of every service has the same header — the role's
navigation across the three services (each link at its service's public address), the
language switch and sign-out — and a signed-out visitor of any of them is sent to the one
sign-in page and back."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from services.catalog.app import create_app as catalog_app
from services.donations.app import create_app as donations_app
from tests.staff import staff_cookie

PUBLIC = {"catalog": "https://books.example.org", "donations": "https://books.example.org",
          "notifications": "https://books.example.org"}
KHARKIV = "6341"

# Each role's navigation, in order (admin sees every link but a centre's own scan page).
NAVIGATION = {
    "logistics": ["home", "board", "hub", "shipments", "reports", "questions"],
    "centre_staff": ["home", "shipments", "scan"],
    "admin": ["home", "board", "hub", "shipments", "reports", "questions", "wishes"],
}
PAGES = {  # role → (service, path) of every staff page that person opens in a day
    "logistics": [("catalog", "/staff/"), ("donations", "/staff/board"), ("catalog", "/staff/hub"),
                  ("catalog", "/staff/shipments"), ("catalog", "/staff/reports"), ("catalog", "/staff/reports/map"),
                  ("donations", "/staff/questions")],
    "centre_staff": [("catalog", "/staff/"), ("catalog", "/staff/shipments"),
                     ("catalog", f"/staff/centres/{KHARKIV}/scan")],
    "admin": [("catalog", "/staff/reports/wishes")],
}


@pytest.fixture
def apps(seeded_centres, redis_client, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC["catalog"])
    return {"catalog": catalog_app({"TESTING": True}).test_client(),
            "donations": donations_app({"TESTING": True}).test_client()}


def nav_of(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav aria-label="[^"]+" id="staff-nav">(.*?)</nav>', html, re.S)
    assert nav, "the page has the staff navigation"
    return re.findall(r'<a id="nav-([a-z_]+)" href="([^"]+)"', nav.group(1))


@pytest.mark.parametrize("role", ["logistics", "centre_staff", "admin"])
def test_every_staff_page_has_the_roles_navigation_across_the_services(apps, role):
    centre = KHARKIV if role == "centre_staff" else None
    staff, cookie = staff_cookie(f"ws-{role}", role, centre)
    for service, path in PAGES[role]:
        client = apps[service]
        client.set_cookie("bookcross_staff", cookie)
        page = client.get(f"{path}?lang=en")
        assert page.status_code == 200, (service, path)
        html = page.get_data(as_text=True)
        links = nav_of(html)
        assert [key for key, _ in links] == NAVIGATION[role], (service, path)
        for key, url in links:
            assert url.startswith(PUBLIC["catalog"] + "/staff/"), (key, url)  # the public address, no port
            assert parse_qs(urlparse(url.replace("&amp;", "&")).query)["lang"] == ["en"]
        section = max((key for key, url in links if path.startswith(urlparse(url).path)),
                      key=lambda key: len(dict(links)[key]))
        assert re.findall(r'<a id="nav-([a-z_]+)" href="[^"]+" aria-current="page"', html) == [section], path
        assert f'action="{PUBLIC["catalog"]}/staff/logout?lang=en"' in html  # one sign-out
        assert 'href="?lang=uk"' in html and 'href="?lang=en"' in html
        assert staff.name in html


def test_the_scan_link_is_the_persons_own_centre(apps):
    _, cookie = staff_cookie("ws-lviv", "centre_staff", "4641")
    apps["catalog"].set_cookie("bookcross_staff", cookie)
    links = dict(nav_of(apps["catalog"].get("/staff/").get_data(as_text=True)))
    assert urlparse(links["scan"]).path == "/staff/centres/4641/scan"


@pytest.mark.parametrize("service,path", [("donations", "/staff/board"), ("catalog", "/staff/hub"),
                                          ("catalog", f"/staff/centres/{KHARKIV}/scan")])
def test_signed_out_visitors_go_to_the_one_sign_in_page_and_back(apps, service, path):
    answer = apps[service].get(f"{path}?lang=en")
    assert answer.status_code == 302
    target = urlparse(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{PUBLIC['catalog']}/staff/login"
    assert urlparse(parse_qs(target.query)["next"][0]).path == path


def test_the_sign_in_page_sends_people_only_to_our_own_addresses(apps):
    staff_cookie("ws-olha", "logistics")  # the account exists; its password is not needed here
    page = apps["catalog"].get("/staff/login?next=https://evil.example/staff/&lang=en").get_data(as_text=True)
    assert 'name="next" value=""' in page
    ours = apps["catalog"].get(f"/staff/login?next={PUBLIC['donations']}/staff/board").get_data(as_text=True)
    assert f'name="next" value="{PUBLIC["donations"]}/staff/board"' in ours


def test_a_refusal_on_a_staff_page_keeps_the_workspace(apps):
    """A domain error on a staff page is answered in one place (shared/web.py): its sentence in
    the page's language, in the staff layout, with the right status."""
    _, cookie = staff_cookie("ws-refused", "logistics")
    apps["catalog"].set_cookie("bookcross_staff", cookie)
    page = apps["catalog"].get("/staff/shipments/999999?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    assert 'id="error">Shipment not found.</p>' in html and nav_of(html)
    api = apps["catalog"].get("/api/v1/shipments/999999", headers={"Accept-Language": "en"})
    assert (api.status_code, api.json["message"]) == (404, "Shipment not found.")
