"""The Telegram channel through the Bot API's sendMessage:

    POST {base}/bot<token>/sendMessage   JSON {"chat_id": …, "text": …}
    → {"ok": true, "result": {"message_id": 12, …}}
    → {"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    → {"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 5",
       "parameters": {"retry_after": 5}}
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.http import post


@dataclass(frozen=True)
class TelegramSent:
    message_id: int


class RetryLater(TemporaryFailure):
    def __init__(self, description: str, retry_after: int):
        super().__init__(description)
        self.retry_after = retry_after


class TelegramBot:
    def __init__(self, token: str, base_url: str = "https://api.telegram.org", timeout: float = 10):
        self.url = f"{base_url.rstrip('/')}/bot{token}/sendMessage"
        self.timeout = timeout

    def send(self, chat_id: int | str, text: str) -> TelegramSent:
        status, body = post(self.url, data=json.dumps({"chat_id": chat_id, "text": text}).encode(),
                            content_type="application/json", timeout=self.timeout)
        if body.get("ok"):
            return TelegramSent(body["result"]["message_id"])
        code = body.get("error_code", status)
        description = body.get("description", f"HTTP {status}")
        if code == 429:
            raise RetryLater(description, int((body.get("parameters") or {}).get("retry_after", 1)))
        if code >= 500 or status >= 500:
            raise TemporaryFailure(description)
        raise PermanentFailure(description)
