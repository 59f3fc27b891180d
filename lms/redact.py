"""Keep secrets out of the logs: capability paths, secret query parameters and bearer tokens.

Some addresses are themselves credentials: a password-reset, email-confirmation or email-change
link (``/account/reset/<token>``), a certificate's code (anyone holding it sees the learner's
name) and a public profile's random address. A log line names the route but never the secret.
Every URL argument of every route is listed here as secret or public; a test walks the URL map
so a new route cannot be added without deciding which its arguments are.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode
from weakref import WeakKeyDictionary

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.routing.exceptions import RequestRedirect

REDACTED = "[redacted]"

# URL arguments whose values are secrets wherever they appear: single-use email links, and
# certificate codes (140 random bits that open a page with the holder's name).
SECRET_URL_ARGS = frozenset({"token", "code"})
# Arguments that are secrets on one endpoint only: a public profile lives at a random slug.
SECRET_ENDPOINT_ARGS = {"certificates.profile": frozenset({"slug"})}
# Arguments that are safe to log: course slugs, lesson keys, asset paths, ids, export formats,
# studio table names. (Integer ids need no listing: ``<int:...>`` is never a secret.)
PUBLIC_URL_ARGS = frozenset({"slug", "key", "path", "filename", "fmt", "token_id", "table", "kid"})

# Query parameters whose names look like credentials (``?code=``, ``?token=``, ``?password=``).
SECRET_QUERY_NAME = re.compile(r"token|code|pass|secret|key|sig|auth|session|credential", re.I)
BEARER = re.compile(r"\b(bearer)\s+[A-Za-z0-9._~+/=-]+", re.I)
_RULE_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([A-Za-z_][A-Za-z0-9_]*)>")
# Compiled once per URL map (a scanner's flood of 404s must stay cheap to log).
_PATTERNS: WeakKeyDictionary[Map, tuple[int, list[re.Pattern[str]]]] = WeakKeyDictionary()


def secret_args(rule: Rule) -> frozenset[str]:
    """The names of ``rule``'s arguments whose values must never be logged."""
    extra = SECRET_ENDPOINT_ARGS.get(rule.endpoint, frozenset())
    return frozenset(a for a in rule.arguments if a in SECRET_URL_ARGS or a in extra)


def mask_matched(path: str, rule: Rule, view_args: dict) -> str:
    """``path`` with the segments that carry ``rule``'s secret arguments replaced."""
    values = {str(view_args[name]) for name in secret_args(rule) if name in view_args}
    if not values:
        return path
    parts = path.split("/")
    masked = "/".join(REDACTED if part in values else part for part in parts)
    # A converter that matched part of a segment (``/x/<code>.pdf``): replace the text itself.
    for value in values - set(parts):
        if value:
            masked = masked.replace(value, REDACTED)
    return masked


def _rule_pattern(rule: Rule) -> re.Pattern[str] | None:
    """A prefix pattern for ``rule`` whose named groups are its secret arguments, if it has any."""
    secret = secret_args(rule)
    if not secret:
        return None
    pattern, position = "^", 0
    for match in _RULE_ARGUMENT.finditer(rule.rule):
        pattern += re.escape(rule.rule[position : match.start()])
        name = match.group(1)
        pattern += f"(?P<{name}>[^/]+)" if name in secret else "[^/]+"
        position = match.end()
    return re.compile(pattern + re.escape(rule.rule[position:]))


def _secret_patterns(url_map: Map) -> list[re.Pattern[str]]:
    """The prefix patterns of ``url_map``'s secret-bearing routes, rebuilt when routes are added."""
    rules = list(url_map.iter_rules())
    cached = _PATTERNS.get(url_map)
    if cached is None or cached[0] != len(rules):
        patterns = [p for p in map(_rule_pattern, rules) if p is not None]
        cached = _PATTERNS[url_map] = (len(rules), patterns)
    return cached[1]


def mask_unmatched(path: str, url_map: Map) -> str:
    """Mask ``path`` by the shape of every secret-bearing route, for requests no route matched.

    A mistyped or truncated reset link (404), or one called with the wrong method (405), still
    carries a real token: anything that looks like a secret route's argument is masked.
    """
    for pattern in _secret_patterns(url_map):
        match = pattern.match(path)
        if match is None:
            continue
        for name in sorted(match.groupdict(), key=match.start, reverse=True):
            path = path[: match.start(name)] + REDACTED + path[match.end(name) :]
    return path


def mask_query(query: str, url_map: Map) -> str:
    """The query string with secret-looking parameters masked; local paths in values too."""
    if not query:
        return ""
    pairs = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if SECRET_QUERY_NAME.search(name):
            value = REDACTED
        elif value.startswith("/"):  # ?next=/account/email/<token> after a sign-in redirect
            value = mask_unmatched(value, url_map)
        pairs.append((name, value))
    return urlencode(pairs, safe="/[]")


def mask_target(target: str, url_map: Map, method: str = "GET") -> str:
    """Mask a raw request target (path and query) that has not been routed yet."""
    path, _, query = target.partition("?")
    try:
        rule, view_args = url_map.bind("localhost").match(path, method, return_rule=True)
        masked = mask_matched(path, rule, view_args)
    except (HTTPException, RequestRedirect):
        masked = mask_unmatched(path, url_map)
    return masked + ("?" + mask_query(query, url_map) if query else "")


def mask_bearer(text: str) -> str:
    """Replace ``Bearer <token>`` anywhere in ``text``."""
    return BEARER.sub(rf"\1 {REDACTED}", text)
