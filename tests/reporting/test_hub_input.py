"""The hub's endpoint under bad input: every malformed header, body or report gets a 4xx with a
JSON reason and stores nothing; no input reaches a 500; nothing is parsed before the signature
is checked; and the rules it applies hold for every report a real platform makes."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.reporting import hub as hub_module
from lms.reporting.figures import Figures, open_rows
from lms.reporting.report_checks import report_errors
from tests.factories import PASSWORD, make_user
from tests.reporting.test_cluster_report import Hub

PATH = "/api/v1/cluster/reports"
PERIOD = datetime.now(UTC).strftime("%Y-%m")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """One hub for the module (never served: its test client is enough); tests compare the
    number of stored reports before and after."""
    return Hub(tmp_path_factory.mktemp("hub"), port=0)


@pytest.fixture
def stored(hub):
    return hub.reports()


def row(region="leeds", **changes) -> dict:
    figures = {
        "region": region,
        "enrolments": 10,
        "active_learners": 15,
        "lessons_completed": 40,
        "courses_completed": 5,
        "certificates_issued": 5,
        "completion_rate": 50,
    }
    return figures | changes


def report(**changes) -> dict:
    return {
        "schema_version": "1.0",
        "report_id": str(uuid.uuid4()),
        "provider": "leeds-lms",
        "period": PERIOD,
        "generated_at": "2026-11-30T12:00:00Z",
        "disclosure": {"threshold": 5, "rounding": 5},
        "regions": [row("leeds"), row("sheffield", enrolments="<5", completion_rate=None)],
    } | changes


def post(hub, body: bytes, *, stamp=None, sig=None, provider="leeds-lms", report_id=None):
    stamp = str(int(time.time())) if stamp is None else stamp
    headers = {
        "Content-Type": "application/json",
        "X-TechNorth-Provider": provider,
        "X-TechNorth-Timestamp": stamp,
        "X-TechNorth-Signature": sig
        if sig is not None
        else hub_module.signature(hub.secret, stamp, body),
    }
    if report_id is None:
        try:
            report_id = json.loads(body)["report_id"]
        except (ValueError, KeyError, TypeError, RecursionError):
            report_id = "none"
    headers["X-TechNorth-Report-Id"] = str(report_id).strip()  # a header holds no newline
    return hub.app.test_client().post(PATH, data=body, headers=headers)


def refused(response, status: int, *words: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "Report refused" and body["status"] == status
    for word in words:
        assert word in body["reason"], body["reason"]
    return body["reason"]


def test_a_good_report_is_stored(hub, stored):
    assert post(hub, json.dumps(report()).encode()).status_code == 201
    assert hub.reports() == stored + 1


def test_a_provider_cannot_report_for_another(hub, stored):
    """Signed with leeds-lms's own secret, but naming another provider inside."""
    body = json.dumps(report(provider="sheffield-lms")).encode()
    refused(post(hub, body), 422, "provider: does not match the signing provider")
    assert hub.reports() == stored


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({"stamp": "²"}, "ASCII digits"),  # str.isdigit() says yes, int() says no
        ({"stamp": "\u0661\u0667" + "\u0660" * 8}, "ASCII digits"),  # Arabic-Indic: int() says yes
        ({"stamp": "-1700000000"}, "ASCII digits"),
        ({"stamp": " 1700000000"}, "ASCII digits"),
        ({"stamp": "9" * 400}, "ASCII digits"),
        ({"stamp": ""}, "ASCII digits"),
        ({"sig": "é" * 64}, "64 lowercase hex"),  # compare_digest raised TypeError
        ({"sig": "ab"}, "64 lowercase hex"),
        ({"sig": "0" * 65}, "64 lowercase hex"),
        ({"sig": "g" * 64}, "64 lowercase hex"),
        ({"sig": ""}, "64 lowercase hex"),
        ({"provider": "x" * 81}, "provider name"),
        ({"provider": "ünï"}, "provider name"),
        ({"provider": ""}, "provider name"),
        ({"provider": "nobody"}, "Unknown provider"),
        ({"stamp": "1"}, "window"),
    ],
)
def test_malformed_or_wrong_headers_are_refused_with_401(hub, stored, headers, words):
    response = post(hub, json.dumps(report()).encode(), **headers)
    refused(response, 401, words)
    assert response.headers["WWW-Authenticate"].startswith("TechNorth-HMAC-SHA256 realm=")
    assert hub.reports() == stored


def test_nothing_is_parsed_before_the_signature_is_checked(hub, monkeypatch):
    def no_parsing(*args, **kwargs):
        raise AssertionError("the body was parsed before the request was authenticated")

    monkeypatch.setattr(hub_module, "json", SimpleNamespace(loads=no_parsing))
    monkeypatch.setattr(hub_module, "too_deep", no_parsing)
    deep = b"[" * 20_000 + b"]" * 20_000
    for body in (deep, b"not json", json.dumps(report()).encode()):
        refused(post(hub, body, sig="0" * 64, report_id="x"), 401, "signature")
        refused(post(hub, body, stamp="²", report_id="x"), 401)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 20_000 + b"]" * 20_000,  # under the size limit; RecursionError in json.loads
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b'{"regions": [[[[[[[[[[[[1]]]]]]]]]]]]}',
    ],
)
def test_deeply_nested_json_is_a_400_not_a_recursion_error(hub, stored, body):
    refused(post(hub, body), 400, "nests deeper")
    assert hub.reports() == stored


def test_brackets_inside_strings_do_not_count_as_nesting(hub):
    body = json.dumps(report(provider="[[[[[[[[[[[[")).encode()
    refused(post(hub, body), 422, "provider")  # parsed and checked, not refused as too deep


@pytest.mark.parametrize("body", [b"not json", b"\xff\xfe{", b"", b'{"a": 1' + b"9" * 5000 + b"}"])
def test_a_signed_body_that_is_not_json_is_a_400(hub, body):
    refused(post(hub, body), 400, "not JSON")


def test_a_body_larger_than_any_report_is_refused_with_413(hub, stored):
    body = json.dumps(report(padding="x" * 70_000)).encode()
    response = post(hub, body)
    assert response.status_code == 413 and response.get_json()["status"] == 413
    assert hub.reports() == stored


def _with(row_changes: dict, **changes) -> dict:
    return report(regions=[row(**row_changes)], **changes)


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (report(regions=[row("leeds"), row("leeds"), row("leeds")]), "appears more than once"),
        (_with({"enrolments": 10**18, "completion_rate": 0}), "enrolments"),
        (_with({"lessons_completed": 10**18}), "lessons_completed"),
        (_with({"lessons_completed": 10_000_005}), "lessons_completed"),
        (_with({"courses_completed": 10, "certificates_issued": 5}), "must equal"),
        (_with({"lessons_completed": 0, "courses_completed": 20, "certificates_issued": 20}), ""),
        (_with({"lessons_completed": 5, "courses_completed": 20, "certificates_issued": 20}), ""),
        (_with({"enrolments": "<7"}), "<5"),
        (_with({"enrolments": "<5", "completion_rate": 40}), "completion_rate"),
        (_with({"enrolments": 100, "completion_rate": None}), "completion_rate: missing"),
        (_with({"completion_rate": 100_000}), "completion_rate"),
        (_with({"completion_rate": 5}), "can be 42 to 88"),
        (_with({"enrolments": 5.0, "completion_rate": None}), "whole number"),
        (_with({"active_learners": 1}), "active_learners"),
        (_with({"region": "leeds\n"}), "region"),
        (_with({"region": "x" * 41}), "region"),
        (_with({}, period="2026-11\n"), "period"),
        (_with({}, period="2999-01"), "has not begun"),
        (_with({}, generated_at="x" * 10_000), "generated_at"),
        (_with({}, generated_at="2026-11-30T12:00:00Z\n"), "generated_at"),
        (_with({}, report_id=str(uuid.uuid4()) + "\n"), "report_id"),
        (_with({}, disclosure={"threshold": 10**18, "rounding": 5}), "threshold"),
        (_with({}, disclosure={"threshold": 5.0, "rounding": 5}), "whole number"),
        (report(regions=[row(f"r{n}") for n in range(101)]), "regions"),
        ([1, 2, 3], "(report)"),
        ("a string", "(report)"),
    ],
)
def test_a_report_that_breaks_the_rules_is_a_422_with_the_reason(hub, stored, bad, words):
    body = json.dumps(bad).encode()
    reason = refused(post(hub, body), 422, words)
    assert len(reason) < 2000  # a huge value is quoted short, never echoed whole
    assert hub.reports() == stored


def test_the_dashboard_adds_up_only_accepted_reports(hub):
    big = _with({"enrolments": 10**18, "completion_rate": 0})
    assert post(hub, json.dumps(big).encode()).status_code == 422
    assert post(hub, json.dumps(report()).encode()).status_code == 201
    with hub.app.app_context():
        make_user("analyst@example.com", role="analyst")
    browser = hub.app.test_client()
    browser.post("/account/sign-in", data={"email": "analyst@example.com", "password": PASSWORD})
    page = browser.get("/hub").get_data(as_text=True)
    assert "1 provider reported for" in page and "10000000000" not in page
    for odd in ("2026-13", "²⁰²⁶-11", "2026-11\n", "\x00", "x" * 5000):
        assert browser.get("/hub", query_string={"period": odd}).status_code == 400


COUNT = st.integers(min_value=0, max_value=2_000_000)


@st.composite
def true_figures(draw) -> Figures:
    """Figures as the rollups can hold them: certificates equal completions, and at least one
    lesson per completion; enrolments and activity unrelated (other months' learners)."""
    courses = draw(st.one_of(st.integers(0, 12), COUNT))
    return Figures(
        enrolments=draw(st.one_of(st.integers(0, 12), COUNT)),
        active_learners=draw(st.one_of(st.integers(0, 12), COUNT)),
        lessons_completed=courses + draw(st.one_of(st.integers(0, 12), COUNT)),
        courses_completed=courses,
        certificates_issued=courses,
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    figures=st.lists(true_figures(), min_size=1, max_size=9),
    threshold=st.one_of(st.just(5), st.integers(2, 1000)),
)
def test_every_report_a_platform_can_make_passes_the_rules(figures, threshold):
    regions = ["leeds", "sheffield", "manchester", "liverpool", "newcastle", "a", "b", "c", "d"]
    rows = open_rows(dict(zip(regions, figures, strict=False)), threshold)
    made = report(
        disclosure={"threshold": threshold, "rounding": 5},
        regions=[{k: v for k, v in r.items() if k != "region_name"} for r in rows],
    )
    assert report_errors(made) == []


ODD_TEXT = st.one_of(
    st.text(max_size=90),
    st.sampled_from(["²", "\u0661\u0662\u0663", "\U0001d7cf\U0001d7d0", "\x00", "0x1f", "1e9"]),
    st.sampled_from(["-0", "é" * 64, "A" * 64, "0" * 64, " " + "0" * 63]),
)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.one_of(st.just("leeds-lms"), ODD_TEXT),
    stamp=st.one_of(st.none(), ODD_TEXT),  # None: now, correctly formed
    sig=st.one_of(st.none(), ODD_TEXT),  # None: the right signature for the body
    body=st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner),
            max_leaves=30,
        ).map(lambda value: json.dumps(report(regions=[value]) if value else value).encode()),
    ),
)
def test_no_header_or_body_makes_a_500(hub, name, stamp, sig, body):
    try:
        response = post(hub, body, provider=name, stamp=stamp, sig=sig)
    except ValueError:  # a header value the HTTP client itself refuses to send (a newline)
        return
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.get_json()["reason"]
