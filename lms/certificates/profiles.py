"""A learner's public skills profile: off by default, at an unguessable address when on."""

from __future__ import annotations

import secrets

from lms.db import write_transaction
from lms.models import User


def set_public_profile(user: User, public: bool) -> bool:
    """Switch the profile on or off; the address is made once and kept. Returns the new state."""
    with write_transaction():
        user.public_profile = bool(public)
        if user.public_profile and not user.profile_slug:
            user.profile_slug = secrets.token_urlsafe(16)  # 128 bits: the address is the secret
        return user.public_profile
