"""The e-mail channel against a real SMTP server on loopback (aiosmtpd)."""
from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from services.notifications.channels.email import Email, PermanentFailure, SmtpSender, TemporaryFailure
from shared.embedded import free_port
from tests.standins import Mailbox


@pytest.fixture
def smtp_server():
    servers = []

    def start(refuse=None):
        mailbox = Mailbox(refuse)
        controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        return mailbox, f"smtp://127.0.0.1:{controller.port}"

    yield start
    for controller in servers:
        controller.stop()


LETTER = Email(to="olena@example.com", subject="Ваші книжки вже на полицях",
               text="17 з ваших 40 книжок уже на полицях у 3 центрах.\nhttp://x/track/ABCD",
               html="<p>17 з ваших 40 книжок уже на полицях у 3 центрах.</p>",
               unsubscribe_url="http://127.0.0.1:8003/unsubscribe/signed-token")


def test_a_letter_arrives_with_text_html_and_one_click_unsubscribe(smtp_server):
    mailbox, url = smtp_server()
    message_id = SmtpSender(url).send(LETTER)
    (mail_from, recipients, message), = mailbox.messages
    assert recipients == ["olena@example.com"] and mail_from == "no-reply@bookcross.local"
    assert message["Subject"] == "Ваші книжки вже на полицях"
    assert message["Message-ID"] == message_id
    assert message["List-Unsubscribe"] == "<http://127.0.0.1:8003/unsubscribe/signed-token>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Content-Language"] == "uk"
    assert message.get_body("plain").get_content().startswith("17 з ваших 40 книжок")
    assert "<p>17 з ваших 40" in message.get_body("html").get_content()


def test_a_refused_mailbox_is_permanent(smtp_server):
    _, url = smtp_server(refuse="550 5.1.1 No such mailbox")
    with pytest.raises(PermanentFailure):
        SmtpSender(url).send(LETTER)


def test_a_busy_server_is_temporary(smtp_server):
    _, url = smtp_server(refuse="451 4.3.0 Try again later")
    with pytest.raises(TemporaryFailure):
        SmtpSender(url).send(LETTER)


def test_no_server_is_temporary():
    with pytest.raises(TemporaryFailure):
        SmtpSender(f"smtp://127.0.0.1:{free_port()}", timeout=2).send(LETTER)


def test_only_smtp_urls():
    with pytest.raises(ValueError):
        SmtpSender("http://127.0.0.1:25")
