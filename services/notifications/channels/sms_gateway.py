"""The SMS channel through an HTTP gateway that speaks Twilio's Messages API:

    POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json   (HTTP basic auth: sid, token)
    form: To=+380…, From=<sender>, Body=<text>
    → 201 {"sid": "SM…", "status": "queued", …}
    → 4xx {"code": 21211, "message": "The 'To' number … is not a valid phone number.", "status": 400}

The gateway is configured by SMS_GATEWAY_URL (https://user:token@host) and SMS_SENDER.
"""
from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass

from services.notifications.channels import PermanentFailure, TemporaryFailure
from services.notifications.channels.http import post


@dataclass(frozen=True)
class SmsSent:
    gateway_id: str
    status: str


class TwilioSms:
    def __init__(self, gateway_url: str, sender: str, timeout: float = 10):
        url = urllib.parse.urlparse(gateway_url)
        if not (url.username and url.password):
            raise ValueError("SMS_GATEWAY_URL needs the account id and token: https://SID:TOKEN@host")
        self.account = urllib.parse.unquote(url.username)
        self.token = urllib.parse.unquote(url.password)
        self.base = f"{url.scheme}://{url.hostname}" + (f":{url.port}" if url.port else "")
        self.sender = sender
        self.timeout = timeout

    def send(self, phone_e164: str, text: str) -> SmsSent:
        credentials = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        status, body = post(
            f"{self.base}/2010-04-01/Accounts/{self.account}/Messages.json",
            data=urllib.parse.urlencode({"To": phone_e164, "From": self.sender, "Body": text}).encode(),
            content_type="application/x-www-form-urlencoded",
            headers={"Authorization": f"Basic {credentials}"}, timeout=self.timeout)
        if status in (200, 201) and body.get("sid"):
            return SmsSent(body["sid"], body.get("status", "queued"))
        reason = f"{status} {body.get('code', '')} {body.get('message', '')}".strip()
        if status == 429 or status >= 500:
            raise TemporaryFailure(reason)
        raise PermanentFailure(reason)
