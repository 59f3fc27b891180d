"""The API's readable documentation page, generated from the same OpenAPI document as
/api/v1/openapi.json: every operation, its parameters, body, responses and schemas, how to
authenticate, the rate limits, and a curl example for each."""

from __future__ import annotations

import html
import re

import pytest

from lms import create_app
from lms.api.openapi import error, operation
from lms.config import TestConfig, settings_of


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def docs(client) -> str:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return text_of(response)


def section(page: str, anchor: str) -> str:
    """The HTML of the <section> whose id is ``anchor``."""
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


def test_every_operation_of_the_document_is_on_the_page(client, docs):
    document = client.get("/api/v1/openapi.json").json
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            block = section(docs, "op-" + spec["operationId"])
            assert f"{method.upper()} {path}" in html.unescape(block)
            assert html.escape(spec["summary"], quote=False) in block
            for status, response in spec["responses"].items():
                assert f">{status}<" in block, (path, status)
                assert html.escape(response["description"], quote=False) in block
            for parameter in spec.get("parameters", []):
                assert f"<code>{parameter['name']}</code>" in block, (path, parameter["name"])
            assert "curl" in block


def test_parameters_body_and_schemas_are_described(docs):
    lookup = html.unescape(section(docs, "op-api_certificate"))
    assert "code" in lookup and "path" in lookup and "required" in lookup
    stats = html.unescape(section(docs, "op-api_region_stats"))
    assert "start" in stats and "end" in stats and "query" in stats and "YYYY-MM" in stats
    verify = html.unescape(section(docs, "op-api_verify"))
    assert "Request body" in verify and 'href="#schema-VerifyRequest"' in verify
    for name in ("Certificate", "CheckResult", "Error", "RegionStats", "VerifyRequest"):
        assert f'id="schema-{name}"' in docs
    certificate = html.unescape(section(docs, "schema-Certificate"))
    assert "valid, revoked, withdrawn" in certificate  # an enum, in words
    verify_request = html.unescape(section(docs, "schema-VerifyRequest"))
    assert "1 to 100 items" in verify_request and "at most 64 characters" in verify_request


def test_authentication_and_rate_limits_come_from_the_configuration(app, client):
    app.config["API_VERIFY_LIMIT"] = "7 per minute"
    app.config["RATELIMIT_DEFAULT"] = "900 per minute"
    page = html.unescape(text_of(client.get("/api/v1/docs")))
    auth = section(page, "authentication")
    assert "Authorization: Bearer" in auth and 'href="/employer/tokens"' in auth
    limits = section(page, "rate-limits")
    assert "7 per minute" in limits and "900 per minute" in limits and "429" in limits


def test_curl_examples_are_complete_commands_for_this_site(docs):
    page = html.unescape(docs)
    verify = section(page, "op-api_verify")
    command = re.search(r"<pre[^>]*><code>(curl.*?)</code></pre>", verify, re.S).group(1)
    assert "-X POST" in command
    assert "http://localhost/api/v1/certificates/verify" in command
    assert "Authorization: Bearer $TOKEN" in command
    assert "Content-Type: application/json" in command
    assert '"codes"' in command
    lookup = section(page, "op-api_certificate")
    assert re.search(r"curl http://localhost/api/v1/certificates/[0-9A-Z-]{34}", lookup)


def test_the_page_needs_no_script_and_loads_nothing_from_elsewhere(docs):
    assert "<script" not in docs
    assert not re.search(r'(src|href)="(https?:)?//', docs.replace("http://localhost/", ""))
    assert 'href="/api/v1/openapi.json"' in docs


def test_the_json_document_points_people_to_the_page(client):
    document = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).json
    assert "/api/v1/docs" in document["info"]["description"]
    # the document leaves the site: it must not carry an address taken from the request
    assert "evil.example" not in str(document)


def test_a_new_operation_appears_on_the_page_without_touching_it(tmp_path):
    app = create_app(
        settings_of(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/docs.sqlite3")
    )

    @operation(summary="Say hello to the API", responses={"404": error("Nobody is home")})
    def hello():
        return {}

    app.add_url_rule("/api/v1/hello/<name>", "api.hello", hello)
    page = text_of(app.test_client().get("/api/v1/docs"))
    block = html.unescape(section(page, "op-api_hello"))
    assert "GET /api/v1/hello/{name}" in block
    assert "Say hello to the API" in block and "Nobody is home" in block


def test_the_api_routes_are_unchanged(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/stats/regions").status_code == 200
    assert client.get("/api/v1/certificates/nope").json["status"] == 404
