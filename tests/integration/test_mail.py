"""mail.py against a real SMTP server (aiosmtpd) that each test starts on 127.0.0.1: what arrives,
STARTTLS and SSL with a throw-away certificate authority (trustme), logins, a server that is down,
and a batch that fails half-way. Never a mock of smtplib: the bytes go over a socket."""

from __future__ import annotations

import email
import ssl
from collections.abc import Callable
from datetime import datetime, timezone
from email import policy
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from helpers import SMTP_HOST as HOST
from helpers import Inbox, free_port
from reqtrack.domain.errors import EnvironmentProblem, ExitStatus, InvalidInput
from reqtrack.mail import SendFailed, SmtpSettings, build_message, is_email_address, parse_mailbox, send_message, send_messages

SENDER = "客服团队 <support@example.com>"
SUBJECT = "【需求受理确认】202612-001 我们已收到您的需求"
BODY = "尊敬的王经理：\n\n您好！感谢您的反馈。我们已受理您的需求，预计24小时内给出初步答复。\n\n客户服务团队"
USER, PASSWORD = "support@example.com", "s3cret-Pa55word"


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_tls(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(HOST, "localhost").configure_cert(context)
    return context


@pytest.fixture
def client_tls(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


def accept(user: str, password: str) -> Callable[..., AuthResult]:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and \
            auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)
    return authenticator


def message(to: str = "王经理 <wang@example.com>", subject: str = SUBJECT, body: str = BODY) -> email.message.EmailMessage:
    return build_message(SENDER, to, subject, body)


def settings(port: int, security: str = "none", **more: Any) -> SmtpSettings:
    return SmtpSettings(HOST, port, security, sender=SENDER, timeout=10, **more)


# -- what arrives --------------------------------------------------------------------------------
def test_a_chinese_message_arrives_whole_and_decoded(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server()
    sent = message()
    send_message(settings(port), sent)
    [got] = inbox.received
    assert got["from"] == "support@example.com" and got["to"] == ["wang@example.com"]
    raw: bytes = got["data"]
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii() and b"=?utf-8?" in headers  # the subject and the names travel encoded
    received = email.message_from_bytes(raw, policy=policy.default)
    assert received["Subject"] == SUBJECT
    assert received["From"].addresses[0].display_name == "客服团队"
    assert received["To"].addresses[0].display_name == "王经理"
    assert received["To"].addresses[0].addr_spec == "wang@example.com"
    assert received.get_content_type() == "text/plain" and received.get_content_charset() == "utf-8"
    assert received.get_content().replace("\r\n", "\n") == BODY + "\n"  # text travels in MIME's canonical CRLF
    assert received["Message-ID"] == sent["Message-ID"] and received["Message-ID"].endswith("@example.com>")
    assert parsedate_to_datetime(received["Date"]).utcoffset() is not None


def test_a_batch_goes_over_one_connection_in_order(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server()
    batch = [message(f"p{i}@example.com", f"[20261200{i}] 提醒") for i in range(3)]
    assert send_messages(settings(port), batch) == 3
    assert [g["to"] for g in inbox.received] == [["p0@example.com"], ["p1@example.com"], ["p2@example.com"]]
    assert len({g["session"] for g in inbox.received}) == 1
    assert send_messages(settings(port), []) == 0


# -- TLS -----------------------------------------------------------------------------------------
def test_starttls_with_a_trusted_certificate(smtp_server: Callable[..., tuple[Inbox, int]], server_tls: ssl.SSLContext,
                                             client_tls: ssl.SSLContext) -> None:
    inbox, port = smtp_server(tls_context=server_tls, require_starttls=True)
    send_message(settings(port, "starttls"), message(), context=client_tls)
    assert [g["tls"] for g in inbox.received] == [True]


def test_an_untrusted_certificate_is_refused_before_anything_is_sent(
        smtp_server: Callable[..., tuple[Inbox, int]], server_tls: ssl.SSLContext) -> None:
    inbox, port = smtp_server(tls_context=server_tls, require_starttls=True)
    with pytest.raises(SendFailed) as failed:
        send_message(settings(port, "starttls"), message())  # the system's authorities do not know the test's
    assert str(failed.value).startswith(f"cannot send e-mail through the SMTP server {HOST}:{port}: its TLS certificate "
                                        "is not trusted")
    assert inbox.received == [] and failed.value.sent == () and failed.value.not_sent == (0,)


def test_starttls_asked_of_a_server_without_it(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server()
    with pytest.raises(SendFailed, match=f"{HOST}:{port}: the server does not offer STARTTLS; check smtp.security"):
        send_message(settings(port, "starttls"), message())
    assert inbox.received == []


def test_ssl_from_the_first_byte(smtp_server: Callable[..., tuple[Inbox, int]], server_tls: ssl.SSLContext,
                                 client_tls: ssl.SSLContext) -> None:
    inbox, port = smtp_server(ssl_context=server_tls)
    send_messages(settings(port, "ssl"), [message(), message("li@example.com")], context=client_tls)
    assert [g["tls"] for g in inbox.received] == [True, True]
    plain_inbox, plain_port = smtp_server()
    with pytest.raises(SendFailed, match=f"SMTP server {HOST}:{plain_port}: TLS failed"):
        send_message(settings(plain_port, "ssl"), message(), context=client_tls)  # ssl against a plain server
    assert plain_inbox.received == []


# -- logins --------------------------------------------------------------------------------------
def test_a_login_over_starttls(smtp_server: Callable[..., tuple[Inbox, int]], server_tls: ssl.SSLContext,
                               client_tls: ssl.SSLContext) -> None:
    inbox, port = smtp_server(tls_context=server_tls, require_starttls=True, auth_required=True,
                              authenticator=accept(USER, PASSWORD))
    send_message(settings(port, "starttls", user=USER, password=PASSWORD), message(), context=client_tls)
    assert len(inbox.received) == 1


def test_a_refused_login_names_the_server_and_never_the_password(
        smtp_server: Callable[..., tuple[Inbox, int]], server_tls: ssl.SSLContext, client_tls: ssl.SSLContext) -> None:
    inbox, port = smtp_server(tls_context=server_tls, require_starttls=True, auth_required=True,
                              authenticator=accept(USER, "the-right-one"))
    smtp = settings(port, "starttls", user=USER, password=PASSWORD)
    with pytest.raises(EnvironmentProblem) as failed:
        send_message(smtp, message(), context=client_tls)
    text = str(failed.value)
    assert text == (f"cannot send e-mail through the SMTP server {HOST}:{port}: the server refused the login of "
                    f"'{USER}' (535); check smtp.user and REQTRACK_SMTP_PASSWORD")
    assert PASSWORD not in text and PASSWORD not in repr(smtp) and failed.value.exit_code == ExitStatus.ENVIRONMENT
    assert inbox.received == []
    with pytest.raises(SendFailed, match="smtp.user is 'support@example.com' but REQTRACK_SMTP_PASSWORD is not set"):
        send_message(settings(port, "starttls", user=USER), message(), context=client_tls)


def test_a_login_the_server_does_not_offer(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    _, port = smtp_server(authenticator=accept(USER, PASSWORD))  # AUTH only after TLS, and there is none
    with pytest.raises(SendFailed, match=r"does not offer the login \(AUTH\)"):
        send_message(settings(port, "none", user=USER, password=PASSWORD), message())


# -- failures ------------------------------------------------------------------------------------
def test_a_server_that_is_down() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(SendFailed) as failed:
        send_messages(settings(port, password=PASSWORD), [message(), message()])
    assert str(failed.value) == (f"cannot send e-mail through the SMTP server {HOST}:{port}: the connection was refused "
                                 "(is the server running, and are smtp.host and smtp.port right?); 0 of 2 messages "
                                 "were sent before the failure, the other 2 were not")
    assert (failed.value.sent, failed.value.not_sent) == ((), (0, 1))
    # (An unknown host name is not tried: resolving it would ask the machine's DNS server, off this machine.)


def test_a_batch_that_fails_half_way_says_what_was_sent(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server(Inbox(refuse={"gone@example.com"}))
    batch = [message("a@example.com"), message("gone@example.com"), message("c@example.com")]
    with pytest.raises(SendFailed) as failed:
        send_messages(settings(port), batch)
    assert (failed.value.sent, failed.value.not_sent) == ((0,), (1, 2))
    assert str(failed.value) == (f"cannot send e-mail through the SMTP server {HOST}:{port}: the server refused the "
                                 "recipient gone@example.com (550); 1 of 3 messages were sent before the failure, the "
                                 "other 2 were not")
    assert [g["to"] for g in inbox.received] == [["a@example.com"]]


# -- settings, addresses, messages ---------------------------------------------------------------
def test_the_settings_come_from_the_database_and_the_password_from_the_environment() -> None:
    stored = {"smtp.host": "smtp.example.com", "smtp.user": USER}
    smtp = SmtpSettings.from_settings(stored, {"REQTRACK_SMTP_PASSWORD": PASSWORD})
    assert (smtp.host, smtp.port, smtp.security, smtp.user, smtp.sender, smtp.password) == (
        "smtp.example.com", 587, "starttls", USER, USER, PASSWORD)
    assert PASSWORD not in repr(smtp) and smtp.server == "smtp.example.com:587"
    full = SmtpSettings.from_settings(stored | {"smtp.port": "465", "smtp.security": "ssl", "smtp.from": SENDER}, {})
    assert (full.port, full.security, full.sender, full.password) == (465, "ssl", SENDER, None)
    with pytest.raises(EnvironmentProblem, match="e-mail is not set up: set the SMTP server with `reqtrack config set smtp.host"):
        SmtpSettings.from_settings({}, {})
    with pytest.raises(EnvironmentProblem, match="e-mail has no sender"):
        SmtpSettings.from_settings({"smtp.host": "smtp.example.com", "smtp.user": "support"}, {})
    with pytest.raises(EnvironmentProblem, match="stored setting smtp.port must be a port number"):
        SmtpSettings.from_settings({"smtp.host": "h.example.com", "smtp.port": "abc", "smtp.from": USER}, {})
    assert SmtpSettings("::1", 25).server == "[::1]:25"


@pytest.mark.parametrize(("text", "ok"), [
    ("wang@example.com", True), ("wang.li+cn@mail.example.co", True), ("a@b.xn--fiqs8s", True),
    ("王经理 <wang@example.com>", False), ("wang@example", False), ("wang@@example.com", False), ("", False),
    ("wang@-example.com", False), (".wang@example.com", False), ("wang@example.c", False), ("13800000000", False),
    ("wang@example.com\n", False), ("wang @example.com", False), ("x" * 65 + "@example.com", False),
])
def test_what_counts_as_an_email_address(text: str, ok: bool) -> None:
    assert is_email_address(text) is ok


def test_a_mailbox_may_carry_a_display_name() -> None:
    assert parse_mailbox("王经理 <wang@example.com>") == ("王经理", "wang@example.com")
    assert parse_mailbox('"Wang, Li" <wang@example.com>') == ("Wang, Li", "wang@example.com")
    assert parse_mailbox(" wang@example.com ") == ("", "wang@example.com")
    for bad in ("王经理 13800000000", "a <b>", "<wang@example.com> x", "x\n<wang@example.com>", None, "a\" <w@example.com>"):
        assert parse_mailbox(bad) is None


def test_build_message_refuses_what_is_not_an_address_and_keeps_the_subject_on_one_line() -> None:
    with pytest.raises(InvalidInput, match="the recipient '王经理 13800000000' is not an e-mail address"):
        build_message(SENDER, "王经理 13800000000", "s", "b")
    with pytest.raises(InvalidInput, match=r"the sender \(smtp.from\)"):
        build_message("support", "wang@example.com", "s", "b")
    built = build_message(SENDER, "wang@example.com", "a\r\nBcc: x@example.com\nb", "body", to_name="王经理")
    assert built["Subject"] == "a Bcc: x@example.com b" and built["Bcc"] is None
    assert str(built["To"]) == "王经理 <wang@example.com>"
    with pytest.raises(InvalidInput, match="not valid Unicode"):
        build_message(SENDER, "wang@example.com", "s", "bad \udcff")
    long_ascii = build_message(SENDER, "wang@example.com", "s", "x" * 2000)
    assert long_ascii["Content-Transfer-Encoding"] == "base64"
    plain = build_message(SENDER, "wang@example.com", "s", "plain", when=datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc))
    assert plain["Content-Transfer-Encoding"] == "7bit" and plain["Date"] == "Thu, 03 Dec 2026 10:00:00 +0000"
