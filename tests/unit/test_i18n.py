from shared import i18n


def test_ukrainian_is_the_default():
    assert i18n.negotiate(None) == "uk"
    assert i18n.negotiate("de-DE,fr;q=0.8") == "uk"


def test_accept_language_quality_is_respected():
    assert i18n.negotiate("en-GB,en;q=0.9,uk;q=0.8") == "en"
    assert i18n.negotiate("en;q=0.3,uk;q=0.9") == "uk"
    assert i18n.negotiate("uk", explicit="en") == "en"


def test_every_message_has_both_languages():
    for key, texts in i18n.MESSAGES.items():
        assert texts.get("uk") and texts.get("en"), key


def test_marshmallow_messages_are_translated_by_field():
    errors = {"donor": {"email": ["Missing data for required field."]},
              "items": {"0": {"quantity": ["Not a valid integer."]}}}
    uk = i18n.translate_errors(errors, "uk")
    assert uk["donor"]["email"] == ["Обов'язкове поле."]
    assert uk["items"]["0"]["quantity"] == ["Має бути ціле число."]
    en = i18n.translate_errors(errors, "en")
    assert en["donor"]["email"] == ["This field is required."]


def test_domain_markers_carry_parameters():
    marker = i18n.field_error("error.forbidden_centre", centre="1241")
    assert i18n.translate_field_message(marker, "en") == "You can act only for your own centre (1241)."
