"""Outgoing email: SMTP when configured; otherwise written to the log and to ``instance/mail/``.

In development and tests nothing leaves the machine: each message is saved as an ``.eml`` file
that a developer can open and the tests read.
"""

from __future__ import annotations

import copy
import logging
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def outbox_dir() -> Path:
    return Path(current_app.instance_path) / "mail"


def send_mail(to: str, subject: str, body: str) -> EmailMessage:
    """Send one plain-text message; returns it (tests and the outbox use the same object)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="technorth-skills")
    message.set_content(body)
    if config.get("MAIL_SERVER"):
        _send_smtp(message)
        log.info("mail sent to %s: %s", to, subject)
    else:
        path = _write_outbox(message)
        log.info("mail to %s written to %s: %s", to, path, subject)
    return message


def _send_smtp(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _write_outbox(message: EmailMessage) -> Path:
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
    # The file is for a developer's eyes: 8bit keeps every line as written, where SMTP's
    # quoted-printable would break a long link with "=" at 76 characters.
    readable = copy.deepcopy(message)
    readable.set_content(message.get_content(), cte="8bit")
    path.write_bytes(bytes(readable))
    return path
