import jinja2
import pytest

from services.notifications.messages import render
from services.notifications.sms_segments import measure

URL = "http://127.0.0.1:8002/track/1RF4-VTG9-TYZZ-G"
CENTRES = [{"settlement": "Краматорськ", "oblast": "Донецька", "priority": True},
           {"settlement": "Харків", "oblast": "Харківська", "priority": True},
           {"settlement": "Львів", "oblast": "Львівська", "priority": False}]


def test_shelves_message_counts_books_and_names_centres_in_ukrainian():
    message = render("on_shelves", "uk", count=17, total=40, centres=CENTRES, tracking_url=URL)
    assert message.subject == "17 книжок вже на полицях"
    assert message.text.startswith("17 книжок з ваших 40 уже на полицях у 3 центрах: "
                                   "Краматорськ (Донецька обл.), Харків (Харківська обл.), Львів (Львівська обл.).")
    assert message.text.endswith(URL)


def test_english_and_latin():
    english = render("on_shelves", "en", count=1, total=3, centres=CENTRES[:1], tracking_url=URL)
    assert english.text.startswith("1 book of your 3 is on the shelves of a service centre: Краматорськ")
    latin = render("collected", "uk", latin_script=True, count=2, declared=3, tracking_url=URL)
    assert latin.text.startswith("My zabraly 2 knyzhky (vy proponuvaly 3).")
    assert measure(latin.text).encoding == "GSM-7"


@pytest.mark.parametrize("stage,context", [
    ("offered", {"name": "Олена", "count": 3, "tracking_code": "1RF4-VTG9-TYZZ-G"}),
    ("offered", {"name": None, "count": 1, "tracking_code": "1RF4-VTG9-TYZZ-G"}),
    ("pickup_scheduled", {"day": "02.12.2026", "start": "10:00", "end": "13:00"}),
    ("pickup_failed", {"reason": "Нікого не було вдома."}),
    ("collected", {"count": 2, "declared": 2}),
    ("on_shelves", {"count": 5, "total": 5, "centres": CENTRES[2:]}),
    ("pickup_rescheduled", {"day": "03.12.2026", "start": "14:00", "end": "16:00"}),
    ("cancelled", {"by": "staff", "reason": "Адреса не існує."}),
    ("cancelled", {"by": "donor", "reason": None}),
    ("catalogued", {"count": 38, "total": 40}),
    ("taken", {"count": 2, "total": 40}),
    ("noted", {"count": 1, "total": 40}),
])
@pytest.mark.parametrize("lang", ["uk", "en"])
def test_every_template_renders_in_both_languages_with_the_link(stage, context, lang):
    message = render(stage, lang, tracking_url=URL, **context)
    assert message.subject and URL in message.text
    assert "{{" not in message.text and "None" not in message.text


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(jinja2.UndefinedError):
        render("collected", "uk", tracking_url=URL)
