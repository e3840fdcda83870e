"""The SMS gateway and Telegram adapters against local servers that answer as the real ones
document (Twilio's Messages API; Telegram's Bot API sendMessage)."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest

from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.sms_gateway import TwilioSms
from services.notifications.channels.telegram import RetryLater, TelegramBot
from services.notifications.sms_segments import measure
from shared.embedded import free_port
from shared.i18n import latin
from shared.testing.standin import StandInServer, scripted


def test_sms_goes_to_the_gateway_in_its_format_and_latin_fits_one_segment():
    text = latin("Ваші книжки вже на полиці в Краматорську. Дякуємо!")
    with StandInServer(scripted((201, {"sid": "SM0123", "status": "queued", "to": "+380671234567"}))) as gateway:
        sent = TwilioSms(f"http://AC123:secret@{gateway.address}", sender="bookcross").send("+380671234567", text)
    assert sent.gateway_id == "SM0123" and sent.status == "queued"
    request = gateway.received[0]
    assert request.path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:secret").decode()
    assert parse_qs(request.body.decode()) == {"To": ["+380671234567"], "From": ["bookcross"], "Body": [text]}
    assert measure(text).encoding == "GSM-7" and measure(text).segments == 1


@pytest.mark.parametrize("status,body,failure", [
    (400, {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400},
     PermanentFailure),
    (429, {"code": 20429, "message": "Too Many Requests", "status": 429}, TemporaryFailure),
    (503, {}, TemporaryFailure),
])
def test_sms_gateway_refusals(status, body, failure):
    with StandInServer(scripted((status, body))) as gateway, pytest.raises(failure):
        TwilioSms(f"http://AC123:secret@{gateway.address}", sender="bookcross").send("+380671234567", "x")


def test_sms_gateway_away_is_temporary():
    with pytest.raises(TemporaryFailure):
        TwilioSms(f"http://AC1:t@127.0.0.1:{free_port()}", sender="b", timeout=2).send("+380671234567", "x")


def test_telegram_send_message():
    answer = (200, {"ok": True, "result": {"message_id": 42, "chat": {"id": 777}, "text": "Привіт"}})
    with StandInServer(scripted(answer)) as api:
        sent = TelegramBot("123:ABC", base_url=api.url).send(777, "Ваші книжки вже на полиці")
    assert sent.message_id == 42
    request = api.received[0]
    assert request.path == "/bot123:ABC/sendMessage" and request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"chat_id": 777, "text": "Ваші книжки вже на полиці"}


def test_telegram_blocked_is_permanent_and_flood_says_when_to_retry():
    answers = scripted(
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
        (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5",
               "parameters": {"retry_after": 5}}))
    with StandInServer(answers) as api:
        bot = TelegramBot("123:ABC", base_url=api.url)
        with pytest.raises(PermanentFailure, match="blocked"):
            bot.send(777, "x")
        with pytest.raises(RetryLater) as info:
            bot.send(777, "x")
    assert info.value.retry_after == 5
