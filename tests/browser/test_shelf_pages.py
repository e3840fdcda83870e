"""At the shelves, in real Chromium: centre staff scan with a keyboard-typing barcode scanner,
lose the network and get it back with nothing counted twice; a reader opens the QR page."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from services.catalog.models import Scan
from services.catalog.services.staff import add_staff
from shared import db
from shared.models import OutboxEvent
from tests.e2e.catalog_steps import allocate_and_dispatch, catalogue, collected_donation, only_these_shelves

pytestmark = pytest.mark.e2e
KHARKIV = "6341"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def shipped(network, logistics_token, admin_token):
    """Eight books on their way to Kharkiv."""
    only_these_shelves(network, admin_token, {KHARKIV: 20})
    items = [{"title": "Тигролови", "authors": "Іван Багряний", "quantity": 8}]
    donation = collected_donation(network, logistics_token, items, collected=8)
    catalogue(network, logistics_token, donation["id"],
              [{"title": f"Том {i}", "authors": "Леся Українка"} for i in range(1, 9)])
    shipment = allocate_and_dispatch(network, logistics_token, [donation["id"]])[KHARKIV]
    return [c["code"] for c in shipment["copies"]]


def arrivals(code: str) -> int:
    compact = code.replace("-", "")
    with db.session_scope("catalog") as session:
        return sum(1 for e in session.scalars(select(OutboxEvent.envelope).where(
            OutboxEvent.event_type == "catalog.copy_arrived")) if e["payload"]["copy_code"] == compact)


def scanner_types(page, code: str) -> None:
    """What a USB barcode scanner does: types the code into the focused field, then Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def sign_in_at_scan_page(network, page) -> None:
    name = f"centre-{uuid.uuid4().hex[:6]}"
    add_staff(name, "centre_staff", centre=KHARKIV, password=PASSWORD)
    page.goto(network.url("catalog") + f"/staff/centres/{KHARKIV}/scan")
    expect(page).to_have_url(re.compile(r"/staff/login\?.*next="))
    page.get_by_label("Ім'я користувача").fill(name)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    expect(page).to_have_url(re.compile(rf"/staff/centres/{KHARKIV}/scan"))


def test_scanner_typing_offline_queue_and_no_double_count(network, page, shipped):
    sign_in_at_scan_page(network, page)
    field = page.locator("#scan-code")
    expect(field).to_be_focused()
    result = page.locator("#result")

    scanner_types(page, shipped[0])
    expect(result).to_have_class("received")
    expect(result).to_contain_text("Отримано: «Том")
    expect(field).to_be_focused()
    scanner_types(page, shipped[0])
    expect(result).to_have_class("already_received")
    scanner_types(page, "ABCDE-FGHJK")
    expect(result).to_have_class("unknown")
    expect(page.locator("#recent li")).to_have_count(3)

    # Choosing a mode with the mouse sends focus back to the field.
    page.get_by_label("Ставимо на полицю").check()
    expect(field).to_be_focused()
    page.get_by_label("Приймаємо відправлення").check()

    # The network drops: scans wait in the browser, then go out when it returns.
    page.context.set_offline(True)
    scanner_types(page, shipped[1])
    scanner_types(page, shipped[2])
    expect(page.locator("#net")).to_contain_text("у черзі — 2")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#net")).to_have_text("Зв'язок є.")
    expect(page.locator("#recent li[data-result=received]")).to_have_count(3)

    # The answer to a scan is lost on the way back (the server did the work): the browser
    # sends the same scan again later, and the server answers it without a second effect.
    lost = []

    def lose_answer(route):
        if not lost:
            route.fetch()  # reaches the server
            lost.append(True)
            route.abort()  # …but the browser never hears back
        else:
            route.continue_()

    page.route("**/scans", lose_answer)
    scanner_types(page, shipped[3])
    expect(page.locator("#net")).to_contain_text("у черзі — 1")
    expect(page.locator("#recent li[data-result=received]")).to_have_count(4, timeout=20000)
    page.unroute("**/scans")
    for code in shipped[:4]:
        assert arrivals(code) == 1, code
    with db.session_scope("catalog") as session:
        assert session.scalar(select(func.count()).select_from(Scan).where(
            Scan.copy_code == shipped[3].replace("-", ""))) == 1
    assert page.evaluate(f"localStorage.getItem('bookcross.scan-queue.{KHARKIV}')") == "[]"


def test_a_misrouted_copy_is_kept_with_one_click_and_the_count_is_closed(network, page, shipped,
                                                                        logistics_token):
    # A copy that never left the hub turns up in Kharkiv.
    donation = collected_donation(network, logistics_token, [{"title": "Intermezzo"}], collected=1)
    [stray] = catalogue(network, logistics_token, donation["id"],
                        [{"title": "Intermezzo", "authors": "Михайло Коцюбинський"}])["created"]
    sign_in_at_scan_page(network, page)
    scanner_types(page, stray["code"])
    expect(page.locator("#result")).to_have_class("misrouted")
    expect(page.locator("#result")).to_contain_text("ще нікуди не відправляли")
    page.get_by_role("button", name="Залишити тут").click()
    expect(page.locator("#result")).to_have_text("Готово.")
    expect(page.locator("#decision")).to_be_hidden()
    expect(page.locator("#scan-code")).to_be_focused()
    assert arrivals(stray["code"]) == 1

    page.get_by_label("Переоблік полиці").check()
    scanner_types(page, shipped[4])
    expect(page.locator("#result")).to_have_class("counted")
    expect(page.locator("#result")).to_contain_text("(1)")
    page.get_by_role("button", name="Завершити переоблік").click()
    expect(page.locator("#count-result")).to_contain_text("Переоблік завершено")


def test_the_copy_page_tells_its_journey_and_takes_a_note(network, page, shipped):
    page.goto(network.url("catalog") + f"/c/{shipped[5]}")
    expect(page.locator("#copy-title")).to_have_text(re.compile(r"Том \d"))
    expect(page.locator("#copy-from")).to_contain_text("подарувала людина, Харків")
    expect(page.locator("#journey li")).to_have_count(2)  # catalogued, sent
    page.get_by_label("Ваш відгук (до 500 знаків)").fill("<b>Читала</b> в черзі — раджу!")
    page.get_by_label("Прочитаю й передам далі").check()
    page.get_by_role("button", name="Надіслати").click()
    expect(page.locator("#note-thanks")).to_be_visible()
    expect(page.locator("#notes li").first).to_contain_text("Читала в черзі — раджу! (передам далі)")
    page.get_by_role("link", name="English").click()
    expect(page.locator("#journey li").first).to_contain_text("Catalogued at the hub")
    page.goto(network.url("catalog") + "/c/ABCDE-FGHJK")
    expect(page.get_by_role("alert")).to_contain_text("Книжку з таким кодом не знайдено")


def test_hub_intake_with_a_scanner_and_a_book_nobody_knows(network, page, logistics_token):
    donation = collected_donation(network, logistics_token, [{"isbn": "0-306-40615-2", "quantity": 3}], collected=3)
    name = f"hub-{uuid.uuid4().hex[:6]}"
    add_staff(name, "logistics", password=PASSWORD)
    page.goto(network.url("catalog") + "/staff/hub")
    page.get_by_label("Ім'я користувача").fill(name)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()
    expect(page).to_have_url(re.compile(r"/staff/hub"))
    page.locator(f"a[href^='/staff/hub/{donation['id']}']").click()

    expect(page.locator("#isbn")).to_be_focused()
    scanner_types(page, "9780306406157")  # Open Library (the stand-in) knows it
    expect(page.locator("#added")).to_have_text("Додано: 1.")
    expect(page.locator("#copies tbody tr").first).to_contain_text("Signals and systems")
    expect(page.locator("#isbn")).to_be_focused()
    scanner_types(page, "9789660359291")  # nobody knows it: type the title by hand
    expect(page.locator("#title-error")).to_contain_text("вручну")
    expect(page.locator("#title")).to_be_focused()
    page.keyboard.type("Кобзар")
    page.get_by_label("Стан").select_option("damaged")
    page.get_by_role("button", name="Додати").click()
    expect(page.locator("#added")).to_have_text("Додано: 1.")
    expect(page.locator("#reconciliation")).to_contain_text("Описано: 2")
    expect(page.locator("#difference")).to_contain_text("-1 (менше, ніж забрали)")
    labels = page.request.get(network.url("catalog") + page.locator("#labels").get_attribute("href"))
    assert labels.ok and labels.headers["content-type"] == "application/pdf"


def sign_in(network, page, role: str, centre: str | None = None, start: str = "/staff/shipments") -> None:
    name = f"{role}-{uuid.uuid4().hex[:6]}"
    add_staff(name, role, centre=centre, password=PASSWORD)
    page.goto(network.url("catalog") + start)
    page.get_by_label("Ім'я користувача").fill(name)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Увійти").click()


def test_logistics_allocate_and_dispatch_and_the_centre_closes_the_shipment(network, page, browser,
                                                                          shipped, logistics_token):
    donation = collected_donation(network, logistics_token, [{"title": "Енеїда", "quantity": 3}], collected=3)
    catalogue(network, logistics_token, donation["id"],
              [{"title": "Енеїда", "authors": "Іван Котляревський", "quantity": 3}])
    sign_in(network, page, "logistics")
    page.get_by_role("button", name=re.compile("Запропонувати розподіл")).click()
    expect(page).to_have_url(re.compile(r"/staff/allocations/\d+"))
    section = page.locator(f"section[data-centre='{KHARKIV}']")
    expect(section.locator("tbody tr").first).to_contain_text(re.compile(r"\w"))
    page.get_by_role("button", name="Прийняти й створити відправлення").click()
    expect(page).to_have_url(re.compile(r"/staff/shipments"))
    page.locator("#shipments tr[data-status=prepared] a").first.click()
    page.get_by_label("Номер відправлення перевізника").fill("20450000000123")
    page.get_by_role("button", name="Відправити").click()
    expect(page.locator("#shipment-status")).to_contain_text("в дорозі")
    expect(page.locator("#shipment-status")).to_contain_text("20450000000123")
    shipment_url = page.url.split("?")[0]
    codes_ = page.locator("#manifest td.code").all_inner_texts()
    assert len(codes_) >= 3

    centre = browser.new_context(locale="uk-UA").new_page()
    sign_in(network, centre, "centre_staff", KHARKIV)
    expect(centre.locator("#shipments tr[data-status=in_transit]").first).to_be_visible()
    centre.goto(shipment_url)
    centre.get_by_role("button", name=re.compile("Закрити")).click()
    expect(centre.locator("#missing")).to_contain_text(codes_[0])
    expect(centre.locator("#shipment-status")).to_contain_text("закрито")
    # Another centre's staff may not even look at it.
    other = browser.new_context(locale="uk-UA").new_page()
    sign_in(network, other, "centre_staff", "4641")
    response = other.goto(shipment_url)
    assert response.status == 403
