"""The outbox: messages sent over SMTP with retries, failures shown, nothing lost."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from services.core.errors import ConfigurationError
from services.payments.events import PaymentEvents
from services.payments.outbox import parse_smtp_url
from tests.events import factories as f
from tests.events.smtp_sink import SmtpSink

T0 = 1_790_000_000


class SteppingClock:
    """A clock the test moves forward by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_confirmation_is_sent_over_smtp(engine):
    with SmtpSink() as sink:
        events = PaymentEvents(engine, None, f.SECRET, smtp_url=sink.url)
        events.handle_event(f.paid("in_mail", created=T0, amount=9_900))
        assert events.outbox()["status"].tolist() == ["queued"]

        assert events.deliver_outbox() == 1

    message = events.outbox().iloc[0]
    assert (message["status"], message["attempts"]) == ("sent", 1)
    assert message["sent_at"] >= message["queued_at"]  # NaT would compare False
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    assert mail["To"] == "ada@example.com"
    assert mail["From"] == "billing@example.com"
    assert mail["Subject"] == "Payment received for invoice ADA-mail"
    assert "99.00 USD" in mail.get_payload()
    assert events.deliver_outbox() == 0  # sent once, not again


def test_a_temporary_refusal_is_retried_until_sent(engine):
    clock = SteppingClock()
    with SmtpSink(refuse_first=2) as sink:
        events = PaymentEvents(engine, None, f.SECRET, smtp_url=sink.url, clock=clock,
                               outbox_retry_delays=(10, 60, 300))
        events.handle_event(f.payment_failed("in_retry", created=T0))

        assert events.deliver_outbox() == 0
        first = events.outbox().iloc[0]
        assert (first["status"], first["attempts"]) == ("retrying", 1)
        assert "451" in first["last_error"]
        assert events.deliver_outbox() == 0  # not due before its back-off
        assert events.outbox().iloc[0]["attempts"] == 1

        clock.advance(10)
        assert events.deliver_outbox() == 0
        clock.advance(60)
        assert events.deliver_outbox() == 1

    message = events.outbox().iloc[0]
    assert (message["status"], message["attempts"]) == ("sent", 3)
    assert len(sink.messages) == 1


def test_an_unreachable_server_leaves_the_message_failed_and_visible(engine):
    clock = SteppingClock()
    events = PaymentEvents(engine, None, f.SECRET, clock=clock,
                           smtp_url=f"smtp://127.0.0.1:{_closed_port()}",
                           outbox_retry_delays=(10, 60))
    events.handle_event(f.paid("in_down", created=T0))

    for pause in (0, 10, 60, 600):
        clock.advance(pause)
        events.deliver_outbox()

    message = events.outbox().iloc[0]
    assert (message["status"], message["attempts"]) == ("failed", 3)
    assert "Connection refused" in message["last_error"] or "Errno" in message["last_error"]
    assert message["subject"] == "Payment received for invoice ADA-down"


def test_a_failed_message_can_be_retried_by_hand(engine):
    clock = SteppingClock()
    with SmtpSink(refuse_first=1) as sink:
        events = PaymentEvents(engine, None, f.SECRET, clock=clock, smtp_url=sink.url,
                               outbox_retry_delays=())
        events.handle_event(f.paid("in_byhand", created=T0))
        events.deliver_outbox()
        message = events.outbox().iloc[0]
        assert message["status"] == "failed"

        events.retry_message(int(message["message_id"]))  # the worker sends it at once

        assert f.wait_for(lambda: events.outbox().iloc[0]["status"] == "sent")
        events.close()
    assert len(sink.messages) == 1


def test_without_smtp_messages_stay_in_the_outbox(events: PaymentEvents):
    events.handle_event(f.paid("in_kept", created=T0))

    assert events.deliver_outbox() == 0
    kept = events.outbox().iloc[0]
    assert kept["status"] == "sent to outbox"
    assert kept["recipient"] == "ada@example.com"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("smtp", "mail.example.com", 25, None)),
        ("smtp+starttls://u%40x:p%2Fw@mail.example.com", ("smtp+starttls", "mail.example.com",
                                                          587, "u@x")),
        ("smtps://mail.example.com:2465", ("smtps", "mail.example.com", 2465, None)),
    ],
)
def test_smtp_url_forms(url, expected):
    settings = parse_smtp_url(url)
    assert (settings.scheme, settings.host, settings.port, settings.username) == expected


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://host:notaport"])
def test_bad_smtp_url_is_refused_naming_the_setting(url):
    with pytest.raises(ConfigurationError) as refused:
        parse_smtp_url(url)
    assert refused.value.field == "SMTP_URL"


def test_a_required_starttls_the_server_lacks_is_a_visible_failure(engine):
    with SmtpSink() as sink:
        url = sink.url.replace("smtp://", "smtp+starttls://")
        events = PaymentEvents(engine, None, f.SECRET, smtp_url=url, outbox_retry_delays=())
        events.handle_event(f.paid("in_tls", created=T0))

        assert events.deliver_outbox() == 0

    message = events.outbox().iloc[0]
    assert message["status"] == "failed"
    assert "STARTTLS" in message["last_error"]
    assert sink.messages == []  # nothing went out in clear text
