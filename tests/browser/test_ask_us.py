"""The "Ask us" box in real Chromium on a phone-sized screen, in Ukrainian and in English, with
JavaScript switched off (a plain HTML form): the link from the offer form, an answer at once to
a tracking code, a question passed to a person and later answered on the same page, a mistake
named at its field, and "erase this question"."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.samples import offer

pytestmark = pytest.mark.e2e


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(locale="uk-UA", viewport={"width": 400, "height": 860}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_ask_us_in_ukrainian_a_code_answered_at_once_and_a_question_for_a_person(network, no_js_page):
    page = no_js_page
    created = requests.post(f"{network.url('donations')}/api/v1/donations", timeout=10, json=offer(
        donor={"kind": "citizen", "name": "Ірина", "email": "iryna.ask@example.com", "consent": True})).json()
    page.goto(network.url("donations") + "/")
    page.get_by_role("link", name="Запитайте нас").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Запитайте нас")

    # A mistake is named at its field, in Ukrainian.
    page.get_by_label("Ваше питання").fill("де мої книжки")
    page.get_by_label("Електронна пошта").fill("olena@kyiv")  # the browser lets it through; we do not
    page.get_by_role("button", name="Запитати").click()
    expect(page.locator("#error-summary")).to_contain_text("Неправильна адреса електронної пошти.")
    expect(page.get_by_label("Електронна пошта")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Електронна пошта").fill("")
    page.get_by_label("Ваше питання").fill(f"Добрий день, де мої книжки? {created['tracking_code'].lower()}")
    page.get_by_role("button", name="Запитати").click()
    expect(page).to_have_url(re.compile(r"/ask/[A-Za-z0-9_-]{20,}\?lang=uk"))
    answer = page.locator("#answer")
    expect(answer).to_contain_text(f"Пожертва {created['tracking_code']}: запропоновано.")
    expect(answer).to_contain_text("Ми отримали вашу пропозицію: 3 книжки.")
    expect(answer.get_by_role("link")).to_have_attribute("href", re.compile(f"/track/{created['tracking_code']}"))
    expect(page.locator("body")).not_to_contain_text("Ірина")
    page.screenshot(path=str(network.log_dir / "ask-uk.png"), full_page=True)

    # A question for a person: the honest handover, and the page to come back to.
    page.get_by_label("Ваше питання").fill("Чи можна стати волонтером у вашому проєкті?")
    page.get_by_role("button", name="Запитати").click()
    expect(page.locator("#answer")).to_contain_text("передаю ваше питання колезі")
    expect(page.locator("#waiting")).to_be_visible()
    own_page = page.url

    from tests.staff import staff_cookie

    _, cookie = staff_cookie("olha", "logistics")
    staff = requests.Session()
    staff.cookies.set("bookcross_staff", cookie)
    queue = staff.get(f"{network.url('donations')}/staff/questions", timeout=10)
    assert "стати волонтером" in queue.text
    question_id = re.search(r'id="question-([0-9a-f-]{36})"[^>]*>\s*<h2[^>]*>[^<]*</h2>\s*<blockquote[^>]*>Чи можна стати',
                            queue.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
    assert staff.post(f"{network.url('donations')}/staff/questions/{question_id}", timeout=10, allow_redirects=False,
                      data={"csrf": csrf, "answer": "Так! Напишіть нам на пошту команди."}).status_code == 303

    page.goto(own_page)  # reopened later from the saved link
    expect(page.locator("#staff-answer")).to_contain_text("Так! Напишіть нам на пошту команди.")
    expect(page.locator("#waiting")).to_have_count(0)
    page.get_by_role("button", name="Видалити це питання").click()
    expect(page.locator("#ask-message")).to_have_text("Питання видалено.")
    expect(page.locator("body")).not_to_contain_text("стати волонтером")


def test_ask_us_in_english(network, no_js_page):
    page = no_js_page
    page.goto(network.url("donations") + "/ask?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask us")
    page.get_by_role("button", name="Ask").click()  # empty: the browser asks for it first (required)
    expect(page).to_have_url(re.compile(r"/ask\?lang=en$"))
    page.get_by_label("Your question").fill("Hi! How can I donate books in Lviv?")
    page.get_by_role("button", name="Ask").click()
    answer = page.locator("#answer")
    expect(answer).to_have_attribute("lang", "en")
    expect(answer).to_contain_text("Giving books is simple")
    expect(answer).to_contain_text("Lviv")
    page.get_by_label("Your question").fill("where is the nearest shelf?")
    page.get_by_role("button", name="Ask").click()
    expect(page.locator("#answer")).to_contain_text("Tell me your town or oblast")
    page.screenshot(path=str(network.log_dir / "ask-en.png"), full_page=True)
