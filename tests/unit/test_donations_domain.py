import pytest

from services.donations import domain, texts
from shared.books import normalise_isbn


def test_pickup_lifecycle():
    assert domain.next_status("offered", "schedule_pickup", "pickup") == "pickup_scheduled"
    assert domain.next_status("pickup_scheduled", "schedule_pickup", "pickup") == "pickup_scheduled"
    assert domain.next_status("pickup_scheduled", "fail_pickup", "pickup") == "pickup_failed"
    assert domain.next_status("pickup_failed", "schedule_pickup", "pickup") == "pickup_scheduled"
    assert domain.next_status("pickup_scheduled", "collect", "pickup") == "collected"


@pytest.mark.parametrize("status,action", [
    ("collected", "collect"), ("collected", "schedule_pickup"), ("cancelled", "collect"),
    ("offered", "fail_pickup"), ("collected", "cancel"),
])
def test_forbidden_transitions(status, action):
    with pytest.raises(domain.TransitionNotAllowed) as info:
        domain.next_status(status, action, "pickup")
    assert info.value.status == status


def test_dropoff_has_no_pickup():
    with pytest.raises(domain.TransitionNotAllowed):
        domain.next_status("offered", "schedule_pickup", "dropoff")
    assert domain.next_status("offered", "collect", "dropoff") == "collected"


def test_isbn10_becomes_isbn13_and_bad_checksum_is_refused():
    assert normalise_isbn("0-306-40615-2") == "9780306406157"
    assert normalise_isbn("978-0-306-40615-7") == "9780306406157"
    with pytest.raises(ValueError):
        normalise_isbn("978-0-306-40615-8")


def test_ukrainian_phone_numbers_become_e164():
    assert domain.normalise_phone("067 123 45 67") == "+380671234567"
    assert domain.normalise_phone("+380 (67) 123-45-67") == "+380671234567"
    with pytest.raises(ValueError):
        domain.normalise_phone("12345")


def test_fingerprint_ignores_item_order_and_case():
    a = [domain.Item("9780306406157", None, None, 2), domain.Item(None, "Кобзар", "Шевченко", 1)]
    b = [domain.Item(None, "кобзар ", "шевченко", 1), domain.Item("9780306406157", None, None, 2)]
    assert domain.offer_fingerprint("a@b.ua", a, "pickup") == domain.offer_fingerprint("A@b.ua", b, "pickup")
    assert domain.offer_fingerprint("a@b.ua", a, "pickup") != domain.offer_fingerprint("a@b.ua", a, "dropoff")


@pytest.mark.parametrize("n,word", [(1, "книжка"), (2, "книжки"), (4, "книжки"), (5, "книжок"),
                                    (11, "книжок"), (12, "книжок"), (21, "книжка"), (22, "книжки"),
                                    (111, "книжок")])
def test_ukrainian_plural_of_books(n, word):
    assert texts.books(n, "uk") == f"{n} {word}"


def test_latin_uses_the_official_kmu_55_standard():
    assert texts.latin("Згорани Розгон Щербухи Гоща Юрій Знам'янка") == \
        "Zghorany Rozghon Shcherbukhy Hoshcha Yurii Znamianka"
