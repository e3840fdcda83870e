"""The SMS gateway and Telegram adapters against local servers that answer as the real ones
document (Twilio's Messages API; Telegram's Bot API sendMessage)."""
from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.sms import TwilioSms
from services.notifications.channels.telegram import RetryLater, TelegramBot
from services.notifications.sms import measure
from shared.embedded import free_port
from shared.i18n import latin


class StandIn(BaseHTTPRequestHandler):
    """Records every request; answers with the next scripted (status, body)."""

    received: list = []
    script: list = []

    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.append((self.path, dict(self.headers), raw))
        status, body = type(self).script.pop(0)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def stand_in():
    StandIn.received, StandIn.script = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sms_goes_to_the_gateway_in_its_format_and_latin_fits_one_segment(stand_in):
    StandIn.script = [(201, {"sid": "SM0123", "status": "queued", "to": "+380671234567"})]
    text = latin("Ваші книжки вже на полиці в Краматорську. Дякуємо!")
    sent = TwilioSms(f"http://AC123:secret@{stand_in}", sender="bookcross").send("+380671234567", text)
    assert sent.gateway_id == "SM0123" and sent.status == "queued"
    path, headers, raw = StandIn.received[0]
    assert path == "/2010-04-01/Accounts/AC123/Messages.json"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:secret").decode()
    assert parse_qs(raw.decode()) == {"To": ["+380671234567"], "From": ["bookcross"], "Body": [text]}
    assert measure(text).encoding == "GSM-7" and measure(text).segments == 1


@pytest.mark.parametrize("status,body,failure", [
    (400, {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400},
     PermanentFailure),
    (429, {"code": 20429, "message": "Too Many Requests", "status": 429}, TemporaryFailure),
    (503, {}, TemporaryFailure),
])
def test_sms_gateway_refusals(stand_in, status, body, failure):
    StandIn.script = [(status, body)]
    with pytest.raises(failure):
        TwilioSms(f"http://AC123:secret@{stand_in}", sender="bookcross").send("+380671234567", "x")


def test_sms_gateway_away_is_temporary():
    with pytest.raises(TemporaryFailure):
        TwilioSms(f"http://AC1:t@127.0.0.1:{free_port()}", sender="b", timeout=2).send("+380671234567", "x")


def test_telegram_send_message(stand_in):
    StandIn.script = [(200, {"ok": True, "result": {"message_id": 42, "chat": {"id": 777}, "text": "Привіт"}})]
    sent = TelegramBot("123:ABC", base_url=f"http://{stand_in}").send(777, "Ваші книжки вже на полиці")
    assert sent.message_id == 42
    path, headers, raw = StandIn.received[0]
    assert path == "/bot123:ABC/sendMessage" and headers["Content-Type"] == "application/json"
    assert json.loads(raw) == {"chat_id": 777, "text": "Ваші книжки вже на полиці"}


def test_telegram_blocked_is_permanent_and_flood_says_when_to_retry(stand_in):
    StandIn.script = [
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
        (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5",
               "parameters": {"retry_after": 5}}),
    ]
    bot = TelegramBot("123:ABC", base_url=f"http://{stand_in}")
    with pytest.raises(PermanentFailure, match="blocked"):
        bot.send(777, "x")
    with pytest.raises(RetryLater) as info:
        bot.send(777, "x")
    assert info.value.retry_after == 5
