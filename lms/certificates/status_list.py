"""The issuer's revocation lists: W3C Bitstring Status List v1.0, published as signed VC-JWTs.

Every credential carries a ``credentialStatus`` entry naming a list and a position in it; the list
is a bitstring in which a set bit means "revoked". A list has ``LIST_SIZE`` entries, the spec's
minimum of 16 KB of bits (131,072), GZIP-compressed and multibase base64url-encoded (``u...``).

Entries are drawn at random, as the spec asks ("implementations SHOULD assign indexes randomly"),
so an entry tells neither when a certificate was issued nor how many were; the database's unique
constraint on ``certificate.status_list_index`` makes each one single-use, and the issuer draws
again when it collides. New entries go into list ``taken // FILL``, so no list is more than half
full and a draw rarely collides.

The signed list is stored (``StatusList``) and rebuilt inside the transaction that revokes a
certificate in it, with the list's row locked first, so two revocations at once cannot overwrite
each other's bit and the list never disagrees with the pages. Requests only read the row.
Verifiers may cache it for ``TTL_SECONDS``: the list's ``ttl`` and the HTTP ``Cache-Control`` say
the same, so a revocation reaches them within five minutes.
"""

from __future__ import annotations

import base64
import gzip
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import jwt
from sqlalchemy import func, select

from lms.certificates.credentials import check_signature, issuer_urls, sign_status_list
from lms.certificates.keys import current_key
from lms.db import dialect_insert
from lms.extensions import db
from lms.models import Certificate, StatusList
from lms.urls import public_url

LIST_SIZE = 131_072  # entries (bits) per list: 16 KB, the spec's minimum
FILL = LIST_SIZE // 2
MAX_NUMBER = (2**31 - 1) // LIST_SIZE  # the last list a 32-bit status_list_index can reach
TTL_SECONDS = 300
PURPOSE = "revocation"


def random_position() -> int:
    return secrets.randbelow(LIST_SIZE)


def split(index: int) -> tuple[int, int]:
    """(list number, position in that list) of a certificate's ``status_list_index``."""
    return divmod(index, LIST_SIZE)


def draw_index_in_transaction() -> int:
    """A random entry in the list now taking new certificates (it may be taken: the insert says)."""
    taken = db.session.scalar(
        select(func.count())
        .select_from(Certificate)
        .where(Certificate.status_list_index.is_not(None))
    )
    return (taken // FILL) * LIST_SIZE + random_position()


def list_url(number: int) -> str:
    return public_url("certificates.status_list", number=number)


def entry(index: int) -> dict:
    """The credential's ``credentialStatus``: a BitstringStatusListEntry for revocation."""
    number, position = split(index)
    url = list_url(number)
    return {
        "id": f"{url}#{position}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(position),
        "statusListCredential": url,
    }


def encode(positions) -> str:
    """The ``encodedList`` with the given positions set; position 0 is the left-most bit."""
    bits = bytearray(LIST_SIZE // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    packed = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0))
    return "u" + packed.rstrip(b"=").decode()


def is_set(encoded: str, position: int) -> bool:
    body = encoded.removeprefix("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


def build(number: int, positions, now: datetime) -> dict:
    """The unsigned BitstringStatusListCredential for list ``number``."""
    url = list_url(number)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_urls().issuer,
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(positions),
            "ttl": TTL_SECONDS * 1000,
        },
    }


def publish_in_transaction(number: int) -> None:
    """Rebuild and sign list ``number`` from the database, inside the caller's transaction."""
    row = db.session.scalar(select(StatusList).where(StatusList.number == number).with_for_update())
    if row is None:
        # A placeholder, never seen by anyone: it is replaced below before the commit. Taking
        # the row (and its lock) first is what keeps two revocations in order.
        db.session.execute(
            dialect_insert(StatusList)
            .values(number=number, credential_jwt="", updated_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["number"])
        )
        row = db.session.scalar(
            select(StatusList)
            .where(StatusList.number == number)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    low, high = number * LIST_SIZE, (number + 1) * LIST_SIZE
    revoked = db.session.scalars(
        select(Certificate.status_list_index).where(
            Certificate.status_list_index >= low,
            Certificate.status_list_index < high,
            Certificate.revoked_at.is_not(None),
        )
    )
    now = datetime.now(UTC)
    credential = build(number, [index - low for index in revoked], now)
    row.credential_jwt = sign_status_list(credential, current_key())
    row.updated_at = now
    db.session.flush()


def ensure_published_in_transaction(number: int) -> None:
    """Publish list ``number`` if no credential has named it before."""
    if db.session.get(StatusList, number) is None:
        publish_in_transaction(number)


@dataclass(frozen=True)
class ListedStatus:
    """What the published list says of one certificate."""

    credential: str  # the status list credential's URL
    number: int
    index: int  # the position in that list, as the credential's statusListIndex
    revoked: bool


@lru_cache(maxsize=16)
def _verified_list(token: str) -> str | None:
    """The ``encodedList`` of a stored list whose signature verifies (None if it does not)."""
    if not check_signature(token).valid:
        return None
    # The signature was checked just above; this only reads the payload.
    payload = jwt.decode(token, options={"verify_signature": False})
    return payload["credentialSubject"]["encodedList"]


def listed_status(certificate: Certificate) -> ListedStatus | None:
    """What the issuer's published list says of ``certificate``; None if it has no entry."""
    if certificate.status_list_index is None:
        return None
    number, position = split(certificate.status_list_index)
    row = db.session.get(StatusList, number)
    encoded = _verified_list(row.credential_jwt) if row is not None else None
    if encoded is None:
        return None
    return ListedStatus(list_url(number), number, position, is_set(encoded, position))
