"""OpenAPI 3.1 document generated from the API's routes.

Each API view carries its own description through ``@operation(...)``: summary, request body and
responses. ``build_document`` walks the app's URL map, so a route cannot exist without appearing in
the document, and the document cannot describe a route that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

API_PREFIX = "/api/v1"

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
            "code": {"type": "string", "examples": ["7K3M-Q9XD-2B4F-HJ8N-5RTV-WX0Y-Z1A6"]},
            "status": {"type": "string", "enum": ["valid", "revoked", "withdrawn"]},
            "course": {"type": "string"},
            "issuer": {"type": "string"},
            "issued_on": {"type": "string", "format": "date"},
            "learner_name": {"type": "string", "description": "Absent when withdrawn."},
            "completed_on": {"type": "string", "format": "date"},
            "skills": {"type": "array", "items": {"$ref": "#/components/schemas/Skill"}},
            "signature_valid": {"type": "boolean"},
            "revoked_on": {"type": "string", "format": "date"},
            "revoked_reason": {"type": "string"},
            "withdrawn_on": {"type": "string", "format": "date"},
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


def operation(**spec) -> Callable:
    """Attach an OpenAPI operation object (summary, responses, requestBody...) to a view."""

    def decorator(view: Callable) -> Callable:
        view.openapi = spec
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


def _path_parameters(app: Flask, rule) -> list[dict]:
    """Path parameters, each with the schema its URL converter declares (a string otherwise)."""
    parameters = []
    for converter, name in re.findall(r"<(?:([a-z_]+):)?([a-z_]+)>", rule.rule):
        kind = app.url_map.converters.get(converter or "default")
        schema = getattr(kind, "openapi_schema", {"type": "string"})
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def build_document(app: Flask) -> dict:
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        spec = getattr(view, "openapi", None)
        if spec is None:
            continue
        path = re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        parameters = _path_parameters(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation_object = {"operationId": rule.endpoint.replace(".", "_"), **spec}
            operation_object["responses"] = _responses(spec["responses"])
            if parameters:
                operation_object["parameters"] = parameters
            paths.setdefault(path, {})[method.lower()] = operation_object
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TechNorth Skills API",
            "version": "1.0.0",
            "description": "Check TechNorth Skills certificates.",
        },
        "servers": [{"url": "/"}],
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
    }
