"""Certificates are issued once on completion, signed, verifiable, revocable and withdrawable."""

from __future__ import annotations

import base64
import json
import re

import pytest
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from sqlalchemy import func, select

from lms.certificates.codes import grouped, new_code, normalise
from lms.extensions import db
from lms.models import AuditEvent, Certificate
from tests.certificates.conftest import complete_demo_course
from tests.factories import PASSWORD


def page(response) -> str:
    return response.get_data(as_text=True)


def test_codes_have_140_random_bits_and_read_back_leniently():
    code = new_code()
    assert len(code) == 28 and normalise(code) == code
    assert len({new_code() for _ in range(1000)}) == 1000
    shown = grouped(code)
    assert re.fullmatch(r"([0-9A-Z]{4}-){6}[0-9A-Z]{4}", shown)
    assert normalise(shown.lower()) == code
    assert normalise(" ".join(shown.split("-"))) == code
    assert normalise("O" + code[1:]) == normalise("0" + code[1:])  # Crockford look-alikes
    assert normalise("not a code") is None
    assert normalise(code + "A") is None


def test_completing_a_course_issues_one_certificate(app, client, certificate_code):
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert certificate.learner_name == "Sam Learner"
        assert certificate.course_title == "Demo course"
        assert certificate.skills == [{"name": "Programming", "sfia": "PROG", "level": 2}]
        assert certificate.status == "valid"
    # finishing again (another pass of the quiz) issues nothing more
    complete_demo_course(client)
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 1
    dashboard = page(client.get("/dashboard"))
    assert f'href="/certificates/{certificate_code}"' in dashboard


def test_the_public_page_shows_every_certified_field(client, certificate_code):
    anonymous = client.application.test_client()
    text = page(anonymous.get(f"/certificates/{certificate_code}"))
    assert "Valid certificate." in text
    for expected in (
        "Sam Learner",
        "Demo course",
        "Programming",
        "SFIA PROG, level 2",
        certificate_code,
        "TechNorth Skills",
        "Completed on",
    ):
        assert expected in text
    assert "Signature verified with the issuer" in text
    assert '<svg role="img"' in text and "QR code linking to" in text
    assert "linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in text


@pytest.mark.parametrize(
    "variant", [str.lower, lambda c: c.replace("-", ""), lambda c: c.replace("-", " ")]
)
def test_any_spelling_of_the_code_leads_to_the_page(client, certificate_code, variant):
    response = client.get(f"/certificates/{variant(certificate_code)}")
    assert response.status_code == 301
    assert response.location.endswith(f"/certificates/{certificate_code}")


def test_unknown_and_malformed_codes(client, certificate_code):
    assert client.get("/certificates/" + "A" * 28).status_code == 404
    assert client.get("/certificates/nonsense").status_code == 404


def test_verify_page_checks_what_is_typed(client, certificate_code):
    blank = client.get("/verify")
    assert blank.status_code == 200 and "Check a certificate" in page(blank)
    bad = client.get("/verify", query_string={"code": "123"})
    assert bad.status_code == 422 and 'id="code-error"' in page(bad)
    assert "28 letters and numbers" in page(bad)
    unknown = client.get("/verify", query_string={"code": "A" * 28})
    assert "No certificate has this code" in page(unknown)
    found = client.get("/verify", query_string={"code": certificate_code.lower()})
    assert found.location == f"/certificates/{certificate_code}"


def test_pdf_qr_and_credential_downloads(client, certificate_code):
    pdf = client.get(f"/certificates/{certificate_code}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    qr = client.get(f"/certificates/{certificate_code}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    jwt_response = client.get(f"/certificates/{certificate_code}/credential.jwt")
    assert jwt_response.mimetype == "application/jwt"
    assert jwt_response.data.count(b".") == 2


def keyset(client) -> KeySet:
    return KeySet.import_key_set(client.get("/.well-known/jwks.json").json)


def test_credential_is_an_open_badge_that_an_independent_library_verifies(client, certificate_code):
    token = client.get(f"/certificates/{certificate_code}/credential.jwt").get_data(as_text=True)
    jwks = client.get("/.well-known/jwks.json").json
    assert jwks["keys"][0]["kty"] == "OKP" and jwks["keys"][0]["crv"] == "Ed25519"
    decoded = jwt.decode(token, keyset(client), algorithms=["EdDSA"])
    claims = decoded.claims
    assert decoded.header["kid"] == jwks["keys"][0]["kid"]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["iss"] == claims["issuer"]["id"] and claims["issuer"]["type"] == ["Profile"]
    assert claims["jti"] == claims["id"] and claims["id"].endswith(
        f"/certificates/{certificate_code}"
    )
    subject = claims["credentialSubject"]
    assert claims["sub"] == subject["id"]  # the recipient itself: test_open_badges.py
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Demo course"
    assert (
        "criteria" in achievement
        and "passed each lesson's quiz" in achievement["criteria"]["narrative"]
    )
    assert achievement["alignment"][0]["targetCode"] == "PROG-2"
    issuer = client.get("/issuer").json
    assert issuer["id"] == claims["issuer"]["id"] and issuer["name"] == "TechNorth Skills"


def _tamper(token: str, change) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(data)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Someone Else"),
        lambda d: d["credentialSubject"]["achievement"].update(name="Advanced course"),
        lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
        lambda d: d.update(nbf=d["nbf"] - 1),
    ],
)
def test_any_changed_claim_fails_verification(client, certificate_code, change, app):
    token = client.get(f"/certificates/{certificate_code}/credential.jwt").get_data(as_text=True)
    forged = _tamper(token, change)
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(forged, keyset(client), algorithms=["EdDSA"])
    with app.app_context():  # and the site's own check says so on the page
        db.session.execute(db.update(Certificate).values(credential_jwt=forged))
        db.session.commit()
    assert "The signature does not verify" in page(client.get(f"/certificates/{certificate_code}"))


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_a_credential_with_another_algorithm_is_refused(app, client, certificate_code, alg):
    """alg "none", or HS256 keyed with the published public key (the classic confusion), never
    verifies: only EdDSA is accepted."""
    import hashlib
    import hmac

    token = client.get(f"/certificates/{certificate_code}/credential.jwt").get_data(as_text=True)
    header, payload, _ = token.split(".")
    old_header = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    forged_header = _b64({**old_header, "alg": alg})
    jwk = client.get("/.well-known/jwks.json").json["keys"][0]
    signature = ""
    if alg == "HS256":
        mac = hmac.new(jwk["x"].encode(), f"{forged_header}.{payload}".encode(), hashlib.sha256)
        signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    forged = f"{forged_header}.{payload}.{signature}"
    with app.app_context():
        db.session.execute(db.update(Certificate).values(credential_jwt=forged))
        db.session.commit()
    text = page(client.get(f"/certificates/{certificate_code}"))
    assert "The signature does not verify" in text and ">Verified<" not in text


def test_rotating_the_key_keeps_old_credentials_verifiable(app, client, runner, certificate_code):
    old = client.get(f"/certificates/{certificate_code}/credential.jwt").get_data(as_text=True)
    result = runner.invoke(args=["certificates", "init-key"])
    assert result.exit_code == 0 and "Created signing key" in result.output
    jwks = client.get("/.well-known/jwks.json").json
    assert len({key["x"] for key in jwks["keys"]}) == 2
    jwt.decode(old, keyset(client), algorithms=["EdDSA"])  # still verifies
    assert "Signature verified" in page(client.get(f"/certificates/{certificate_code}"))
    new_kid = result.output.split()[3].rstrip(";")
    from lms.certificates.keys import current_key

    with app.app_context():
        assert current_key().kid == new_kid


def test_signing_keys_are_private_files(app, certificate_code):
    from pathlib import Path

    folder = Path(app.instance_path) / "signing-keys"
    [pem] = folder.glob("*.pem")
    assert pem.stat().st_mode & 0o077 == 0


def test_admin_revokes_with_a_reason_and_it_is_audited(app, client, admin, certificate_code):
    url = f"/certificates/{certificate_code}/revoke"
    assert client.post(url, data={"reason": "no"}).status_code == 403  # a learner cannot
    empty = admin.post(url, data={"reason": ""})
    assert empty.status_code == 422 and "Give a reason" in page(empty)
    done = admin.post(url, data={"reason": "Quiz answers were shared"})
    assert done.status_code == 302
    text = page(client.application.test_client().get(f"/certificates/{certificate_code}"))
    assert "Revoked on" in text and "Quiz answers were shared" in text
    assert "Valid certificate." not in text
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        assert event.action == "certificate.revoke"
        assert event.detail == {"reason": "Quiz answers were shared"}
    audit = page(admin.get("/admin/audit"))
    assert "Certificate revoked" in audit and "Reason: Quiz answers were shared" in audit
    assert "Admin Person (admin@example.com)" in audit
    assert client.get("/admin/audit").status_code == 403
    assert admin.post(url, data={"reason": "again"}).status_code == 302  # refused politely
    assert "already revoked" in page(admin.get(f"/certificates/{certificate_code}"))


def test_deleting_the_account_withdraws_its_certificates(app, client, certificate_code):
    client.post("/account/delete", data={"current_password": PASSWORD, "understood": "y"})
    text = page(client.get(f"/certificates/{certificate_code}"))
    assert "Withdrawn on" in text
    assert "Sam Learner" not in text
    assert client.get(f"/certificates/{certificate_code}/credential.jwt").status_code == 404
    assert client.get(f"/certificates/{certificate_code}/certificate.pdf").status_code == 404
    api = client.get(f"/api/v1/certificates/{certificate_code}").json
    assert api["status"] == "withdrawn" and "learner_name" not in api


def test_public_profile_is_off_until_switched_on(app, client, certificate_code, signed_in):
    text = page(client.get("/dashboard/certificates"))
    assert "Demo course" in text and f"/certificates/{certificate_code}" in text
    client.post("/dashboard/certificates/profile", data={"public_profile": "y"})
    with app.app_context():
        from lms.models import User

        slug = db.session.get(User, signed_in).profile_slug
    public = client.application.test_client()
    profile = page(public.get(f"/profiles/{slug}"))
    assert "Sam Learner" in profile and "Demo course" in profile
    client.post("/dashboard/certificates/profile", data={})
    assert public.get(f"/profiles/{slug}").status_code == 404
    assert public.get("/profiles/guess").status_code == 404


def test_download_my_data_includes_certificates(client, certificate_code):
    data = client.get("/account/data.json").json
    [certificate] = data["certificates"]
    assert certificate["code"] == certificate_code
    assert certificate["name_on_certificate"] == "Sam Learner"
    assert data["account"]["public_skills_profile"] is False
