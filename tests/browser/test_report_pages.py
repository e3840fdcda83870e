"""The reports in real Chromium, on a phone-sized screen, in Ukrainian and English: the staff
dashboard with its charts and tables, the equity map of the oblasts, and the public 'where
books are needed' page the offer form links to."""
from __future__ import annotations

import re
import uuid

import pytest
import requests
from playwright.sync_api import expect

from services.catalog.services.staff import add_staff
from tests.e2e.catalog_steps import (
    allocate_and_dispatch,
    bearer,
    catalogue,
    centre_token,
    collected_donation,
    only_these_shelves,
    scan,
)

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
SHELVES = {"1452": 6, "6341": 6, "4641": 6}  # Kramatorsk, Kharkiv, Lviv


@pytest.fixture(scope="module")
def books_on_shelves(network, logistics_token, admin_token):
    only_these_shelves(network, admin_token, SHELVES)
    requests.put(f"{network.url('catalog')}/api/v1/oblasts/Донецька/wishes",
                 json={"kinds": ["ukrainian_history", "children"]}, headers=bearer(admin_token),
                 timeout=10).raise_for_status()
    donation = collected_donation(network, logistics_token, [{"title": "Кобзар", "quantity": 6}], collected=6)
    catalogue(network, logistics_token, donation["id"], [{"title": f"Книжка {i}", "authors": "Автор"} for i in range(6)])
    for centre, shipment in allocate_and_dispatch(network, logistics_token, [donation["id"]]).items():
        for copy in shipment["copies"]:
            scan(network, centre_token(centre), centre, copy["code"], "shelve")
    return donation


def sign_in(network, page, lang: str) -> None:
    name = f"comms-{uuid.uuid4().hex[:6]}"
    add_staff(name, "admin", password=PASSWORD)
    page.goto(network.url("catalog") + f"/staff/reports?lang={lang}")
    expect(page).to_have_url(re.compile(r"/staff/login\?.*next="))
    page.locator("#name").fill(name)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/reports"))


@pytest.mark.parametrize("lang, heading, map_title, needs", [
    ("uk", "Як працює мережа", "Книжок на полицях на 1000 відвідувачів, за областю", "Де потрібні книжки"),
    ("en", "How the network is doing", "Books on shelves per 1,000 visitors, by oblast", "Where books are needed"),
])
def test_dashboard_map_and_needs_page(network, page, books_on_shelves, lang, heading, map_title, needs):
    sign_in(network, page, lang)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # Every chart is an SVG image with a name, and its numbers are in a table.
    for table in ("#told-table", "#delivery-table", "#lead-table", "#feedback-table", "#oblast-table",
                  "#months-table"):
        expect(page.locator(table)).to_have_count(1)
    expect(page.locator("svg.pygal-chart[role=img]").first).to_be_visible()
    # The charts' stylesheet applies (the page's CSP refuses a <style> without its nonce, and
    # an unstyled pygal chart is a black box).
    background = page.evaluate("getComputedStyle(document.querySelector('svg.pygal-chart .background')).fill")
    assert background in ("transparent", "rgba(0, 0, 0, 0)", "none"), background
    shelved = page.locator("#months-table tbody tr").first.locator("[data-shelved]")
    expect(shelved).to_have_text("6")
    # The map: 27 oblasts, the East coloured like the rest, each with its name and figure.
    expect(page.locator("#map svg path")).to_have_count(27)
    donetsk = page.locator('#map path[data-oblast="Донецька"]')
    expect(donetsk.locator("title")).to_contain_text("Донецька" if lang == "uk" else "Donetsk")
    assert donetsk.get_attribute("fill") != "#d9d9d9"
    page.screenshot(path=f"/tmp/bookcross-dashboard-{lang}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 440, f"the page scrolls sideways on a phone ({width} px)"

    page.locator("#map-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(map_title)
    expect(page.locator("#map-table tbody tr")).to_have_count(24)  # oblasts with centres
    expect(page.locator('#map-table tr[data-oblast="Донецька"] [data-per-1000]')).not_to_have_text("")

    # The offer form links to the needs page; Donetsk oblast shows its wishes.
    page.goto(network.url("donations") + f"/?lang={lang}")
    page.locator("#needs-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(needs)
    donetsk_section = page.locator('section[data-oblast="Донецька"]')
    expect(donetsk_section.locator(".wishes")).to_have_text(
        "історія України, дитячі книжки" if lang == "uk" else "Ukrainian history, children's books")
    expect(donetsk_section.locator("tbody tr")).to_have_count(1)
    page.screenshot(path=f"/tmp/bookcross-needs-{lang}.png", full_page=True)
