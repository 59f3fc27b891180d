"""OpenAPI 3.1 document generated from the API's routes.

Each API view carries its own description through ``@operation(...)``: summary, parameters,
request body, responses and its own rate limit. ``build_document`` walks the app's URL map, so a
route cannot exist without appearing in the document, and the document cannot describe a route
that does not exist. The documentation page (``/api/v1/docs``, ``lms/api/docs.py``) is read from
this same document.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from lms.urls import public_base

API_PREFIX = "/api/v1"
DOCS_PATH = API_PREFIX + "/docs"
EXAMPLE_CODE = "7K3M-Q9XD-2B4F-HJ8N-5RTV-WX0Y-Z1A6"
PATH_ARGUMENT = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
PATH_ARGUMENT_KIND = re.compile(r"<(?:([a-z_]+):)?([a-z_]+)>")

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error", "reason", "status"],
        "properties": {
            "error": {"type": "string"},
            "reason": {"type": "string"},
            "status": {"type": "integer"},
            "request_id": {
                "type": "string",
                "description": "Also in the X-Request-ID header; quote it to support.",
            },
        },
    },
    "Skill": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "sfia": {"type": ["string", "null"]},
            "level": {"type": ["integer", "null"]},
        },
    },
    "Certificate": {
        "type": "object",
        "required": ["code", "status", "course", "issuer", "issued_on"],
        "properties": {
            "code": {"type": "string", "examples": [EXAMPLE_CODE]},
            "status": {
                "type": "string",
                "enum": ["valid", "revoked", "withdrawn"],
                "description": (
                    "revoked outranks withdrawn: a revoked certificate whose learner later "
                    "deleted their account is revoked, with revoked_on, revoked_reason and "
                    "withdrawn_on."
                ),
            },
            "course": {"type": "string"},
            "issuer": {"type": "string"},
            "issued_on": {"type": "string", "format": "date"},
            "learner_name": {"type": "string", "description": "Absent when withdrawn."},
            "completed_on": {"type": "string", "format": "date"},
            "skills": {"type": "array", "items": {"$ref": "#/components/schemas/Skill"}},
            "signature_valid": {
                "type": "boolean",
                "description": "Absent when withdrawn (the credential was erased).",
            },
            "revoked_on": {"type": "string", "format": "date", "description": "When revoked."},
            "revoked_reason": {
                "type": "string",
                "description": "The admin's reason, kept after a withdrawal.",
            },
            "withdrawn_on": {
                "type": "string",
                "format": "date",
                "description": "When the learner deleted their account, if they did.",
            },
            "status_list": {
                "type": "object",
                "description": (
                    "The certificate's entry in the issuer's signed W3C Bitstring Status List "
                    "(revocation), as a verifier reads it. Absent for certificates issued "
                    "before status lists and not re-issued since."
                ),
                "required": ["credential", "index", "revoked"],
                "properties": {
                    "credential": {"type": "string", "format": "uri"},
                    "index": {"type": "integer", "minimum": 0},
                    "revoked": {"type": "boolean"},
                },
            },
        },
    },
    "CheckResult": {
        "type": "object",
        "required": ["submitted", "status", "message"],
        "properties": {
            "submitted": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["valid", "revoked", "withdrawn", "not_found", "invalid_code"],
            },
            "message": {"type": "string"},
            "certificate": {"$ref": "#/components/schemas/Certificate"},
        },
    },
    "VerifyRequest": {
        "type": "object",
        "required": ["codes"],
        "additionalProperties": False,
        "examples": [{"codes": [EXAMPLE_CODE, "NOT-A-REAL-CODE"]}],
        "properties": {
            "codes": {
                "type": "array",
                "minItems": 1,
                "maxItems": 100,
                "items": {"type": "string", "maxLength": 64},
            }
        },
    },
    "RegionStats": {
        "type": "object",
        "required": ["threshold", "regions"],
        "properties": {
            "threshold": {"type": "integer"},
            "start": {"type": ["string", "null"]},
            "end": {"type": ["string", "null"]},
            "regions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["region", "region_name", "enrolments", "completion_rate"],
                    "properties": {
                        "region": {"type": "string"},
                        "region_name": {"type": "string"},
                        **{
                            name: {"type": ["integer", "string"]}
                            for name in (
                                "enrolments",
                                "active_learners",
                                "lessons_completed",
                                "courses_completed",
                                "certificates_issued",
                            )
                        },
                        "completion_rate": {"type": ["integer", "null"]},
                    },
                },
            },
        },
    },
    "VerifyResponse": {
        "type": "object",
        "required": ["results"],
        "properties": {
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/CheckResult"}}
        },
    },
}


def operation(*, rate_limit: tuple[str, str] | None = None, **spec) -> Callable:
    """Attach an OpenAPI operation object (summary, parameters, responses...) to a view.

    ``rate_limit`` is (config key, whom it counts), e.g. ("API_VERIFY_LIMIT", "per API token"):
    the document states the limit the running app applies, not a copy that could go stale.
    """

    def decorator(view: Callable) -> Callable:
        view.openapi = spec
        view.openapi_rate_limit = rate_limit
        return view

    return decorator


def json_response(description: str, schema: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def error(description: str) -> dict:
    return json_response(description, "Error")


HEADERS: dict[str, dict] = {
    "X-RateLimit-Limit": {
        "description": (
            "Requests allowed per window by the limit closest to refusing this client: on "
            "/certificates/verify usually the per-token limit, elsewhere the per-address limit. "
            "Absent when rate limiting is switched off."
        ),
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the window of that limit.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Reset": {
        "description": "When that limit's window ends, in Unix time.",
        "schema": {"type": "integer"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again. Only on 429.",
        "required": True,
        "schema": {"type": "integer"},
    },
    "WWW-Authenticate": {
        "description": (
            'The scheme the API wants: Bearer realm="TechNorth Skills API", with '
            'error="invalid_token" when a token was sent and refused (RFC 6750).'
        ),
        "required": True,
        "schema": {"type": "string"},
    },
}
RATE_LIMITED = "Too many requests: wait as long as Retry-After says"


def _header(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def _responses(declared: dict) -> dict:
    """The view's responses with the headers every answer may carry, and the 429 that any
    operation can answer (the per-address limit applies everywhere)."""
    responses = {"429": error(RATE_LIMITED), **declared}
    result = {}
    for status, response in responses.items():
        names = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
        names += {"401": ["WWW-Authenticate"], "429": ["Retry-After"]}.get(status, [])
        result[status] = response | {"headers": {name: _header(name) for name in names}}
    return dict(sorted(result.items()))


def _parameters(app: Flask, rule, declared: list[dict]) -> list[dict]:
    """Every path argument of the rule in path order, then the view's other parameters (query
    strings). A path argument's schema is what its URL converter accepts (a string otherwise),
    with anything the view declares for it on top."""
    extra = {(p["name"], p["in"]): p for p in declared}
    path = []
    for converter, name in PATH_ARGUMENT_KIND.findall(rule.rule):
        kind = app.url_map.converters.get(converter or "default")
        schema = dict(getattr(kind, "openapi_schema", {"type": "string"}))
        parameter = extra.pop((name, "path"), None)
        if parameter is None:
            parameter = {"name": name, "in": "path", "required": True, "schema": schema}
        else:
            parameter = parameter | {"schema": schema | parameter.get("schema", {})}
        path.append(parameter)
    return path + list(extra.values())


def build_document(app: Flask) -> dict:
    config = app.config
    paths: dict[str, dict] = {}
    rate_limits = [
        {
            "applies_to": "Every request, counted per client address",
            "limit": config["RATELIMIT_DEFAULT"],
        }
    ]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        spec = getattr(view, "openapi", None)
        if spec is None:
            continue
        path = PATH_ARGUMENT.sub(r"{\1}", rule.rule)
        parameters = _parameters(app, rule, spec.get("parameters", []))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation_object = {"operationId": rule.endpoint.replace(".", "_"), **spec}
            operation_object["responses"] = _responses(spec["responses"])
            if parameters:
                operation_object["parameters"] = parameters
            limit = getattr(view, "openapi_rate_limit", None)
            if limit:
                setting, per = limit
                operation_object["x-rate-limit"] = f"{config[setting]}, {per}"
                rate_limits.append(
                    {"applies_to": f"{method} {path}, counted {per}", "limit": config[setting]}
                )
            paths.setdefault(path, {})[method.lower()] = operation_object
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TechNorth Skills API",
            "version": "1.0.0",
            # This document leaves the site: addresses in it are the one configured public
            # address, never a host taken from the request.
            "description": (
                "Check TechNorth Skills certificates, one by code or up to 100 at once with an "
                "employer's API token, and read the open regional figures.\n\n"
                f"Documentation for people, with examples: {public_base().rstrip('/')}{DOCS_PATH}"
            ),
        },
        "servers": [{"url": public_base()}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "headers": HEADERS,
            "securitySchemes": {
                "employerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An employer's API token, created at /employer/tokens.",
                }
            },
        },
        "x-rate-limits": rate_limits,
    }
