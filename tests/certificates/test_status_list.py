"""Revocation is published the standard way: a signed W3C Bitstring Status List that every new
credential points to, regenerated when a certificate is revoked, and read the same way by the
page, the API and any verifier."""

from __future__ import annotations

import base64
import gzip
import os
import re
import threading
from datetime import UTC, datetime
from urllib.parse import urlsplit

import jwt as pyjwt
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.extensions import db
from lms.models import Certificate
from tests.certificates import ob3
from tests.certificates.conftest import complete_demo_course
from tests.factories import PASSWORD, make_user


def base(client) -> str:
    """The configured public address: every URL in a credential starts with it."""
    return client.application.config["PUBLIC_URL"]


def page(response) -> str:
    return response.get_data(as_text=True)


def payload_of(client, code: str) -> dict:
    token = client.get(f"/certificates/{code}/credential.jwt").get_data(as_text=True)
    return ob3.verify(client, token)


def status_list(client, url: str) -> dict:
    """The status list credential at ``url``, fetched and verified like a verifier would."""
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200 and response.mimetype == "application/jwt"
    return ob3.verify(client, response.get_data(as_text=True))


def listed_as_revoked(client, code: str) -> bool:
    entry = payload_of(client, code)["credentialStatus"]
    listed = status_list(client, entry["statusListCredential"])
    return ob3.status_bit(listed["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))


def test_every_new_credential_points_to_its_entry_in_a_signed_status_list(client, certificate_code):
    entry = payload_of(client, certificate_code)["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert re.fullmatch(r"\d+", entry["statusListIndex"])  # a base-10 string, per the spec
    list_url = entry["statusListCredential"]
    assert list_url.startswith(base(client) + "/")
    assert entry["id"] == f"{list_url}#{entry['statusListIndex']}"

    response = client.get(urlsplit(list_url).path)
    cache = response.cache_control
    assert cache.public and 0 < cache.max_age <= 300  # revocation reaches verifiers in minutes
    assert response.headers["ETag"]
    assert (
        client.get(
            urlsplit(list_url).path, headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )

    listed = status_list(client, list_url)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["id"] == list_url and listed["iss"] == listed["issuer"]
    assert listed["issuer"] == payload_of(client, certificate_code)["issuer"]["id"]
    subject = listed["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["ttl"] == cache.max_age * 1000  # ttl and Cache-Control agree
    assert ob3.status_bit(subject["encodedList"], int(entry["statusListIndex"])) is False
    assert ob3.undefined_terms(ob3.credential_of(listed)) == set()


def test_only_lists_that_exist_are_served(client, certificate_code):
    entry = payload_of(client, certificate_code)["credentialStatus"]
    path = urlsplit(entry["statusListCredential"]).path
    other = re.sub(r"/(\d+)$", lambda m: f"/{int(m.group(1)) + 1}", path)
    assert client.get(other).status_code == 404
    assert client.get(path.rsplit("/", 1)[0] + "/x").status_code == 404
    assert client.get(path.rsplit("/", 1)[0] + "/" + "9" * 30).status_code == 404  # no overflow
    assert client.get(path.rsplit("/", 1)[0] + "/-1").status_code == 404


def test_revoking_sets_the_bit_and_the_page_shows_no_verified_badge(
    client, admin, certificate_code
):
    assert listed_as_revoked(client, certificate_code) is False
    admin.post(f"/certificates/{certificate_code}/revoke", data={"reason": "Answers were shared"})
    assert listed_as_revoked(client, certificate_code) is True

    anonymous = client.application.test_client()
    text = page(anonymous.get(f"/certificates/{certificate_code}"))
    assert "Revoked on" in text and "Answers were shared" in text
    assert "status-complete" not in text and ">Verified<" not in text  # no green badge
    assert "signature is valid, but the issuer has revoked this certificate" in text
    assert "revocation list marks it as revoked" in text

    api = anonymous.get(f"/api/v1/certificates/{certificate_code}").json
    assert api["status"] == "revoked" and api["signature_valid"] is True
    assert api["revoked_reason"] == "Answers were shared"
    assert api["status_list"]["revoked"] is True
    entry = payload_of(client, certificate_code)["credentialStatus"]
    assert api["status_list"]["credential"] == entry["statusListCredential"]
    assert api["status_list"]["index"] == int(entry["statusListIndex"])


def test_a_valid_certificate_reads_not_revoked_everywhere(client, certificate_code):
    text = page(client.application.test_client().get(f"/certificates/{certificate_code}"))
    assert ">Verified<" in text and "revocation list does not mark it as revoked" in text
    api = client.get(f"/api/v1/certificates/{certificate_code}").json
    assert api["status"] == "valid" and api["status_list"]["revoked"] is False


def test_status_list_indices_are_unique_in_the_database(app, client, certificate_code):
    with app.app_context():
        make_user("second@example.com", name="Second Learner")
    other = app.test_client()
    other.post("/account/sign-in", data={"email": "second@example.com", "password": PASSWORD})
    complete_demo_course(other)
    with app.app_context():
        first, second = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        assert first.status_list_index != second.status_list_index
        with pytest.raises(IntegrityError):
            db.session.execute(
                update(Certificate)
                .where(Certificate.id == second.id)
                .values(status_list_index=first.status_list_index)
            )
            db.session.flush()
        db.session.rollback()


def test_a_taken_index_is_never_handed_out_again(app, client, certificate_code, monkeypatch):
    """The random draw can hit a taken entry; the database refuses it and another is drawn."""
    from lms.certificates import status_list as status_list_module

    with app.app_context():
        taken = db.session.scalar(select(Certificate.status_list_index))
        make_user("second@example.com", name="Second Learner")
    draws = iter([taken % status_list_module.LIST_SIZE, 4242])
    monkeypatch.setattr(status_list_module, "random_position", lambda: next(draws))
    other = app.test_client()
    other.post("/account/sign-in", data={"email": "second@example.com", "password": PASSWORD})
    complete_demo_course(other)
    with app.app_context():
        indices = sorted(db.session.scalars(select(Certificate.status_list_index)))
    assert len(indices) == 2 and indices[0] != indices[1]
    assert 4242 in {i % status_list_module.LIST_SIZE for i in indices}


def test_certificates_from_before_the_status_list_are_reissued(
    app, client, runner, certificate_code
):
    """Old credentials had no status entry; the command gives each one, and the old token (its
    key unchanged) still verifies."""
    from lms.certificates.keys import current_key

    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        key = current_key()
        legacy = pyjwt.encode(
            {"id": "legacy", "iss": "x", "nbf": 1},
            key.private,
            algorithm="EdDSA",
            headers={"kid": key.kid, "typ": "JWT"},  # the bare kid credentials used to carry
        )
        db.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id)
            .values(status_list_index=None, credential_jwt=legacy)
        )
        db.session.commit()
    text = page(client.get(f"/certificates/{certificate_code}"))
    assert ">Verified<" in text  # the old credential still verifies on the page

    result = runner.invoke(args=["certificates", "reissue-credentials"])
    assert result.exit_code == 0, result.output
    assert "Re-issued 1 credential" in result.output
    assert listed_as_revoked(client, certificate_code) is False
    assert payload_of(client, certificate_code)["credentialStatus"]
    again = runner.invoke(args=["certificates", "reissue-credentials"])
    assert "Re-issued 0 credentials" in again.output  # nothing left to do

    # the old token, already out in the world, still verifies against the published keys
    from joserfc import jwt
    from joserfc.jwk import KeySet

    jwks = KeySet.import_key_set(client.get("/.well-known/jwks.json").json)
    assert jwt.decode(legacy, jwks, algorithms=["EdDSA"]).claims["id"] == "legacy"


# The W3C spec's example encodedList (Bitstring Status List v1.0, example 3): 16 KB, all zero.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def bits_of(encoded: str) -> bytes:
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_the_list_is_encoded_as_the_spec_says(client, admin, certificate_code):
    """Same bytes as the spec's own example when empty; after one revocation exactly one bit
    is set, the left-most-first one the entry names (a wrong bit order would set another)."""
    entry = payload_of(client, certificate_code)["credentialStatus"]
    empty = status_list(client, entry["statusListCredential"])["credentialSubject"]
    assert bits_of(empty["encodedList"]) == bits_of(SPEC_EXAMPLE) == bytes(16 * 1024)

    admin.post(f"/certificates/{certificate_code}/revoke", data={"reason": "Shared answers"})
    listed = status_list(client, entry["statusListCredential"])["credentialSubject"]
    bits = bits_of(listed["encodedList"])
    index = int(entry["statusListIndex"])
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert bits[index // 8] == 0x80 >> (index % 8)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="SQLite runs one writer at a time (BEGIN IMMEDIATE): two issues cannot interleave",
)
def test_two_issues_at_once_drawing_the_same_entry_both_succeed(app, synced):
    """PostgreSQL: both transactions draw the same entry before either commits; the second
    insert waits for the first, inserts nothing, and draws again."""
    from lms.certificates import issuing
    from lms.certificates import status_list as status_list_module
    from lms.db import write_transaction
    from lms.models import Course, User

    with app.app_context():
        users = [make_user(f"racer{n}@example.com").id for n in range(2)]
        course_id = db.session.scalar(select(Course.id))
    barrier = threading.Barrier(2, timeout=30)
    local = threading.local()

    def draw() -> int:
        local.calls = getattr(local, "calls", 0) + 1
        if local.calls == 1:
            barrier.wait()  # both have drawn before either inserts
            return 777
        return 1000 + threading.get_ident() % 1000

    errors = []

    def issue(user_id: int) -> None:
        try:
            with app.app_context():
                user = db.session.get(User, user_id)
                with write_transaction():
                    assert issuing.issue_in_transaction(user, course_id, datetime.now(UTC))
        except Exception as exc:  # reported below, in the test's own thread
            errors.append(exc)

    original = status_list_module.random_position
    status_list_module.random_position = draw
    try:
        threads = [threading.Thread(target=issue, args=(user_id,)) for user_id in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        status_list_module.random_position = original
    assert errors == []
    with app.app_context():
        indices = list(db.session.scalars(select(Certificate.status_list_index)))
    assert len(indices) == 2 and len(set(indices)) == 2 and 777 in indices
