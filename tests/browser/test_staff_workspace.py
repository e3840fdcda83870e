"""A person's day in the staff workspace, in real Chromium against the running network: a
logistics user and a centre user sign in once and reach every page of their day — across the
services, each on its own port here — by the header's links only, never typing an address; the
language switch and sign-out are in the same place on every page."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.staff import make_staff

pytestmark = pytest.mark.e2e
KHARKIV = "6341"
PASSWORD = "correct horse battery"


def sign_in(network, page, role: str, centre: str | None = None) -> str:
    """The one address anyone types: the sign-in page."""
    name = f"{role}-{uuid.uuid4().hex[:6]}"
    make_staff(name, role, centre, password=PASSWORD)
    page.goto(network.url("catalog") + "/staff/login")
    page.get_by_label("Ім'я користувача").fill(name)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    expect(page).to_have_url(network.url("catalog") + "/staff/?lang=uk")
    return name


def go(page, label: str, url_pattern: str, heading: str) -> None:
    """Follow a link of the header's navigation; the page opens in the same layout."""
    page.locator("#staff-nav").get_by_role("link", name=label, exact=True).click()
    expect(page).to_have_url(re.compile(url_pattern))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.locator("#staff-nav a[aria-current=page]")).to_have_text(label)


def nav_labels(page) -> list[str]:
    return page.locator("#staff-nav a").all_inner_texts()


def test_a_logistics_day_by_links_only(network, page):
    name = sign_in(network, page, "logistics")
    expect(page.locator("#whoami")).to_contain_text(name)
    assert nav_labels(page) == ["Головна", "Вивезення", "Хаб", "Відправлення", "Звіти", "Питання"]

    donations, catalog = re.escape(network.url("donations")), re.escape(network.url("catalog"))
    go(page, "Вивезення", rf"^{donations}/staff/board\?lang=uk", "Вивезення: що чекає")
    go(page, "Хаб", rf"^{catalog}/staff/hub\?lang=uk", "Хаб: опис книжок")
    go(page, "Відправлення", rf"^{catalog}/staff/shipments\?lang=uk", "Відправлення")
    go(page, "Звіти", rf"^{catalog}/staff/reports\?lang=uk", "Як працює мережа")
    go(page, "Питання", rf"^{donations}/staff/questions\?lang=uk", "Питання до людини")

    # The language switch: same page in English, and the links carry the language on.
    page.locator(".staff-bar").get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questions for a person")
    assert nav_labels(page) == ["Home", "Pickups", "Hub", "Shipments", "Reports", "Questions"]
    go(page, "Pickups", rf"^{donations}/staff/board\?lang=en", "Pickups waiting")
    go(page, "Home", rf"^{catalog}/staff/\?lang=en", "bookcross")

    # Sign-out, from a page of another service: every session of this person ends.
    go(page, "Pickups", rf"^{donations}/staff/board", "Pickups waiting")
    page.locator("#sign-out").get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"^{catalog}/staff/login"))
    expect(page.locator("#staff-nav")).to_have_count(0)
    page.goto(network.url("donations") + "/staff/board")
    expect(page).to_have_url(re.compile(rf"^{catalog}/staff/login\?.*next="))


def test_a_centre_day_by_links_only_and_the_scan_modes_beside_their_labels(network, page):
    sign_in(network, page, "centre_staff", KHARKIV)
    assert nav_labels(page) == ["Головна", "Відправлення", "Сканування"]
    catalog = re.escape(network.url("catalog"))
    go(page, "Відправлення", rf"^{catalog}/staff/shipments\?lang=uk", f"Відправлення · {KHARKIV}")
    go(page, "Сканування", rf"^{catalog}/staff/centres/{KHARKIV}/scan\?lang=uk", f"Центр {KHARKIV}")

    # Each mode's radio button sits on its label's line, a box's size, not stretched across.
    for label in ("Приймаємо відправлення", "Ставимо на полицю", "Переоблік полиці"):
        radio = page.get_by_label(label).bounding_box()
        text = page.locator("label.choice", has_text=label).bounding_box()
        assert radio["width"] < 40, (label, radio)
        assert text["y"] <= radio["y"] + radio["height"] / 2 <= text["y"] + text["height"], (label, radio, text)
        assert radio["x"] <= text["x"] + 4  # the box first, the words after it on the same line
    page.get_by_label("Ставимо на полицю").check()
    expect(page.get_by_label("Ставимо на полицю")).to_be_checked()

    go(page, "Головна", rf"^{catalog}/staff/\?lang=uk", "bookcross")
    page.locator("#sign-out").get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"^{catalog}/staff/login"))
