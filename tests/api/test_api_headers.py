"""What the API's headers say: the scheme a 401 wants (RFC 9110, RFC 6750), the methods an
address allows, and rate limits that describe the limit applied, with Retry-After only on 429."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from werkzeug.datastructures import WWWAuthenticate

from tests.api.test_fuzz_api import employer_token
from tests.factories import limited_app

VERIFY = "/api/v1/certificates/verify"
REALM = "TechNorth Skills API"


def challenge(response) -> WWWAuthenticate:
    assert response.status_code == 401
    assert response.json["status"] == 401 and response.json["reason"]
    return WWWAuthenticate.from_header(response.headers["WWW-Authenticate"])


@pytest.mark.parametrize(
    "authorization", [None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "bearer"]
)
def test_a_401_without_a_bearer_token_names_the_scheme(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.post(VERIFY, json={"codes": ["x"]}, headers=headers)
    sent = challenge(response)
    assert sent.type == "bearer" and dict(sent.parameters) == {"realm": REALM}


def test_a_401_for_a_wrong_token_says_the_token_is_invalid(client):
    response = client.post(VERIFY, json={"codes": ["x"]}, headers={"Authorization": "Bearer no"})
    sent = challenge(response)
    assert sent.type == "bearer"
    assert sent.parameters["realm"] == REALM and sent.parameters["error"] == "invalid_token"
    assert sent.parameters["error_description"] == response.json["reason"]


def test_get_on_the_verify_address_is_405_and_options_does_not_offer_it(client):
    response = client.get(VERIFY)
    assert response.status_code == 405 and response.json["status"] == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "POST" in allowed and "GET" not in allowed
    offered = {m.strip() for m in client.options(VERIFY).headers["Allow"].split(",")}
    assert "POST" in offered and "GET" not in offered
    # codes that merely start with "verify" are still looked up
    assert client.get(VERIFY + "x").json["reason"] == "No certificate has this code."


def test_retry_after_only_on_a_429(tmp_path):
    client = limited_app(tmp_path, RATELIMIT_DEFAULT="3 per minute").test_client()
    answers = [client.get("/api/v1/stats/regions") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers.get("X-RateLimit-Remaining") for a in answers] == ["2", "1", "0", "0"]
    assert all("Retry-After" not in a.headers for a in answers[:3])
    assert 0 < int(answers[3].headers["Retry-After"]) <= 60


def test_rate_limit_headers_describe_the_limit_applied(tmp_path):
    app = limited_app(tmp_path, API_VERIFY_LIMIT="5 per minute", RATELIMIT_DEFAULT="50 per minute")
    token = {"Authorization": f"Bearer {employer_token(app)}"}
    client = app.test_client()
    first = client.post(VERIFY, json={"codes": ["x"]}, headers=token)
    assert first.status_code == 200
    # the per-token limit, not the per-address default that also counts the request
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == (
        "5",
        "4",
    )
    elsewhere = client.get("/api/v1/stats/regions")  # the default, counted per address and route
    assert (elsewhere.headers["X-RateLimit-Limit"], elsewhere.headers["X-RateLimit-Remaining"]) == (
        "50",
        "49",
    )
    answers = [client.post(VERIFY, json={"codes": ["x"]}, headers=token) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    refused = answers[-1]
    assert (refused.headers["X-RateLimit-Limit"], refused.headers["X-RateLimit-Remaining"]) == (
        "5",
        "0",
    )
    assert "Retry-After" in refused.headers


def test_the_openapi_document_describes_these_headers(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    verify = document["paths"][VERIFY]["post"]["responses"]
    assert set(verify["401"]["headers"]) >= {"WWW-Authenticate", "X-RateLimit-Limit"}
    assert "Retry-After" in verify["429"]["headers"]
    assert "Retry-After" not in verify["200"]["headers"]
    lookup = document["paths"]["/api/v1/certificates/{code}"]
    assert set(lookup) == {"get"} and "429" in lookup["get"]["responses"]
    [code] = lookup["get"]["parameters"]
    assert code["schema"]["not"] == {"const": "verify"}
    assert "get" not in document["paths"][VERIFY]
