"""E-mail: the SMTP settings, proper MIME messages, and sending one or many over one connection
(SPEC §8, docs/notices.md). Standard library only (smtplib, ssl, email); imports `domain` only.

* Settings: `smtp.host`, `smtp.port` (587), `smtp.security` (`starttls`, `ssl` or `none`),
  `smtp.user`, `smtp.from`; the password only from the environment variable
  REQTRACK_SMTP_PASSWORD, never stored and never shown (not in errors, not in a repr).
* Messages: `email.message.EmailMessage` under the SMTP policy — UTF-8 text/plain, Chinese
  subjects and display names encoded (RFC 2047), a Message-ID and a Date.
* Every failure — the server unreachable, TLS refused, the login refused, a sender or recipient
  refused, the connection dropped — is an EnvironmentProblem (exit 3) in one sentence naming
  host and port. In a batch the messages go in order and the first failure stops it:
  `SendFailed.sent` says which were sent before it, `SendFailed.not_sent` which were not.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .domain.addresses import is_email_address, parse_mailbox
from .domain.errors import EnvironmentProblem, InvalidInput, Message, OsReason
from .domain.sla.settings import STORED_SETTING, setting_value, validate_setting

__all__ = ["PASSWORD_VARIABLE", "SendFailed", "SmtpSettings", "build_message", "is_email_address", "parse_mailbox",
           "send_message", "send_messages"]

PASSWORD_VARIABLE = "REQTRACK_SMTP_PASSWORD"
SECURITY = ("starttls", "ssl", "none")
_LINE_BREAKS = str.maketrans({ch: " " for ch in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how reqtrack sends e-mail. `sender` is `smtp.from` (an address, or `Name <addr>`);
    `password` comes from REQTRACK_SMTP_PASSWORD only and is left out of the repr."""

    host: str
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    sender: str = ""
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @property
    def server(self) -> str:
        """`host:port`, as the error sentences name the server."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """The SMTP settings stored in the database, with the password from `environ` (default
        os.environ). EnvironmentProblem when e-mail is not set up (no smtp.host, no sender) or a
        stored value does not read."""
        environ = os.environ if environ is None else environ

        def value(key: str) -> str:
            text = setting_value(settings, key) or ""
            try:
                return validate_setting(key, text)
            except InvalidInput as exc:
                raise EnvironmentProblem(STORED_SETTING, problem=exc, key=key) from None

        host = value("smtp.host")
        if not host:
            raise EnvironmentProblem("e-mail is not set up: set the SMTP server with `reqtrack config set smtp.host HOST` "
                                     "(and smtp.port, smtp.security, smtp.user, smtp.from; docs/notices.md)")
        user = value("smtp.user") or None
        sender = value("smtp.from") or (user if user and is_email_address(user) else "")
        if not sender:
            raise EnvironmentProblem("e-mail has no sender: set it with `reqtrack config set smtp.from "
                                     "'Support <support@example.com>'`")
        password = environ.get(PASSWORD_VARIABLE) or None
        return cls(host, int(value("smtp.port")), value("smtp.security"), user, sender, password)


class SendFailed(EnvironmentProblem):
    """A send that failed: `sent` are the indices of the messages sent before the failure (in a
    batch), `not_sent` those of the others, the failed one first."""

    def __init__(self, message: Message, sent: Sequence[int] = (), not_sent: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.sent = tuple(sent)
        self.not_sent = tuple(not_sent)


def _mailbox(text: str, what: Message) -> Address:
    mailbox = parse_mailbox(text)
    if mailbox is None:
        raise InvalidInput("{what} {text!r} is not an e-mail address (name@example.com, or Name <name@example.com>)",
                           what=what, text=text)
    name, address = mailbox
    local, _, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def build_message(sender: str, to: str, subject: str, body: str, *, to_name: str | None = None,
                  when: datetime | None = None, headers: Mapping[str, str] | None = None) -> EmailMessage:
    """A UTF-8 text/plain message from `sender` (`smtp.from`) to `to` (an address or
    `Name <addr>`; `to_name` gives the display name of a bare address). The subject is made one
    line; Message-ID (at the sender's domain) and Date (`when`, else now, in UTC) are set.
    InvalidInput for an address that is not one, or a body that cannot be UTF-8 (a lone
    surrogate)."""
    origin = _mailbox(sender, Message("the sender (smtp.from)"))
    recipient = _mailbox(to, Message("the recipient"))
    if to_name and not recipient.display_name:
        recipient = Address(display_name=to_name.translate(_LINE_BREAKS).strip(), addr_spec=recipient.addr_spec)
    try:
        body.encode("utf-8")
        subject.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("the message holds text that is not valid Unicode (a lone surrogate) and cannot be sent "
                           "as UTF-8") from None
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = origin
    message["To"] = recipient
    message["Subject"] = " ".join(subject.translate(_LINE_BREAKS).split())
    message["Date"] = formatdate(when.timestamp() if when is not None else None, localtime=False, usegmt=True)  # UTC: +0000
    message["Message-ID"] = make_msgid(domain=origin.domain)
    for name, text in (headers or {}).items():
        message[name] = text.translate(_LINE_BREAKS)
    longest = max((len(line) for line in body.splitlines()), default=0)
    encoding = "7bit" if body.isascii() and longest <= 900 else "base64"
    message.set_content(body if body.endswith("\n") else body + "\n", subtype="plain", charset="utf-8", cte=encoding)
    return message


def send_message(settings: SmtpSettings, message: EmailMessage, *, context: ssl.SSLContext | None = None) -> None:
    """Send one message (see `send_messages`)."""
    send_messages(settings, [message], context=context)


def send_messages(settings: SmtpSettings, messages: Sequence[EmailMessage], *,
                  context: ssl.SSLContext | None = None) -> int:
    """Send `messages` in order over one connection; the number sent (all of them). `context`:
    the TLS context (default: the system's trusted certificates, host name checked).

    SendFailed (an EnvironmentProblem: one sentence naming host and port, never the password)
    at the first failure; its `sent` and `not_sent` say which messages went and which did not.
    """
    if not messages:
        return 0
    sent: list[int] = []
    server: smtplib.SMTP | None = None
    try:
        server = _connect(settings, context)
        for index, message in enumerate(messages):
            server.send_message(message)
            sent.append(index)
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        not_sent = list(range(len(sent), len(messages)))
        raise SendFailed(_sentence(settings, exc, len(sent), len(messages)), sent, not_sent) from None
    finally:
        if server is not None:
            _close(server)
    return len(sent)


def _connect(settings: SmtpSettings, context: ssl.SSLContext | None) -> smtplib.SMTP:
    if settings.security not in SECURITY:
        raise smtplib.SMTPException(f"smtp.security {settings.security!r} is not one of {', '.join(SECURITY)}")
    tls = context or ssl.create_default_context()
    server: smtplib.SMTP
    if settings.security == "ssl":
        server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=tls)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        server.ehlo()
        if settings.security == "starttls":
            if not server.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("STARTTLS")
            server.starttls(context=tls)
            server.ehlo()
        if settings.user:
            if not settings.password:
                raise _NoPassword()
            server.login(settings.user, settings.password)
    except BaseException:
        _close(server)
        raise
    return server


class _NoPassword(smtplib.SMTPException):
    """smtp.user is set but REQTRACK_SMTP_PASSWORD is not."""


def _close(server: smtplib.SMTP) -> None:
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _reason(settings: SmtpSettings, exc: BaseException) -> Message:
    """Why a send failed, in words (no server text that could echo the password: `_sentence`
    scrubs the values)."""
    if isinstance(exc, _NoPassword):
        return Message("smtp.user is {user!r} but {variable} is not set, so reqtrack cannot log in", user=settings.user,
                       variable=PASSWORD_VARIABLE)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return Message("the server refused the login of {user!r} ({code}); check smtp.user and {variable}",
                       user=settings.user, code=exc.smtp_code, variable=PASSWORD_VARIABLE)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if "STARTTLS" in str(exc):
            return Message("the server does not offer STARTTLS; check smtp.security (starttls, ssl or none) and smtp.port")
        return Message("the server does not offer the login (AUTH); check smtp.security (starttls, ssl or none) and "
                       "smtp.port")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{address} ({code})" for address, (code, _) in exc.recipients.items())
        return Message("the server refused the recipient {refused}", refused=refused)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return Message("the server refused the sender {sender} ({code}); check smtp.from", sender=str(exc.sender),
                       code=exc.smtp_code)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Message("the server closed the connection (is smtp.security right for this port?)")
    if isinstance(exc, smtplib.SMTPResponseException):
        return Message("the server answered {code} {text}", code=exc.smtp_code, text=_text(exc.smtp_error))
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Message("its TLS certificate is not trusted ({why})", why=str(exc.verify_message))
    if isinstance(exc, ssl.SSLError):
        return Message("TLS failed ({why}); is smtp.security right for this port?", why=str(exc.reason or exc))
    if isinstance(exc, socket.gaierror):
        return Message("the host name is not known (check smtp.host)")
    if isinstance(exc, ConnectionRefusedError):
        return Message("the connection was refused (is the server running, and are smtp.host and smtp.port right?)")
    if isinstance(exc, TimeoutError):
        return Message("it did not answer within {seconds:g} s", seconds=settings.timeout)
    if isinstance(exc, OSError):
        return Message("it cannot be reached ({why})", why=OsReason.of(exc))
    return Message("{why}", why=str(exc))


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())[:200]


def _sentence(settings: SmtpSettings, exc: BaseException, sent: int, total: int) -> Message:
    reason = _reason(settings, exc)
    if settings.password:  # whatever the server echoed, never the password
        password = settings.password
        reason = Message(reason.template, **{name: value.replace(password, "***") if isinstance(value, str) else value
                                             for name, value in reason.values.items()})
    if total > 1:
        return Message("cannot send e-mail through the SMTP server {server}: {reason}; {sent} of {total} messages were "
                       "sent before the failure, the other {left} were not", server=settings.server, reason=reason,
                       sent=sent, total=total, left=total - sent)
    return Message("cannot send e-mail through the SMTP server {server}: {reason}", server=settings.server,
                   reason=reason)
