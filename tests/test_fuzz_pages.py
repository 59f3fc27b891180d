"""Every route of the app, fuzzed the way a careless link, a broken client or an attacker would:
odd query strings on every GET (huge, negative and non-ASCII numbers, NUL, long values, repeated
keys, array-style keys, broken percent-escapes), odd values in every form field on every POST, and
odd path parameters, each sent as the role that gets past the route's access check. No answer may
be a server error. The API has its own contract test (tests/api/test_fuzz_api.py); here it is
walked too, as one more client.

Routes, roles and sample path values come from the access matrix (tests/test_access_matrix.py),
whose own test fails for any route without a row, so a new route is fuzzed from the day it exists.
Runs are derandomized: the same examples on every run, so CI is stable.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from tests.test_access_matrix import MATRIX, world  # noqa: F401 - world is a fixture

# Who to send for a route: the first of these the access matrix lets through (not redirected to
# sign in, not refused), so the fuzzed values reach the form or the query, not the access check.
PREFERENCE = ("learner", "trainer", "employer", "analyst", "admin", "anonymous")
ODD_VALUES = [
    "99999999999999999999999",
    "-99999999999999999999999",
    "-1",
    "0",
    "1e309",
    "NaN",
    "²",
    "\u0661\u0662",  # Arabic-Indic digits: int() takes them
    "\U0001d7cf",  # mathematical bold digit one
    "\x00",
    "a\x00b",
    "\ufeff",
    "\u202e",
    " ",
    "",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "2026-13",
    "0000-00",
    "9999-12",
    "true",
    "[]",
    "x" * 5000,
]
ODD_KEYS = ["page[]", "q[0]", "page.0", "", "\x00", "é", "x" * 300]
EXTRA_FIELDS = ["page", "next", "action", "direction", "against", "version", "table", "tab"]
EXTRA_FIELDS += ["period", "start", "end", "course", "role", "deleted", "code", "q1", "q2", "q3"]


def field_names() -> list[str]:
    """Every field of every WTForms form in the app, and the names views read themselves."""
    from flask_wtf import FlaskForm

    names, forms = set(EXTRA_FIELDS), [FlaskForm]
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        names.update(n for n in dir(form) if isinstance(getattr(form, n, None), UnboundField))
    return sorted(names)


def values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_VALUES),
        st.integers(-(10**30), 10**30).map(str),
        st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=6),
        st.text(max_size=30),
    )


def every_field(fields: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Every known field with a value of its own, plus a few odd or repeated keys."""
    own = st.tuples(*[st.tuples(st.just(name), values()) for name in fields]).map(list)
    extra = st.lists(st.tuples(st.sampled_from([*ODD_KEYS, *fields]), values()), max_size=4)
    return st.tuples(own, extra).map(lambda both: both[0] + both[1])


# Sent in every field at once, to every route, before the generated examples: what a careless
# link or a script most often sends, and what has broken pages before.
BROADSIDE = ["99999999999999999999999", "-1", "²", "\x00", "x" * 3000, "2026-13"]
PATH_VALUES = ["99999999999999999999999", "2147483648", "²", "%00", "x" * 300]
# Appended to the query string as the server receives it: broken escapes, bare keys, and raw
# bytes that are not UTF-8 (Latin-1 characters here stand for those bytes).
RAW_SUFFIXES = ["", "", "&page=%FF", "&q=%00", "&%", "&page=%zz", "&=&&=", "&page", "&q=\xff"]


def role_for(expected: dict[str, int]) -> str:
    through = [r for r in PREFERENCE if expected[r] not in (302, 403, 404)]
    return through[0] if through else "admin"


def odd_path(adapter, method: str, url: str, value: str) -> str | None:
    """The same route with its first path parameter replaced by ``value`` (None: none has one).

    The value is put in the URL as it is (percent-encoded), not built by the route, so a number
    in an <int:...> segment can be anything at all."""
    _, arguments = adapter.match(url.split("?")[0], method=method)
    if not arguments:
        return None
    sample = quote(str(next(iter(arguments.values()))), safe="/")
    return url.replace(f"/{sample}", "/" + quote(value, safe="%"), 1)


SETTINGS = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure is reported as sent (minimising forty fields costs minutes).
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def fuzz_route(browser, adapter, fields, method: str, url: str, label: str) -> list[str]:
    """Send one route its odd requests; the server errors it answered, described."""
    failures: list[str] = []

    def send(target: str, params: list[tuple[str, str]], suffix: str = "") -> None:
        if method == "GET":
            query = {"QUERY_STRING": urlencode(params) + suffix}
            response = browser.open(target, method=method, environ_overrides=query)
        else:
            response = browser.open(target, method=method, data=MultiDict(params))
        if response.status_code >= 500:
            shown = f"{response.status_code}: {method} {target} as {label} with {params!r}{suffix}"
            failures.append(shown[:300])
        assert response.status_code < 500

    with suppress(AssertionError):  # every request gets its turn before the test fails
        for value in BROADSIDE:
            send(url, [(name, value) for name in [*fields, *ODD_KEYS]])
        for value in PATH_VALUES if odd_path(adapter, method, url, "x") else []:
            send(odd_path(adapter, method, url, value), [])

    @SETTINGS
    @given(params=every_field(fields), suffix=st.sampled_from(RAW_SUFFIXES))
    def generated(params, suffix):
        send(url, params, suffix)

    with suppress(AssertionError):
        generated()
    return failures


def test_no_route_answers_a_server_error_whatever_it_is_sent(app, world):  # noqa: F811
    browsers, sample, _ = world
    fields = field_names()
    adapter = app.url_map.bind("localhost")
    failures = []
    for method, template, expected in MATRIX:
        role = role_for(expected)
        url = template.format(**sample)
        failures += fuzz_route(browsers[role], adapter, fields, method, url, role)
    assert failures == []
