"""What the assistant reads in a question (pure): tracking codes anywhere, Latin-typed
Ukrainian, places and centre numbers."""
from __future__ import annotations

import pytest

from services.donations.assistant.language import find_codes, find_places, to_cyrillic, words
from shared import codes

CODE = "X346-JD2E-SG9S-D"


@pytest.mark.parametrize("text", [
    f"де мої книжки {CODE}", "де мої книжки X346JD2ESG9SD", "x346jd2esg9sd де книжки?", "код: X346 JD2E SG9S D",
    "Х346-JD2Е-SG9S-D",  # Cyrillic Х and Е typed for the Latin ones
    "X346-JD2E-SG9S-D.", "(X346—JD2E—SG9S—D)",
])
def test_a_valid_code_is_found_however_it_is_written(text):
    assert codes.is_valid(CODE, codes.TRACKING_RANDOM_CHARS)
    assert find_codes(text).valid == (CODE,)


@pytest.mark.parametrize("text", ["де мої книжки? wgse-mbza-xrhj-d", "WGSE-MBZA-XRHJ-D", "wgse mbza xrhj d",
                                  "де мої книжки wgsembzaxrhjd"])
def test_a_code_of_letters_only_is_found_in_small_letters(text):
    assert find_codes(text).valid == ("WGSE-MBZA-XRHJ-D",)


def test_a_lone_word_of_thirteen_letters_is_a_code_only_if_its_check_character_agrees():
    assert find_codes("wgsembzaxrhje") == find_codes("")


def test_o_for_zero_and_l_for_one_are_forgiven():
    assert find_codes("SJ22-R2S5-A3MO-S").valid == ("SJ22-R2S5-A3M0-S",)


@pytest.mark.parametrize("text", ["X346-JD2E-SG9S-E", "де мої книжки X346-JD2E-SG9S", "8HM6B5TNPHGYM"])
def test_a_mistyped_code_is_noticed_not_matched(text):
    found = find_codes(text)
    assert found.valid == () and found.mistyped


@pytest.mark.parametrize("text", ["+380671234567", "I'd like to donate about 40 books", "de moi knyzhky tut",
                                  "хочу подарувати 300 книжок", "ТСЦ 6341"])
def test_words_and_numbers_are_not_codes(text):
    assert find_codes(text) == find_codes("") or not (find_codes(text).valid or find_codes(text).mistyped)


@pytest.mark.parametrize("latin,cyrillic", [("knyzhky", "книжки"), ("de", "де"), ("moi", "мої"),
                                            ("potribni", "потрібні"), ("podaruvaty", "подарувати"),
                                            ("liudynoiu", "людиною"), ("vidpysatysia", "відписатися")])
def test_latin_typed_ukrainian_is_read_in_cyrillic(latin, cyrillic):
    assert to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize("text,kind,name", [
    ("полиця в Харкові", "settlement", "Харків"), ("у Львові", "settlement", "Львів"),
    ("в Кривому Розі", "settlement", "Кривий Ріг"), ("в Білій Церкві", "settlement", "Біла Церква"),
    ("на Донеччині", "oblast", "Донецька"), ("у Сумській області", "oblast", "Сумська"),
    ("в Полтаві", "oblast", "Полтавська"), ("в Харькове", "settlement", "Харків"),
    ("Kharkiv", "settlement", "Харків"), ("Odesa", "settlement", "Одеса"), ("Kharkiv oblast", "oblast", "Харківська"),
])
def test_places_in_any_case_and_spelling(text, kind, name):
    tokens = [to_cyrillic(w) if w.isascii() else w for w in words(text)]
    place = find_places(tokens).first
    assert place is not None and (place.kind, place.name) == (kind, name)


def test_a_centre_number_is_a_centre_and_a_year_is_not():
    assert find_places(words("де ТСЦ 6341")).centre_codes == ["6341"]
    assert find_places(words("у 2024 році")).centre_codes == []
