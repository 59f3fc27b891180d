"""The account emails: what they say and the links they carry. Sent after the change commits.

Forms that a stranger can fill in with any address (sign-up, a new confirmation link, a password
reset) send exactly one email whatever the address's state, so the time an answer takes does not
tell whether the address has an account (mail is sent while the request waits). Mail to an
address not yet proven never repeats what the stranger typed (no name in the greeting), so the
forms cannot be used to put someone's words in front of another person.
"""

from __future__ import annotations

from flask import current_app

from lms.auth.tokens import issue_token
from lms.db import write_transaction
from lms.mail import send_mail
from lms.models import User
from lms.urls import public_url

SITE = "TechNorth Skills"


def _issue(user: User, purpose: str, new_email: str | None = None) -> str:
    with write_transaction():
        return issue_token(user, purpose, new_email)


def _hours() -> int:
    return current_app.config["VERIFY_TOKEN_HOURS"]


def _minutes() -> int:
    return current_app.config["RESET_TOKEN_MINUTES"]


def send_verification(user: User, secret: str | None = None) -> None:
    """The link that confirms the address and lets its owner choose the account's password."""
    secret = secret or _issue(user, "verify-email")
    link = public_url("auth.verify_email", token=secret)
    send_mail(
        user.email,
        f"Confirm your email address for {SITE}",
        "Hello,\n\n"
        f"To confirm this email address and choose your password for {SITE}, open:\n\n"
        f"{link}\n\n"
        f"The link works once and expires in {_hours()} hours. If you did not ask for an "
        "account, ignore this email: nobody can use an account for this address until the "
        "address is confirmed.\n",
    )


def send_password_reset(user: User) -> None:
    secret = _issue(user, "reset-password")
    link = public_url("auth.reset_password", token=secret)
    send_mail(
        user.email,
        f"Reset your {SITE} password",
        f"Hello {user.name},\n\n"
        f"Someone asked to reset the password for this account. To choose a new one, open:\n\n"
        f"{link}\n\nThe link works once and expires in {_minutes()} minutes. If it was not you, "
        "ignore this email: your password has not changed.\n",
    )


def send_already_registered(user: User, reset_secret: str) -> None:
    """Someone signed up with the address of a confirmed account: tell its owner, with a way in."""
    send_mail(
        user.email,
        f"You already have a {SITE} account",
        f"Hello {user.name},\n\n"
        f"Someone tried to create a {SITE} account with this email address. You already have "
        "one. If you have forgotten your password, choose a new one here:\n\n"
        f"{public_url('auth.reset_password', token=reset_secret)}\n\n"
        f"That link works once and expires in {_minutes()} minutes. Otherwise, sign in as "
        f"usual:\n\n{public_url('auth.sign_in')}\n\n"
        "If it was not you, ignore this email: nothing has changed.\n",
    )


def send_already_confirmed(user: User) -> None:
    """A new confirmation link was asked for an address that is already confirmed."""
    send_mail(
        user.email,
        f"Your {SITE} email address is already confirmed",
        f"Hello {user.name},\n\n"
        "Someone asked for a new link to confirm this email address, but it is already "
        f"confirmed. Sign in here:\n\n{public_url('auth.sign_in')}\n\n"
        "If you have forgotten your password, ask for a reset link here:\n\n"
        f"{public_url('auth.request_reset')}\n",
    )


_NO_ACCOUNT_ASKED = {
    "reset": "a link to reset the password of",
    "verify": "a new link to confirm",
}


def send_no_account(email: str, asked: str) -> None:
    """A reset or confirmation link was asked for an address that has no account."""
    send_mail(
        email,
        f"There is no {SITE} account for this email address",
        "Hello,\n\n"
        f"Someone asked for {_NO_ACCOUNT_ASKED[asked]} a {SITE} account with this email "
        "address, but no account uses it. If it was you, you may have signed up with another "
        f"address. To create an account, open:\n\n{public_url('auth.sign_up')}\n\n"
        "If it was not you, ignore this email.\n",
    )


def send_email_change(user: User, new_email: str) -> None:
    secret = _issue(user, "change-email", new_email=new_email)
    link = public_url("auth.confirm_email_change", token=secret)
    send_mail(
        new_email,
        f"Confirm your new email address for {SITE}",
        f"Hello,\n\nTo use this address for your {SITE} account, open:\n\n"
        f"{link}\n\nYou will be asked for the account's password. The link works once and "
        f"expires in {_hours()} hours.\n",
    )
    send_mail(
        user.email,
        f"Your {SITE} email address is being changed",
        f"Hello {user.name},\n\nSomeone signed in to your account asked to change its email "
        f"address to {new_email}. Nothing changes until that address is confirmed. If this was "
        "not you, change your password now.\n",
    )


def send_account_notice(user: User, subject: str, text: str) -> None:
    send_mail(user.email, subject, f"Hello {user.name},\n\n{text}\n")
