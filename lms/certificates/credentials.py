"""Open Badges 3.0 credentials (W3C verifiable credentials) signed with Ed25519 as VC-JWTs.

The JWT payload is the credential itself with the registered claims beside it (``iss``, ``jti``,
``sub``, ``nbf``), as Open Badges 3.0 §8.2 describes; the header names the signing key (``kid``),
which the issuer publishes in its JWKS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jwt

from lms.certificates.codes import grouped
from lms.certificates.keys import SigningKey, find_key

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ISSUER_NAME = "TechNorth Skills"


@dataclass(frozen=True)
class Urls:
    """Absolute URLs the credential refers to (built by the caller, which knows the host)."""

    base: str  # https://skills.example/
    issuer: str  # the issuer profile
    certificate: str  # this certificate's verification page
    course: str


def issuer_profile(urls: Urls) -> dict:
    return {
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


def build_credential(certificate, course_summary: str, pass_mark: int, urls: Urls) -> dict:
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
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "identityHash": certificate.learner_name,
                    "hashed": False,
                }
            ],
            "activityEndDate": completed,
            "achievement": {
                "id": f"{urls.course}#achievement",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.course_title,
                "description": course_summary,
                "criteria": {
                    "narrative": (
                        f"Completed every lesson of {certificate.course_title} and passed each "
                        f"lesson's quiz with at least {pass_mark}%."
                    )
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
                    for skill in certificate.skills
                ],
                "tag": [skill["name"] for skill in certificate.skills],
            },
        },
        "evidence": [
            {
                "type": ["Evidence"],
                "name": f"Certificate {grouped(certificate.code)}",
                "description": "Verify this certificate at its page.",
                "id": urls.certificate,
            }
        ],
    }


def sign(credential: dict, key: SigningKey, issued_at: datetime) -> str:
    payload = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["id"] + "#subject",
        "nbf": int(issued_at.timestamp()),
    }
    return jwt.encode(
        payload, key.private, algorithm="EdDSA", headers={"kid": key.kid, "typ": "JWT"}
    )


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
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return SignatureCheck(False, "The credential is not a well-formed JWT.")
    key = find_key(kid) if isinstance(kid, str) else None
    if key is None:
        return SignatureCheck(False, "The credential was signed with a key we do not publish.")
    try:
        jwt.decode(token, key.public, algorithms=["EdDSA"], options={"verify_aud": False})
    except jwt.PyJWTError as exc:
        return SignatureCheck(False, f"The signature does not verify ({exc}).", kid)
    return SignatureCheck(True, f"Signature verified with the issuer's Ed25519 key {kid}.", kid)
