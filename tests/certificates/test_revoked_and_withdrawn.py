"""Revoked outranks withdrawn: a learner who deletes their account after a revocation does not
erase it. The page, the API, the bulk check and the status list keep saying "revoked", with the
date and the admin's reason, and also say that the learner withdrew."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.certificates import ob3
from tests.factories import PASSWORD

REASON = "Quiz answers were shared in a group chat"


def page(response) -> str:
    return response.get_data(as_text=True)


def status_entry(client, code: str) -> dict:
    token = client.get(f"/certificates/{code}/credential.jwt").get_data(as_text=True)
    return ob3.verify(client, token)["credentialStatus"]


def listed_as_revoked(client, entry: dict) -> bool:
    token = client.get(urlsplit(entry["statusListCredential"]).path).get_data(as_text=True)
    listed = ob3.verify(client, token)
    return ob3.status_bit(listed["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))


def delete_account(client) -> None:
    response = client.post(
        "/account/delete", data={"current_password": PASSWORD, "understood": "y"}
    )
    assert response.status_code == 302


def test_revoked_then_withdrawn_still_says_revoked(client, admin, employer, certificate_code):
    entry = status_entry(client, certificate_code)  # kept before the credential is erased
    admin.post(f"/certificates/{certificate_code}/revoke", data={"reason": REASON})
    delete_account(client)

    anonymous = client.application.test_client()
    text = page(anonymous.get(f"/certificates/{certificate_code}"))
    assert "Revoked on" in text and REASON in text
    assert "deleted their account" in text
    assert "Sam Learner" not in text
    assert ">Verified<" not in text and "status-complete" not in text

    api = anonymous.get(f"/api/v1/certificates/{certificate_code}").json
    assert api["status"] == "revoked"
    assert api["revoked_reason"] == REASON and api["revoked_on"] and api["withdrawn_on"]
    assert "learner_name" not in api and "completed_on" not in api
    assert api["status_list"]["revoked"] is True
    assert listed_as_revoked(anonymous, entry) is True

    results = employer.post("/employer/check.csv", data={"code": [certificate_code]})
    row = results.get_data(as_text=True).splitlines()[1]
    assert row.startswith(f"1,{certificate_code},revoked,,Demo course,,")
    assert "deleted their account" in row


def test_withdrawn_only_stays_withdrawn(client, certificate_code):
    delete_account(client)
    api = client.application.test_client().get(f"/api/v1/certificates/{certificate_code}").json
    assert api["status"] == "withdrawn" and "revoked_on" not in api
    assert api["status_list"]["revoked"] is False


def test_an_admin_can_still_revoke_a_withdrawn_certificate(client, admin, certificate_code):
    """Its credential may still be in someone's wallet: the status list must be able to say so."""
    entry = status_entry(client, certificate_code)
    delete_account(client)
    text = page(admin.get(f"/certificates/{certificate_code}"))
    assert "Revoke this certificate" in text
    admin.post(f"/certificates/{certificate_code}/revoke", data={"reason": REASON})
    anonymous = client.application.test_client()
    assert anonymous.get(f"/api/v1/certificates/{certificate_code}").json["status"] == "revoked"
    assert listed_as_revoked(anonymous, entry) is True
    again = admin.post(f"/certificates/{certificate_code}/revoke", data={"reason": "again"})
    assert again.status_code == 302
    assert "already revoked" in page(admin.get(f"/certificates/{certificate_code}"))
