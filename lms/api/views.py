"""JSON API v1: certificate look-up (public), batch verification (employer token), open regional
figures; the OpenAPI document, and the same document as a page for people."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import select
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized
from werkzeug.routing import BaseConverter

from lms.api.docs import build_reference, schema_anchor
from lms.api.openapi import EXAMPLE_CODE, build_document, error, json_response, operation
from lms.auth.tokens import token_hash
from lms.certificates import api_tokens, issuing
from lms.certificates.checks import certificate_json, check_codes
from lms.extensions import csrf, db, limiter
from lms.models import ApiToken, User
from lms.reporting.figures import by_region, open_rows
from lms.reporting.forms import MONTH_RE, StatsFilterForm
from lms.urls import public_base

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated JSON, never a browser form
REALM = "TechNorth Skills API"


class CertificateCodeConverter(BaseConverter):
    """A certificate code in a path: anything but "verify", the batch address.

    Without it, GET /certificates/verify is a look-up of a code called "verify" (404) and OPTIONS
    offers GET there; with it, GET there is a 405 that names POST.
    """

    regex = r"(?!verify\Z)[^/]+"
    openapi_schema = {"type": "string", "minLength": 1, "not": {"const": "verify"}}


# Runs when the blueprint is registered, before its rules are added (the routes below).
bp.record_once(
    lambda state: state.app.url_map.converters.setdefault(
        "certificate_code", CertificateCodeConverter
    )
)


def _bad_request(reason: str):
    return jsonify(error="Bad request", reason=reason, status=400), 400


def _unauthorized(reason: str, error: str | None = None) -> Unauthorized:
    """A 401 whose WWW-Authenticate names the Bearer scheme (RFC 9110, RFC 6750): with
    error="invalid_token" when a token was sent and refused, and no error when none was sent."""
    parameters = {"realm": REALM}
    if error:
        parameters |= {"error": error, "error_description": reason}
    return Unauthorized(reason, www_authenticate=WWWAuthenticate("bearer", parameters))


def _employer_token() -> ApiToken:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized("Send an employer API token as 'Authorization: Bearer <token>'.")
    token = db.session.scalar(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == token_hash(secret.strip()),
            ApiToken.revoked_at.is_(None),
            User.deleted_at.is_(None),
            User.role.in_(("employer", "admin")),
        )
    )
    if token is None:
        raise _unauthorized("The API token is not valid or has been revoked.", "invalid_token")
    return token


def _limit_key() -> str:
    # Limit per token when one is sent (so one employer cannot starve another), else per address.
    header = request.headers.get("Authorization", "")
    return "token:" + token_hash(header) if header else "ip:" + (request.remote_addr or "")


@bp.get("/certificates/<certificate_code:code>")
@operation(
    summary="Look up one certificate by its code",
    description="Public. Codes are accepted in any case, with or without dashes or spaces.",
    parameters=[
        {
            "name": "code",
            "in": "path",
            "required": True,
            "description": "The certificate code, as printed on the certificate.",
            "schema": {"type": "string"},
            "example": EXAMPLE_CODE,
        }
    ],
    responses={
        "200": json_response("The certificate", "Certificate"),
        "404": error("No certificate has this code"),
        "429": error("Too many requests from this address"),
    },
)
def certificate(code: str):
    """One certificate as JSON."""
    found = issuing.find(code)
    if found is None:
        return jsonify(error="Not found", reason="No certificate has this code.", status=404), 404
    return jsonify(certificate_json(found))


@bp.post("/certificates/verify")
# override_defaults=False: the per-address default still applies, so sending a new made-up token
# with every request does not escape limiting.
@limiter.limit(
    lambda: current_app.config["API_VERIFY_LIMIT"], key_func=_limit_key, override_defaults=False
)
@operation(
    summary="Verify up to 100 certificates at once",
    description="For employers' systems: each code gets its own result, in the order sent.",
    rate_limit=("API_VERIFY_LIMIT", "per API token"),
    security=[{"employerToken": []}],
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VerifyRequest"}}},
    },
    responses={
        "200": json_response("One result per submitted code, in order", "VerifyResponse"),
        "400": error("The body is not a JSON object with 1 to 100 codes"),
        "401": error("No valid employer API token"),
        "429": error("Too many requests for this token (or from this address)"),
    },
)
def verify():
    """Check a batch of codes; each gets its own result."""
    token = _employer_token()
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser's stack: not a list of codes either
        body = None
    if not isinstance(body, dict) or set(body) != {"codes"}:
        return _bad_request('Send a JSON object with one key, "codes": a list of codes.')
    codes = body["codes"]
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return _bad_request('"codes" must be a list of strings.')
    if not 1 <= len(codes) <= 100:
        return _bad_request(f'"codes" must hold 1 to 100 codes, not {len(codes)}.')
    if any(len(c) > 64 for c in codes):
        return _bad_request("A code is at most 64 characters long.")
    results = check_codes(codes)
    api_tokens.note_use(token.id)
    return jsonify(results=[r.as_json() for r in results])


@bp.get("/stats/regions")
@operation(
    summary="Learning figures per city region, with disclosure control",
    description=(
        'Counts from 1 to threshold-1 are given as "<threshold"; other counts are rounded to '
        "the nearest 5; rates only where more than threshold people enrolled."
    ),
    parameters=[
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": {"type": "string", "pattern": MONTH_RE.pattern},
            "example": example,
        }
        for name, description, example in (
            ("start", "The first month counted, YYYY-MM (UTC).", "2026-01"),
            ("end", "The last month counted, YYYY-MM (UTC); not before start.", "2026-06"),
        )
    ],
    responses={
        "200": json_response("Figures per region", "RegionStats"),
        "400": error("A month is not in YYYY-MM form, or end is before start"),
        "429": error("Too many requests from this address"),
    },
)
def region_stats():
    """Disclosure-controlled figures per region, for the open-data page's readers."""
    form = StatsFilterForm(courses=[], skills=[], formdata=request.args)
    if request.args and not form.validate():
        reasons = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return _bad_request(reasons)
    threshold = current_app.config["DISCLOSURE_THRESHOLD"]
    filters = form.filters()
    return jsonify(
        threshold=threshold,
        start=filters.start,
        end=filters.end,
        regions=open_rows(by_region(filters), threshold),
    )


@bp.get("/openapi.json")
def openapi():
    """This API's OpenAPI 3.1 description, generated from its routes."""
    return jsonify(build_document(current_app))


@bp.get("/docs")
def docs():
    """The API documentation for people, read from the OpenAPI document: operations, parameters,
    bodies, responses, schemas, authentication, rate limits and a curl example for each."""
    # Examples name the one public address, like every absolute URL the site hands out.
    base_url = public_base()
    reference = build_reference(build_document(current_app), base_url)
    return render_template("api/docs.html", ref=reference, anchor=schema_anchor)
