"""Creating accounts: one function used by the CLI now and by sign-up pages later."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from lms.auth.passwords import hash_password, normalise_email, password_problem
from lms.extensions import begin_write, db
from lms.models import ROLES, User
from lms.regions import region_codes

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """An account could not be created; the message says why, in words for the person."""


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: str = "learner",
    region: str | None = None,
    verified: bool = False,
) -> User:
    email = normalise_email(email)
    name = " ".join(name.split())
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AccountError("Enter an email address in the correct format, like name@example.com.")
    if not name or len(name) > 120:
        raise AccountError("Enter a name of 1 to 120 characters.")
    if role not in ROLES:
        raise AccountError(f"Role must be one of: {', '.join(ROLES)}.")
    if region is not None and region not in region_codes():
        raise AccountError(f"Unknown region {region!r}.")
    if problem := password_problem(password, email=email, name=name):
        raise AccountError(problem)
    now = datetime.now(UTC)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        region=region,
        email_verified_at=now if verified else None,
        session_version=1,
        created_at=now,
    )
    begin_write()
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # The unique index decides, so two simultaneous sign-ups cannot both win.
        db.session.rollback()
        raise AccountError("An account with that email address already exists.") from None
    return user
