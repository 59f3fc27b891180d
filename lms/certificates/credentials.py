"""Open Badges 3.0 credentials (W3C verifiable credentials) signed with Ed25519 as VC-JWTs.

The JWT payload is the credential itself with the registered claims beside it (``iss``, ``jti``,
``sub``, ``nbf``), as Open Badges 3.0 §8.2 describes: ``sub`` is ``credentialSubject.id``, a
random ``urn:uuid`` that says nothing about the learner. The JOSE header's ``kid`` is a URL that
answers with the signing key's JWK (``/issuer/keys/<kid>``), and the same key is in the JWKS under
that URL, so a verifier can find it either way.

The recipient is identified by their email address at issue, hashed with a random salt
(``IdentityObject``, ``identityHash`` = ``sha256$`` + hex of SHA-256(email + salt)): an employer who
knows the candidate's address can check that the credential is theirs; nobody else learns who it
is. The name in clear would be personal data copied into every wallet and verifier the credential
passes through, and a salted hash of a name protects little (names are few and guessable).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

import jwt

from lms.certificates.codes import grouped
from lms.certificates.keys import SigningKey, all_keys, find_key
from lms.urls import public_base, public_url

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "TechNorth Skills"
ISSUER_IMAGE = "badges/issuer.svg"  # under lms/static/
ACHIEVEMENT_IMAGE = "badges/achievement.svg"
# What a key id may look like (keys.create_key makes date-hex ids; a key file's stem is its id).
# Ids are only ever compared with the key files' names, never joined into a path.
KID_RE = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Urls:
    """Absolute URLs the credential refers to, at the configured public address."""

    base: str  # https://skills.example/
    issuer: str  # the issuer profile
    certificate: str  # this certificate's verification page
    course: str
    issuer_image: str = ""
    achievement_image: str = ""


def course_urls(course_slug: str) -> Urls:
    """A course's Achievement URLs, at the one configured public address (lms/urls.py)."""
    return Urls(
        base=public_base(),
        issuer=public_url("certificates.issuer"),
        certificate="",
        course=public_url("learning.course", slug=course_slug),
        issuer_image=public_url("static", filename=ISSUER_IMAGE),
        achievement_image=public_url("static", filename=ACHIEVEMENT_IMAGE),
    )


def urls_for(code: str, course_slug: str) -> Urls:
    """A certificate's credential URLs: its course's, and its own verification page."""
    page = public_url("certificates.show", code=grouped(code))
    return replace(course_urls(course_slug), certificate=page)


def issuer_urls() -> Urls:
    """The issuer's own URLs, for its profile (no certificate or course)."""
    return Urls(
        base=public_base(),
        issuer=public_url("certificates.issuer"),
        certificate="",
        course="",
        issuer_image=public_url("static", filename=ISSUER_IMAGE),
    )


def key_uri(kid: str) -> str:
    """The URL that answers with the key's JWK: the JOSE ``kid`` of everything it signs."""
    return public_url("certificates.issuer_key", kid=kid)


def kid_of(header_kid: object) -> str | None:
    """The key id a JOSE ``kid`` names: our key URL, or a bare id (credentials issued before
    ``kid`` became a URL). Anything else, including another site's URL, names no key of ours."""
    if not isinstance(header_kid, str):
        return None
    prefix = key_uri("KID").removesuffix("KID")
    kid = header_kid.removeprefix(prefix)
    return kid if KID_RE.match(kid) else None


def public_jwk(key: SigningKey) -> dict:
    """The key's public JWK as its ``kid`` URL publishes it."""
    return {**key.public_jwk(), "kid": key_uri(key.kid)}


def published_jwks() -> dict:
    """Every public key, current and retired, under its URL ``kid`` and under its bare id, which
    credentials signed before the change name (they are in wallets and must keep verifying)."""
    keys = all_keys()
    return {"keys": [public_jwk(key) for key in keys] + [key.public_jwk() for key in keys]}


def issuer_profile(urls: Urls) -> dict:
    profile = {
        "@context": CONTEXT,
        "id": urls.issuer,
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": urls.base,
        "description": (
            "TechNorth Skills is the course platform of TechNorth, the tech cluster of "
            "Manchester, Leeds, Sheffield, Liverpool and Newcastle."
        ),
    }
    if urls.issuer_image:
        profile["image"] = {"id": urls.issuer_image, "type": "Image", "caption": ISSUER_NAME}
    return profile


def achievement(title: str, summary: str, pass_mark: int, skills: list[dict], urls: Urls) -> dict:
    """The Achievement a course's certificate stands for; its id is the course page."""
    return {
        "id": f"{urls.course}#achievement",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": summary,
        "criteria": {
            "narrative": (
                f"Completed every lesson of {title} and passed each lesson's quiz with at "
                f"least {pass_mark}%."
            )
        },
        "image": {
            "id": urls.achievement_image,
            "type": "Image",
            "caption": f"{title}: certificate of completion",
        },
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": skill["name"],
                "targetUrl": urls.course,
                **(
                    {
                        "targetFramework": "SFIA 8",
                        "targetCode": skill["sfia"]
                        + (f"-{skill['level']}" if skill.get("level") else ""),
                    }
                    if skill.get("sfia")
                    else {}
                ),
            }
            for skill in skills
        ],
        "tag": [skill["name"] for skill in skills],
    }


def achievement_document(course, urls: Urls) -> dict:
    """The Achievement as its id answers ``Accept: application/json``: today's course."""
    skills = [{"name": s.name, "sfia": s.sfia_code, "level": s.sfia_level} for s in course.skills]
    document = achievement(course.title, course.summary, course.pass_mark, skills, urls)
    profile = {k: v for k, v in issuer_profile(urls).items() if k != "@context"}
    return {"@context": CONTEXT, **document, "creator": profile}


def hashed_email(email: str) -> dict:
    """The recipient as OB 3.0 IdentityObject: the address at issue, lower-cased, salted."""
    salt = secrets.token_hex(16)
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": salt,
    }


def new_subject_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def build_credential(
    certificate,
    course_summary: str,
    pass_mark: int,
    urls: Urls,
    *,
    recipient: dict,
    status: dict,
    subject_id: str | None = None,
) -> dict:
    """The OpenBadgeCredential for a certificate, from what was certified at issue."""
    completed = certificate.completed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    issued = certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@context": CONTEXT,
        "id": urls.certificate,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title}: certificate of completion",
        "issuer": {k: v for k, v in issuer_profile(urls).items() if k != "@context"},
        "validFrom": issued,
        "credentialSubject": {
            "id": subject_id or new_subject_id(),
            "type": ["AchievementSubject"],
            "identifier": [recipient],
            "activityEndDate": completed,
            "achievement": achievement(
                certificate.course_title, course_summary, pass_mark, certificate.skills, urls
            ),
        },
        "credentialStatus": status,
        "evidence": [
            {
                "type": ["Evidence"],
                "name": f"Certificate {grouped(certificate.code)}",
                "description": "Verify this certificate at its page.",
                "id": urls.certificate,
            }
        ],
    }


def _encode(payload: dict, key: SigningKey) -> str:
    headers = {"kid": key_uri(key.kid), "typ": "JWT"}
    return jwt.encode(payload, key.private, algorithm="EdDSA", headers=headers)


def sign(credential: dict, key: SigningKey, issued_at: datetime) -> str:
    """The credential as a VC-JWT: OB 3.0 §8.2.4's claims beside the credential's members."""
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": int(issued_at.timestamp()),
    }
    return _encode(payload, key)


def sign_status_list(credential: dict, key: SigningKey) -> str:
    """A status list credential as a VC-JWT, secured like the credentials it lists."""
    payload = {
        **credential,
        "iss": credential["issuer"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
    }
    return _encode(payload, key)


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    message: str
    kid: str | None = None


def check_signature(token: str | None) -> SignatureCheck:
    """Verify a stored credential against the issuer's published keys."""
    if not token:
        return SignatureCheck(False, "There is no signed credential for this certificate.")
    try:
        kid = kid_of(jwt.get_unverified_header(token).get("kid"))
    except jwt.PyJWTError:
        return SignatureCheck(False, "The credential is not a well-formed JWT.")
    key = find_key(kid) if kid else None
    if key is None:
        return SignatureCheck(False, "The credential was signed with a key we do not publish.")
    try:
        jwt.decode(token, key.public, algorithms=["EdDSA"], options={"verify_aud": False})
    except jwt.PyJWTError as exc:
        return SignatureCheck(False, f"The signature does not verify ({exc}).", kid)
    return SignatureCheck(True, f"Signature verified with the issuer's Ed25519 key {kid}.", kid)
