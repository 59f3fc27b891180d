"""Open Badges 3.0 conformance checks for the suite, all offline.

- 1EdTech's JSON Schema for OpenBadgeCredential (``ob3_reference/``), draft 2019-09.
- JSON-LD expansion with pyld against the two bundled contexts; the document loader refuses any
  other URL, so nothing is fetched. The contexts define no ``@vocab``, so a term they do not
  define would silently vanish on expansion: a catch-all ``@vocab`` is appended and any IRI under
  it is reported as an undefined term.
- Signatures checked with joserfc (a second JOSE library; the app signs with PyJWT), the key found
  by dereferencing the JOSE ``kid`` URI through the app, as a verifier would over HTTP.
- The bitstring status list decoded with the standard library, not with the app's code.
"""

from __future__ import annotations

import base64
import gzip
import json
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from joserfc import jwt
from joserfc.jwk import OKPKey
from jsonschema import Draft201909Validator, FormatChecker
from pyld import jsonld
from pyld.jsonld import JsonLdError

REFERENCE = Path(__file__).parent / "ob3_reference"
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": REFERENCE / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": REFERENCE
    / "ob-context-3.0.3.json",
}
SCHEMA = REFERENCE / "ob_v3p0_achievementcredential_schema.json"
UNDEFINED = "urn:undefined-term:"
JWT_CLAIMS = frozenset({"iss", "jti", "sub", "nbf", "exp", "iat", "aud"})
MIN_STATUS_LIST_BYTES = 16 * 1024  # Bitstring Status List v1.0: at least 16KB, 131,072 entries


def offline_loader(url: str, options=None) -> dict:
    """pyld document loader that knows the bundled contexts and nothing else."""
    path = CONTEXTS.get(url)
    if path is None:
        raise JsonLdError(
            f"refused to load {url}: only bundled contexts", "jsonld.LoadDocumentError"
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(path.read_text()),
    }


def expand(document: dict) -> list:
    return jsonld.expand(document, {"documentLoader": offline_loader})


def undefined_terms(document: dict) -> set[str]:
    """Properties and types the document's contexts do not define (empty when all are)."""
    probe = {**document, "@context": [*document["@context"], {"@vocab": UNDEFINED}]}
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.startswith(UNDEFINED):
                    found.add(key.removeprefix(UNDEFINED))
                if key == "@type":
                    found.update(
                        t.removeprefix(UNDEFINED) for t in value if t.startswith(UNDEFINED)
                    )
                walk(value)

    walk(expand(probe))
    return found


@cache
def _validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA.read_text())
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=FormatChecker())


def schema_errors(credential: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in _validator().iter_errors(credential)
    ]


def unverified_parts(token: str) -> tuple[dict, dict]:
    header, payload, _ = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    return decode(header), decode(payload)


def credential_of(payload: dict) -> dict:
    """The credential inside a VC-JWT payload: the payload less the registered JWT claims."""
    return {key: value for key, value in payload.items() if key not in JWT_CLAIMS}


def assert_conforms(payload: dict) -> None:
    """An OpenBadgeCredential payload: 1EdTech's schema, and every term defined in the contexts."""
    assert schema_errors(payload) == []
    assert undefined_terms(credential_of(payload)) == set()


def dereference_kid(client, token: str) -> dict:
    """The JWK the JOSE header's ``kid`` URI answers with, fetched through the app."""
    header, _ = unverified_parts(token)
    kid = header["kid"]
    parts = urlsplit(kid)
    assert parts.scheme in {"http", "https"} and parts.netloc, f"kid is not a URL: {kid}"
    response = client.get(parts.path)
    assert response.status_code == 200, kid
    jwk = json.loads(response.get_data(as_text=True))
    assert jwk["kid"] == kid and "d" not in jwk
    return jwk


def verify(client, token: str) -> dict:
    """The claims of ``token`` verified by joserfc with the key its ``kid`` dereferences to."""
    key = OKPKey.import_key(dereference_kid(client, token))
    return jwt.decode(token, key, algorithms=["EdDSA"]).claims


def status_bit(encoded_list: str, index: int) -> bool:
    """Bit ``index`` of a Bitstring Status List ``encodedList`` (index 0 = left-most bit)."""
    assert encoded_list.startswith("u"), "encodedList must be multibase base64url ('u')"
    body = encoded_list[1:]
    assert "=" not in body
    bits = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert len(bits) >= MIN_STATUS_LIST_BYTES
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
