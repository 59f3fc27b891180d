"""Request ids and the request log: what an operator reads, and what a person quotes to support."""

from __future__ import annotations

import logging
import re

import pytest

from lms import create_app
from lms.config import TestConfig, settings_of
from lms.requestlog import AppLogHandler, JsonFormatter, TextFormatter
from tests.factories import PASSWORD
from tests.logs import capture

GENERATED_ID = re.compile(r"[0-9a-f]{16}")


def _own_app(tmp_path, **config):
    return create_app(
        settings_of(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/own.db", **config)
    )


def _app_handler() -> AppLogHandler:
    [handler] = [h for h in logging.getLogger("lms").handlers if isinstance(h, AppLogHandler)]
    return handler


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/courses").headers["X-Request-ID"]
    second = client.get("/courses").headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second)
    assert first != second


def test_a_sane_incoming_request_id_is_kept(client):
    sent = "lb-7f3a9c2e.0001:edge"
    response = client.get("/courses", headers={"X-Request-ID": sent})
    assert response.headers["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent",
    [
        "short",
        "x" * 65,
        "has space in it",
        'quote"d-1234567',
        "<script>alert(1)</script>",
        "-abc12345",
    ],
)
def test_an_odd_incoming_request_id_is_replaced(client, sent):
    response = client.get("/courses", headers={"X-Request-ID": sent})
    assert GENERATED_ID.fullmatch(response.headers["X-Request-ID"])


def test_one_json_line_per_request_with_every_field(client, app, signed_in):
    lines = capture(app)
    response = client.get("/dashboard?tab=all", headers={"X-Request-ID": "trace-0001-abcd"})
    [entry] = lines.requests()
    assert entry["message"] == f"GET /dashboard?tab=all 200 {entry['duration_ms']}ms"
    assert entry["level"] == "INFO"
    assert entry["method"] == "GET"
    assert entry["path"] == "/dashboard"
    assert entry["query"] == "tab=all"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
    assert entry["user_id"] == signed_in
    assert entry["remote_addr"] == "127.0.0.1"
    assert entry["response_size"] == len(response.data)
    assert entry["request_id"] == "trace-0001-abcd"
    assert entry["time"].endswith("+00:00")


def test_an_anonymous_request_has_no_user(client, app):
    lines = capture(app)
    client.get("/courses")
    assert lines.requests()[0]["user_id"] is None


def test_the_client_address_is_the_one_proxyfix_saw(tmp_path):
    app = _own_app(tmp_path, TRUSTED_PROXIES=1)
    lines = capture(app)
    app.test_client().get("/static/css/site.css", headers={"X-Forwarded-For": "203.0.113.7"})
    assert lines.requests()[0]["remote_addr"] == "203.0.113.7"


def test_every_app_log_line_during_a_request_has_its_id(client, app, learner):
    lines = capture(app)
    response = client.post(
        "/account/sign-in", data={"email": "learner@example.com", "password": PASSWORD}
    )
    request_id = response.headers["X-Request-ID"]
    entries = lines.entries
    assert {e["logger"] for e in entries} >= {"lms.auth.users", "lms.request"}
    assert [e["request_id"] for e in entries] == [request_id] * len(entries)
    sign_in = next(e for e in entries if e["logger"] == "lms.auth.users")
    assert sign_in["message"].startswith("sign-in succeeded for user")


def test_log_lines_outside_a_request_have_no_id(app):
    lines = capture(app)
    logging.getLogger("lms.cli").info("synced 3 courses")
    [entry] = lines.entries
    assert entry["request_id"] is None
    assert entry["message"] == "synced 3 courses"


def test_an_unhandled_error_is_logged_with_its_id_and_shown_on_the_page(fresh_app, caplog):
    app = fresh_app

    @app.get("/test-boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    lines = capture(app)
    response = app.test_client().get("/test-boom")
    request_id = response.headers["X-Request-ID"]
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert f"Quote this reference if you contact us: <code>{request_id}</code>" in page
    assert "boom" not in page
    error = next(e for e in lines.entries if e["logger"] == "lms.errors")
    assert error["level"] == "ERROR"
    assert error["message"] == "unhandled error on GET /test-boom"
    assert error["request_id"] == request_id
    assert "RuntimeError: boom" in error["exception"]
    [request_line] = lines.requests()
    assert (request_line["status"], request_line["level"]) == (500, "ERROR")
    assert [r.request_id for r in caplog.records if r.name == "lms.errors"] == [request_id]


def test_html_error_pages_show_the_reference(client):
    response = client.get("/courses/no-such-course")
    assert response.status_code == 404
    reference = response.headers["X-Request-ID"]
    assert f"Quote this reference if you contact us: <code>{reference}</code>" in (
        response.get_data(as_text=True)
    )


def test_json_error_bodies_carry_the_request_id(client):
    response = client.get("/api/v1/no-such-thing", headers={"X-Request-ID": "support-ref-42"})
    assert response.status_code == 404
    assert response.json["request_id"] == "support-ref-42"
    assert response.headers["X-Request-ID"] == "support-ref-42"


def test_a_request_refused_by_the_rate_limit_still_has_an_id(tmp_path):
    app = _own_app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute")
    lines = capture(app)
    client = app.test_client()
    client.get("/courses")
    refused = client.get("/courses")
    assert refused.status_code == 429
    assert GENERATED_ID.fullmatch(refused.headers["X-Request-ID"])
    assert lines.requests()[-1]["request_id"] == refused.headers["X-Request-ID"]
    assert lines.requests()[-1]["status"] == 429


def test_text_lines_are_readable_and_cannot_be_forged(client, app):
    lines = capture(app, "text")
    response = client.get("/courses/x%0A2026-01-01 INFO lms.request forged")
    request_id = response.headers["X-Request-ID"]
    [line] = lines.text.splitlines()
    assert f" INFO lms.request [{request_id}] GET /courses/x\\x0a2026-01-01" in line


def test_json_is_the_default_outside_tests_and_debug(tmp_path):
    _own_app(tmp_path, TESTING=False)
    assert isinstance(_app_handler().formatter, JsonFormatter)
    _own_app(tmp_path)
    assert isinstance(_app_handler().formatter, TextFormatter)
    _own_app(tmp_path, LOG_FORMAT="json")
    assert isinstance(_app_handler().formatter, JsonFormatter)


def test_one_handler_however_many_apps(tmp_path):
    _own_app(tmp_path)
    _own_app(tmp_path)
    assert len([h for h in logging.getLogger("lms").handlers if isinstance(h, AppLogHandler)]) == 1


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"LOG_FORMAT": "xml"}, "LMS_LOG_FORMAT must be 'json' or 'text', not 'xml'"),
        (
            {"LOG_LEVEL": "loud"},
            "LMS_LOG_LEVEL must be a level such as INFO or WARNING, not 'LOUD'",
        ),
    ],
)
def test_bad_log_settings_are_refused_at_start(tmp_path, setting, message):
    with pytest.raises(ValueError) as error:
        _own_app(tmp_path, **setting)
    assert str(error.value) == message
