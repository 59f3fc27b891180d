"""The account emails: what they say and the links they carry. Sent after the change commits."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from lms.auth.tokens import issue_token
from lms.db import write_transaction
from lms.mail import send_mail
from lms.models import User
from lms.urls import public_url


def _issue(user: User, purpose: str, lifetime: timedelta, new_email: str | None = None) -> str:
    with write_transaction():
        return issue_token(user, purpose, lifetime, new_email)


def send_verification(user: User) -> None:
    hours = current_app.config["VERIFY_TOKEN_HOURS"]
    secret = _issue(user, "verify-email", timedelta(hours=hours))
    link = public_url("auth.verify_email", token=secret)
    send_mail(
        user.email,
        "Confirm your email address for TechNorth Skills",
        f"Hello {user.name},\n\n"
        f"Confirm your email address to start learning with TechNorth Skills:\n\n{link}\n\n"
        f"The link works once and expires in {hours} hours. If you did not create an account, "
        "you can ignore this email.\n",
    )


def send_password_reset(user: User) -> None:
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    secret = _issue(user, "reset-password", timedelta(minutes=minutes))
    link = public_url("auth.reset_password", token=secret)
    send_mail(
        user.email,
        "Reset your TechNorth Skills password",
        f"Hello {user.name},\n\n"
        f"Someone asked to reset the password for this account. To choose a new one, open:\n\n"
        f"{link}\n\nThe link works once and expires in {minutes} minutes. If it was not you, "
        "ignore this email: your password has not changed.\n",
    )


def send_email_change(user: User, new_email: str) -> None:
    hours = current_app.config["VERIFY_TOKEN_HOURS"]
    secret = _issue(user, "change-email", timedelta(hours=hours), new_email=new_email)
    link = public_url("auth.confirm_email_change", token=secret)
    send_mail(
        new_email,
        "Confirm your new email address for TechNorth Skills",
        f"Hello {user.name},\n\nTo use this address for your TechNorth Skills account, open:\n\n"
        f"{link}\n\nThe link works once and expires in {hours} hours.\n",
    )
    send_mail(
        user.email,
        "Your TechNorth Skills email address is being changed",
        f"Hello {user.name},\n\nSomeone signed in to your account asked to change its email "
        f"address to {new_email}. Nothing changes until that address is confirmed. If this was "
        "not you, change your password now.\n",
    )


def send_account_notice(user: User, subject: str, text: str) -> None:
    send_mail(user.email, subject, f"Hello {user.name},\n\n{text}\n")
