"""The words of the assistant's answers (pure): Ukrainian grammar around places and counts,
English when asked in English, and links on lines of their own."""
from __future__ import annotations

from services.donations.assistant import replies
from services.donations.assistant.language import Place

SNAPSHOT = {"wish_kinds": {"children": {"uk": "дитячі книжки", "en": "children's books"}},
            "centres": [{"code": "6341", "oblast": "Харківська"}],
            "oblasts": [{"oblast": "Харківська", "level": "high", "priority": True, "wishes": ["children"]},
                        {"oblast": "Одеська", "level": "low", "priority": False, "wishes": []}]}


def test_places_take_the_locative_and_the_sound_of_the_next_word():
    assert replies.in_settlement("Харків", "uk") == "у Харкові"
    assert replies.in_settlement("Одеса", "uk") == "в Одесі"
    assert replies.in_settlement("Біла Церква", "uk") == "у Білій Церкві"
    assert replies.oblast_name("Харківська", "uk", where=True) == "у Харківській області"
    assert replies.oblast_name("Одеська", "uk", where=True) == "в Одеській області"
    assert replies.oblast_name("Харківська", "en", where=True) == "in Kharkivska oblast"


def test_needs_of_an_oblast_in_both_languages():
    kharkiv = Place("settlement", "Харків", "Харківська")
    uk = replies.needs(SNAPSHOT, kharkiv, "http://n/needs", "uk")
    assert uk.startswith("У Харківській області потреба в книжках — висока; полиці є в 1 центрі.")
    assert "Там просять: дитячі книжки." in uk and uk.endswith("\nУсі центри: http://n/needs")
    en = replies.needs(SNAPSHOT, kharkiv, "http://n/needs", "en")
    assert en.startswith("The need for books in Kharkivska oblast is high; 1 centre there has a shelf.")
    assert "children's books" in en


def test_no_snapshot_no_invented_needs():
    text = replies.needs(None, None, "http://n/needs", "uk")
    assert text == "Свіжих даних про потреби в мене зараз немає. Вони завжди є тут: http://n/needs"


def test_a_web_handover_names_the_page_and_the_email_on_its_own_line():
    text = replies.handover("other", "web", "http://d/ask/T", "a@example.com", "uk")
    assert text.startswith("Тут я не знаю відповіді, тож передаю ваше питання колезі з команди.")
    assert "надішлемо її на вашу пошту" in text and text.endswith("Збережіть посилання:\nhttp://d/ask/T")
    assert replies.handover("human", "telegram", None, None, "en") == (
        "Of course. I am passing your question to a colleague. The answer will come here as soon as someone reads it.")
