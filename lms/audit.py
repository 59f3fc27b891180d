"""The audit log: one helper records every reviewable action, one registry says how each reads.

Features record through ``record_audit`` inside their own write transaction and commit it with
the change itself, so an action and its audit entry are saved together or not at all. Every kind
of event is listed in ``AUDIT_KINDS``; ``/admin/audit`` shows them all on one page, in words.

Events name people by account id ("user 12"), never by name or email: the page looks the person
up when it is shown, so someone who deletes their account is not kept identifiable here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent, User

# Who acted, when it was not a signed-in person: stored in the event's details under this key.
ACTOR_KEY = "actor"
ACTOR_LABELS = {"cli": "Command line"}
_USER_SUBJECT = re.compile(r"^user (\d+)$")


@dataclass(frozen=True)
class AuditKind:
    """How one kind of event reads on the audit page."""

    label: str
    summary: Callable[[dict[str, Any]], str]


AUDIT_KINDS: dict[str, AuditKind] = {
    "certificate.revoke": AuditKind(
        "Certificate revoked", lambda d: f"Reason: {d.get('reason', 'not given')}"
    ),
    "course.published": AuditKind(
        "Course published",
        lambda d: (
            "; ".join(
                f"{verb} {', '.join(d[key])}"
                for verb, key in (
                    ("added", "added"),
                    ("updated", "updated"),
                    ("retired", "retired"),
                    ("restored", "restored"),
                )
                if d.get(key)
            )
            or "no changes to learners' view"
        ),
    ),
    "course.imported": AuditKind(
        "Course zip imported into the draft", lambda d: f"{d.get('files', 0)} files changed"
    ),
    "course.author_added": AuditKind("Co-author added", lambda d: f"user {d.get('user_id')}"),
    "course.author_removed": AuditKind("Co-author removed", lambda d: f"user {d.get('user_id')}"),
    "user.role_change": AuditKind(
        "Role changed",
        lambda d: f"From {d.get('old_role', '?')} to {d.get('new_role', '?')}",
    ),
}


def user_subject(user: User) -> str:
    """The subject text for an event about an account."""
    return f"user {user.id}"


def record_audit(
    actor: User | str | None,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; the caller commits it with the change.

    ``actor`` is the signed-in person, a name from ``ACTOR_LABELS`` (``"cli"``) for commands, or
    None for the system itself. ``action`` must be a key of ``AUDIT_KINDS``, so every event has a
    readable line on the audit page.
    """
    if action not in AUDIT_KINDS:
        raise ValueError(f"unknown audit action {action!r}: add it to lms.audit.AUDIT_KINDS")
    if len(subject) > AuditEvent.target.type.length:
        raise ValueError(f"audit subject is longer than {AuditEvent.target.type.length} characters")
    detail = dict(details or {})
    actor_id = None
    if isinstance(actor, User):
        actor_id = actor.id
    elif actor is not None:
        if actor not in ACTOR_LABELS:
            raise ValueError(f"unknown actor {actor!r}: add it to lms.audit.ACTOR_LABELS")
        detail[ACTOR_KEY] = actor
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        target=subject,
        detail=detail,
        created_at=at or datetime.now(UTC),
    )
    db.session.add(event)
    return event


@dataclass(frozen=True)
class AuditLine:
    """One event as the audit page shows it."""

    at: datetime
    actor: str
    action: str
    subject: str
    summary: str


def _person(user: User | None, user_id: int) -> str:
    if user is None or user.deleted_at is not None:
        return f"Deleted account (id {user_id})" if user else f"Unknown account (id {user_id})"
    return f"{user.name} ({user.email})"


def _summary(action: str, detail: dict[str, Any]) -> str:
    kind = AUDIT_KINDS.get(action)
    if kind is not None:
        return kind.summary(detail)
    return "; ".join(f"{key}: {value}" for key, value in detail.items())


def describe(events: Iterable[AuditEvent]) -> list[AuditLine]:
    """The events in words, with every person they mention looked up in one query."""
    events = list(events)
    ids = {e.actor_id for e in events if e.actor_id is not None}
    ids |= {int(m.group(1)) for e in events if (m := _USER_SUBJECT.match(e.target))}
    people = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    )
    lines = []
    for event in events:
        detail = dict(event.detail or {})
        by = detail.pop(ACTOR_KEY, None)
        if event.actor_id is not None:
            actor = _person(people.get(event.actor_id), event.actor_id)
        else:
            actor = ACTOR_LABELS.get(by, "System")
        match = _USER_SUBJECT.match(event.target)
        subject = _person(people.get(int(match[1])), int(match[1])) if match else event.target
        kind = AUDIT_KINDS.get(event.action)
        lines.append(
            AuditLine(
                at=event.created_at,
                actor=actor,
                action=kind.label if kind else event.action,
                subject=subject,
                summary=_summary(event.action, detail),
            )
        )
    return lines
