"""Employers: bulk checks by CSV, API tokens, the JSON API and its OpenAPI document."""

from __future__ import annotations

import io

import jsonschema
import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from lms.extensions import db
from lms.models import ApiToken

LONG_FAKE = "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"


def page(response) -> str:
    return response.get_data(as_text=True)


def upload(browser, content: bytes, name="codes.csv"):
    return browser.post(
        "/employer/check",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_bulk_check_gives_every_row_its_own_result(employer, certificate_code):
    csv = (
        "Certificate code\n"
        f"{certificate_code}\n"
        f"{certificate_code.lower().replace('-', '')}\n"
        "\n"
        f"{LONG_FAKE}\n"
        "hello world\n"
        '"=HYPERLINK(""http://evil.example"")"\n'
    ).encode()
    response = upload(employer, csv)
    text = page(response)
    assert response.status_code == 200
    assert "Results: 2 of 5 valid" in text
    assert text.count("Sam Learner") == 2
    assert "No certificate has this code." in text
    assert text.count("This is not a certificate code") == 2
    download = employer.post(
        "/employer/check.csv",
        data={"code": [certificate_code, LONG_FAKE, "=HYPERLINK(1)"]},
    )
    assert download.mimetype == "text/csv"
    lines = download.get_data(as_text=True).splitlines()
    assert lines[0] == "row,code,status,learner,course,completed,message"
    assert lines[1].startswith(f"1,{certificate_code},valid,Sam Learner,Demo course,")
    assert lines[2].startswith(f"2,{LONG_FAKE},not_found,")
    assert lines[3].startswith("3,'=HYPERLINK(1),invalid_code")  # never a live formula


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose a CSV file to check."),
        (b"\xff\xfe\x00bad", "not UTF-8 text"),
        (b"code\n", "The file has no codes in it."),
        (b"A\n" * 1001, "check at most 1000 at a time"),
    ],
)
def test_bad_csv_files_are_explained(employer, content, message):
    response = (
        upload(employer, content)
        if content
        else employer.post("/employer/check", data={}, content_type="multipart/form-data")
    )
    assert response.status_code == 422
    assert message in page(response)
    assert 'id="file-error"' in page(response)


def test_bulk_check_is_for_employers(client, signed_in):
    assert client.get("/employer/check").status_code == 403
    assert client.application.test_client().get("/employer/check").status_code == 302


@pytest.fixture
def api_token(app, employer) -> str:
    text = page(employer.post("/employer/tokens", data={"name": "Recruitment system"}))
    token = text.split('id="new-token" value="')[1].split('"')[0]
    assert token.startswith("tn_")
    return token


def test_tokens_are_shown_once_and_stored_hashed(app, employer, api_token):
    assert api_token not in page(employer.get("/employer/tokens"))
    with app.app_context():
        stored = db.session.scalar(select(ApiToken))
        assert stored.token_hash != api_token and len(stored.token_hash) == 64


def test_an_employer_cannot_revoke_another_employers_token(app, employer, api_token):
    from tests.certificates.conftest import browser_as

    other = browser_as(app, "other-hr@example.com", "employer")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    assert other.post(f"/employer/tokens/{token_id}/revoke").status_code == 404
    assert employer.post(f"/employer/tokens/{token_id}/revoke").status_code == 302


def api_verify(client, token, body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/certificates/verify", json=body, headers=headers)


def test_api_verify_with_a_token(client, api_token, certificate_code):
    response = api_verify(client, api_token, {"codes": [certificate_code, LONG_FAKE, "x"]})
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status"] for r in results] == ["valid", "not_found", "invalid_code"]
    assert results[0]["certificate"]["learner_name"] == "Sam Learner"
    assert results[0]["certificate"]["signature_valid"] is True


@pytest.mark.parametrize(
    ("token", "body", "status", "reason"),
    [
        (None, {"codes": ["x"]}, 401, "Authorization: Bearer"),
        ("tn_wrong", {"codes": ["x"]}, 401, "not valid"),
        ("VALID", "not an object", 400, '"codes"'),
        ("VALID", {"codes": []}, 400, "1 to 100 codes"),
        ("VALID", {"codes": ["x"] * 101}, 400, "1 to 100 codes, not 101"),
        ("VALID", {"codes": [1, 2]}, 400, "list of strings"),
        ("VALID", {"codes": ["x"], "extra": 1}, 400, '"codes"'),
        ("VALID", {"codes": ["x" * 65]}, 400, "64 characters"),
    ],
)
def test_api_verify_errors_are_json_with_a_reason(client, api_token, token, body, status, reason):
    token = api_token if token == "VALID" else token
    response = api_verify(client, token, body)
    assert response.status_code == status
    assert response.json["status"] == status
    assert reason in response.json["reason"]


def test_a_revoked_token_stops_working(app, client, employer, api_token):
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    employer.post(f"/employer/tokens/{token_id}/revoke")
    assert api_verify(client, api_token, {"codes": ["x"]}).status_code == 401


def test_api_lookup_is_public(client, certificate_code):
    response = client.application.test_client().get(
        f"/api/v1/certificates/{certificate_code.lower()}"
    )
    assert response.status_code == 200
    assert response.json["status"] == "valid" and response.json["course"] == "Demo course"
    missing = client.get(f"/api/v1/certificates/{LONG_FAKE}")
    assert missing.status_code == 404 and missing.json["reason"] == "No certificate has this code."


def test_api_verify_is_rate_limited_per_token(tmp_path, certificate_code):
    from lms import create_app
    from lms.config import TestConfig, settings_of
    from tests.factories import PASSWORD, make_user

    app = create_app(
        settings_of(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/limits.sqlite3",
            RATELIMIT_ENABLED=True,
            API_VERIFY_LIMIT="2 per minute",
        )
    )
    with app.app_context():
        db.create_all()
        make_user("hr@example.com", role="employer")
    browser = app.test_client()
    browser.post("/account/sign-in", data={"email": "hr@example.com", "password": PASSWORD})
    text = page(browser.post("/employer/tokens", data={"name": "t"}))
    token = text.split('id="new-token" value="')[1].split('"')[0]
    statuses = [api_verify(browser, token, {"codes": ["x"]}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api_verify(browser, token, {"codes": ["x"]}).json["status"] == 429


def test_openapi_document_is_valid_and_matches_the_responses(client, api_token, certificate_code):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert set(document["paths"]) == {
        "/api/v1/certificates/{code}",
        "/api/v1/certificates/verify",
        "/api/v1/stats/regions",
    }
    schemas = document["components"]["schemas"]

    def check(instance, name):
        schema = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}
        jsonschema.validate(instance, schema)

    check(client.get(f"/api/v1/certificates/{certificate_code}").json, "Certificate")
    check(api_verify(client, api_token, {"codes": [certificate_code, "x"]}).json, "VerifyResponse")
    check(client.get(f"/api/v1/certificates/{LONG_FAKE}").json, "Error")
    check(api_verify(client, None, {"codes": ["x"]}).json, "Error")
    check(client.get("/api/v1/stats/regions").json, "RegionStats")
    check(client.get("/api/v1/stats/regions?start=2026-13").json, "Error")


def test_made_up_tokens_do_not_escape_the_per_address_limit(tmp_path):
    from tests.factories import limited_app

    app = limited_app(tmp_path, RATELIMIT_DEFAULT="3 per minute")
    client = app.test_client()
    statuses = [api_verify(client, f"made-up-{n}", {"codes": ["x"]}).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
