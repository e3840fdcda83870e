import pytest

from services.notifications.sms_segments import measure
from shared.i18n import latin


@pytest.mark.parametrize("length,segments", [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_boundaries(length, segments):
    size = measure("a" * length)
    assert (size.encoding, size.units, size.segments) == ("GSM-7", length, segments)


@pytest.mark.parametrize("length,segments", [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_boundaries(length, segments):
    size = measure("ї" * length)
    assert (size.encoding, size.units, size.segments) == ("UCS-2", length, segments)


def test_extension_characters_take_two_septets():
    assert measure("€" * 80).units == 160 and measure("€" * 80).segments == 1
    assert measure("€" * 81).segments == 2


def test_emoji_takes_two_ucs2_units():
    assert measure("📚").units == 2


def test_empty_text_costs_nothing():
    assert measure("").segments == 0


def test_latin_ukrainian_is_cheaper():
    text = "Ваші 17 книжок уже на полицях у 3 центрах: Краматорськ, Харків, Суми. Дякуємо!"
    assert measure(text).encoding == "UCS-2" and measure(text).segments == 2
    assert measure(latin(text)).encoding == "GSM-7" and measure(latin(text)).segments == 1


def test_typography_is_made_plain_for_gsm7():
    from services.notifications.sms_segments import plain_punctuation

    text = plain_punctuation(latin("Книжки їдуть на сортування — а звідти «на полиці»…"))
    assert text == 'Knyzhky yidut na sortuvannia - a zvidty "na polytsi"...'
    assert measure(text).encoding == "GSM-7"
