"""A donor fills the offer form on a phone-sized screen and follows the donation; logistics
signs in and works the board. Real Chromium, real gunicorn, real workers."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from services.catalog.services.staff import add_staff

pytestmark = pytest.mark.e2e


def fill_offer(page, *, title, quantity=1, address, city, oblast, isbn=None, email_tag="donor"):
    """What a donor types into the offer form (a fresh e-mail each time: not a double submit)."""
    page.get_by_label("Електронна пошта").fill(f"{email_tag}+{uuid.uuid4().hex[:6]}@example.com")
    if isbn:
        page.locator("#item-0-isbn").fill(isbn)
        page.locator("#item-0-quantity").fill(str(quantity))
        page.locator("#item-1-title").fill(title)
    else:
        page.locator("#item-0-title").fill(title)
        page.locator("#item-0-quantity").fill(str(quantity))
    page.get_by_label("Адреса").fill(address)
    page.get_by_label("Населений пункт").fill(city)
    page.get_by_label("Область").select_option(oblast)
    page.get_by_label("Згоден(-на), щоб мені писали про долю цих книжок").check()


def test_offer_form_gives_a_tracking_code_and_opens_the_tracking_page(network, page):
    page.goto(network.url("donations") + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Подарувати книжки сервісним центрам МВС")
    fill_offer(page, isbn="0-306-40615-2", quantity=2, title="Кобзар", address="вул. Сумська, 1",
               city="Харків", oblast="Харківська", email_tag="olena")
    page.get_by_role("button", name="Подарувати").click()

    expect(page).to_have_url(re.compile(r"/track/[0-9A-Z]{13}\?"))
    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", code)
    expect(page.get_by_role("status")).to_contain_text("Збережіть код")
    expect(page.locator("#timeline li").first).to_contain_text("Ми отримали вашу пропозицію: 3 книжки.")
    page.screenshot(path=str(network.log_dir / "tracking-uk.png"), full_page=True)

    page.get_by_role("link", name="English").click()
    expect(page.locator("#timeline li").first).to_contain_text("We received your offer: 3 books.")
    page.locator("#latin-switch").click()
    expect(page.locator("#timeline li").first).to_contain_text("My otrymaly vashu propozytsiiu")

    # Opened again later by its code, as a donor would from the e-mail:
    page.goto(network.url("donations") + "/track/" + code.lower())
    expect(page.locator("#status")).to_contain_text("запропоновано")


def test_mistakes_are_listed_focused_and_tied_to_their_fields(network, page):
    page.goto(network.url("donations") + "/")
    page.locator("#donor-email").fill("not-an-email")
    page.locator("#item-0-isbn").fill("978-0-306-40615-8")
    page.get_by_role("button", name="Подарувати").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Неправильна адреса електронної пошти.")
    expect(summary).to_contain_text("контрольна цифра не збігається")
    expect(page.locator("#donor-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#item-0-isbn")).to_have_attribute("aria-describedby", "item-0-isbn-error")
    expect(page.locator("#donor-email")).to_have_value("not-an-email")  # nothing typed is lost


def test_a_double_click_makes_one_donation(network, page):
    page.goto(network.url("donations") + "/")
    fill_offer(page, title="Лісова пісня", address="вул. Лесі Українки, 2", city="Луцьк",
               oblast="Волинська", email_tag="twice")
    form_id = page.locator("input[name=form_id]").input_value()
    page.get_by_role("button", name="Подарувати").click()
    expect(page).to_have_url(re.compile(r"/track/"))
    first = page.locator("#tracking-code").inner_text()
    page.go_back()
    expect(page.locator("input[name=form_id]")).to_have_value(form_id)
    page.get_by_role("button", name="Подарувати").click()
    expect(page.locator("#tracking-code")).to_have_text(first)


def test_logistics_signs_in_schedules_and_records_a_collection(network, page, browser):
    name = f"logist-{uuid.uuid4().hex[:6]}"
    add_staff(name, "logistics", password="correct horse battery")
    # a donation to work on
    page.goto(network.url("donations") + "/")
    fill_offer(page, title="Захар Беркут", quantity=4, address="вул. Центральна, 5", city="Краматорськ",
               oblast="Донецька", email_tag="board")
    page.get_by_role("button", name="Подарувати").click()
    tracking_url = page.url

    staff = browser.new_context(locale="uk-UA").new_page()
    staff.goto(network.url("donations") + "/staff/board")
    expect(staff).to_have_url(re.compile(r"/staff/login\?next="))
    staff.get_by_label("Ім'я користувача").fill(name)
    staff.get_by_label("Пароль").fill("correct horse battery")
    staff.get_by_role("button", name="Увійти").click()
    expect(staff).to_have_url(re.compile(r"/staff/board"))
    section = staff.locator("section", has=staff.get_by_role("heading", name=re.compile("Донецька")))
    row = section.locator("tr", has_text="вул. Центральна, 5")
    row.get_by_label("Початок (за Києвом)").fill("2026-12-04T10:00")
    row.get_by_role("button", name="Запланувати").click()
    expect(staff.locator("#board-message")).to_have_text("Збережено.")
    row = staff.locator("tr", has_text="вул. Центральна, 5")
    row.get_by_label("Забрали книжок").fill("3")
    row.get_by_role("button", name="Забрали").click()
    expect(staff.locator("tr", has_text="вул. Центральна, 5")).to_have_count(0)

    page.goto(tracking_url)
    expect(page.locator("#timeline li[data-stage=pickup_scheduled]")).to_contain_text("04.12.2026 10:00–12:00")
    expect(page.locator("#timeline li[data-stage=collected]")).to_contain_text("Книжки забрали: 3 книжки (ви пропонували 4).")
    # catalog's answer arrives over the bus
    for _ in range(60):
        if page.locator("#timeline li[data-stage=at_hub]").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator("#timeline li[data-stage=at_hub]")).to_contain_text("сортувальному складі")


def test_board_refuses_a_forged_form(network, page):
    import requests

    response = requests.post(network.url("donations") + f"/staff/board/{uuid.uuid4()}/collection",
                             data={"count": 1, "csrf": "forged"}, allow_redirects=False, timeout=5)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
