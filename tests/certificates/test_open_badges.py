"""Open Badges 3.0 conformance of the credentials: 1EdTech's schema, the JSON-LD contexts, the
VC-JWT rules of OB 3.0 §8.2 (``sub``, a ``kid`` URI), the hashed recipient, the achievement's image
and JSON, and the issuer profile. Everything is checked offline (``tests/certificates/ob3.py``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from joserfc.jwk import KeySet
from pyld.jsonld import JsonLdError
from sqlalchemy import select

from lms.certificates.codes import grouped
from lms.extensions import db
from lms.models import Certificate
from tests.certificates import ob3
from tests.certificates.conftest import complete_demo_course
from tests.factories import PASSWORD, make_user


def base(client) -> str:
    """The configured public address: every URL in a credential starts with it."""
    return client.application.config["PUBLIC_URL"]


def credential_token(client, code: str) -> str:
    return client.get(f"/certificates/{code}/credential.jwt").get_data(as_text=True)


def test_the_reference_files_are_the_published_ones():
    readme = (ob3.REFERENCE / "README.md").read_text()
    for path in Path(ob3.REFERENCE).glob("*.json*"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in readme, path.name


def test_the_offline_loader_refuses_anything_not_bundled():
    with pytest.raises(JsonLdError):
        ob3.expand({"@context": "https://example.com/context.jsonld", "name": "x"})
    assert ob3.undefined_terms(
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "madeUpTerm": 1}
    ) == {"madeUpTerm"}


def test_the_credential_conforms_to_the_ob3_schema_and_contexts(client, certificate_code):
    header, payload = ob3.unverified_parts(credential_token(client, certificate_code))
    assert header["alg"] == "EdDSA" and header["typ"] == "JWT"
    assert set(header) == {"alg", "kid", "typ"}  # OB 3.0 §8.2.3: no other JOSE headers
    ob3.assert_conforms(payload)


def test_sub_is_the_subject_id_and_the_recipient_is_a_salted_email_hash(
    app, client, certificate_code
):
    token = credential_token(client, certificate_code)
    claims = ob3.verify(client, token)
    subject = claims["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:") and claims["sub"] == subject["id"]
    [identity] = subject["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
    salt = identity["salt"]
    assert len(salt) >= 32
    # an employer who knows the candidate's address can check it; nobody else learns it
    expected = hashlib.sha256(("learner@example.com" + salt).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    text = json.dumps(claims)
    assert "Sam Learner" not in text and "learner@example.com" not in text


def test_each_certificate_has_its_own_subject_id_and_salt(app, client, certificate_code):
    with app.app_context():
        make_user("second@example.com", name="Second Learner")
    other = app.test_client()
    other.post("/account/sign-in", data={"email": "second@example.com", "password": PASSWORD})
    complete_demo_course(other)
    with app.app_context():
        codes = {grouped(code) for code in db.session.scalars(select(Certificate.code))}
    [second] = codes - {certificate_code}
    first = ob3.unverified_parts(credential_token(client, certificate_code))[1]
    other_payload = ob3.unverified_parts(credential_token(client, second))[1]
    assert first["sub"] != other_payload["sub"]
    assert (
        first["credentialSubject"]["identifier"][0]["salt"]
        != other_payload["credentialSubject"]["identifier"][0]["salt"]
    )


def test_kid_is_a_uri_that_dereferences_to_the_published_key(client, certificate_code):
    token = credential_token(client, certificate_code)
    header, _ = ob3.unverified_parts(token)
    assert header["kid"].startswith(base(client) + "/issuer/keys/")
    jwk = ob3.dereference_kid(client, token)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    response = client.get(urlsplit(header["kid"]).path)
    assert response.mimetype in {"application/jwk+json", "application/json"}
    jwks = client.get("/.well-known/jwks.json").json
    assert any(key["kid"] == header["kid"] and key["x"] == jwk["x"] for key in jwks["keys"])
    # a verifier that looks the kid up in the JWKS finds the same key
    from joserfc import jwt

    jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])


@pytest.mark.parametrize("kid", ["nope", "..%2F..%2Fsecret", "20260101-zzzzzzzz", "a" * 200])
def test_unknown_or_malformed_key_ids_are_not_found(client, certificate_code, kid):
    assert client.get(f"/issuer/keys/{kid}").status_code == 404


def test_the_achievement_has_an_image_and_its_id_answers_json(client, certificate_code):
    claims = ob3.verify(client, credential_token(client, certificate_code))
    achievement = claims["credentialSubject"]["achievement"]
    image = achievement["image"]
    assert image["type"] == "Image" and image["id"].startswith(base(client) + "/")
    picture = client.get(urlsplit(image["id"]).path)
    assert picture.status_code == 200 and picture.mimetype in {"image/svg+xml", "image/png"}

    path = urlsplit(achievement["id"]).path
    as_json = client.get(path, headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    document = as_json.json
    assert document["id"] == achievement["id"] and "Achievement" in document["type"]
    assert document["name"] == "Demo course" and document["image"] == image
    assert ob3.undefined_terms(document) == set()
    assert "Accept" in as_json.headers.get("Vary", "")
    browser = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.mimetype == "text/html" and "Accept" in browser.headers.get("Vary", "")


def test_the_issuer_profile_is_complete(client, certificate_code):
    profile = client.get("/issuer").json
    assert profile["type"] == ["Profile"] and profile["name"] == "TechNorth Skills"
    assert profile["url"] == base(client) + "/"
    assert profile["image"]["type"] == "Image"
    assert client.get(urlsplit(profile["image"]["id"]).path).status_code == 200
    assert ob3.undefined_terms(profile) == set()
    claims = ob3.verify(client, credential_token(client, certificate_code))
    embedded = claims["issuer"]
    assert {k: v for k, v in profile.items() if k != "@context"} == embedded
