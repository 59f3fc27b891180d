"""The API's documentation for people, read from the OpenAPI document that /api/v1/openapi.json
serves: so the page cannot describe a route that does not exist, nor miss one that does.

This module turns the document into plain rows for a template (operations with their parameters,
body, responses and a curl example; schemas as tables of fields). It knows nothing of Flask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# A type shown in words, in parts: (text, anchor of a schema on the page, or None).
TypeText = list[tuple[str, str | None]]


@dataclass(frozen=True)
class Field:
    name: str
    type: TypeText
    required: bool
    notes: list[str]


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    type: TypeText
    notes: list[str]


@dataclass(frozen=True)
class Response:
    status: str
    description: str
    schema: str | None


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    summary: str
    description: str
    security: list[str]  # the names of the schemes it needs; empty: public
    parameters: list[Parameter]
    body_schema: str | None
    body_required: bool
    responses: list[Response]
    curl: str


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: list[Field]


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    header: str
    description: str
    operations: list[Operation]


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    summary: str
    operations: list[Operation]
    schemas: list[Schema]
    security: list[SecurityScheme]
    rate_limits: list[dict] = field(default_factory=list)


def schema_anchor(name: str) -> str:
    return f"schema-{name}"


def _ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None


def _count(low: int | None, high: int | None, noun: str) -> str | None:
    if low is not None and high is not None:
        return f"{low} to {high} {noun}"
    if low is not None:
        return f"at least {low} {noun}"
    if high is not None:
        return f"at most {high} {noun}"
    return None


def describe(schema: dict) -> tuple[TypeText, list[str]]:
    """A schema's type in words, and notes on its values (enum, limits, format, examples)."""
    name = _ref_name(schema)
    if name:
        return [(name, "#" + schema_anchor(name))], []
    notes = []
    kind = schema.get("type", "any")
    if kind == "array":
        items_type, items_notes = describe(schema.get("items", {}))
        type_text: TypeText = [("array of ", None), *items_type]
        count = _count(schema.get("minItems"), schema.get("maxItems"), "items")
        notes += [count] if count else []
        notes += [f"each {note}" for note in items_notes]
    else:
        kinds = kind if isinstance(kind, list) else [kind]
        type_text = [(" or ".join(kinds), None)]
    if "format" in schema:
        notes.append(f"format: {schema['format']}")
    length = _count(schema.get("minLength"), schema.get("maxLength"), "characters")
    if length:
        notes.append(length)
    if "enum" in schema:
        notes.append("one of: " + ", ".join(str(value) for value in schema["enum"]))
    if "pattern" in schema:
        notes.append(f"pattern: {schema['pattern']}")
    if schema.get("examples"):
        notes.append(f"for example {json.dumps(schema['examples'][0], ensure_ascii=False)}")
    if schema.get("description"):
        notes.append(schema["description"].rstrip("."))
    return type_text, notes


def fields_of(schema: dict, prefix: str = "") -> list[Field]:
    """An object schema's properties as rows; nested objects become ``parent.child`` rows."""
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        type_text, notes = describe(prop)
        rows.append(Field(prefix + name, type_text, name in required, notes))
        if prop.get("type") == "object" and "properties" in prop:
            rows += fields_of(prop, f"{prefix}{name}.")
        items = prop.get("items", {})
        if prop.get("type") == "array" and items.get("type") == "object":
            rows += fields_of(items, f"{prefix}{name}[].")
    return rows


def _example_value(parameter: dict) -> str | None:
    if "example" in parameter:
        return str(parameter["example"])
    examples = parameter.get("schema", {}).get("examples")
    return str(examples[0]) if examples else None


def curl_example(
    base_url: str, method: str, path: str, spec: dict, schemas: dict, schemes: dict
) -> str:
    """A complete curl command for the operation, with example values from the document."""
    url = base_url.rstrip("/") + path
    query = []
    for parameter in spec.get("parameters", []):
        value = _example_value(parameter)
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", value or parameter["name"].upper())
        elif parameter["in"] == "query" and value is not None:
            query.append(f"{parameter['name']}={value}")
    if query:
        url = f"'{url}?{'&'.join(query)}'"  # quoted: a shell would take & as its own
    lines = [f"curl -X {method} {url}" if method != "GET" else f"curl {url}"]
    for requirement in spec.get("security", []):
        for name in requirement:
            if schemes.get(name, {}).get("scheme") == "bearer":
                lines.append('-H "Authorization: Bearer $TOKEN"')
    body = spec.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        target = schemas.get(_ref_name(body["schema"]) or "", body["schema"])
        example = (target.get("examples") or [{}])[0]
        lines.append('-H "Content-Type: application/json"')
        lines.append(f"-d '{json.dumps(example)}'")
    return " \\\n  ".join(lines)


def build_reference(document: dict, base_url: str) -> Reference:
    """Everything the documentation page shows, in the document's order."""
    components = document.get("components", {})
    schemas = components.get("schemas", {})
    schemes = components.get("securitySchemes", {})
    operations = []
    for path, methods in document["paths"].items():
        for method, spec in methods.items():
            body = spec.get("requestBody", {})
            json_body = body.get("content", {}).get("application/json")
            parameters = [
                Parameter(p["name"], p["in"], p.get("required", False), *_parameter_words(p))
                for p in spec.get("parameters", [])
            ]
            operations.append(
                Operation(
                    id=spec["operationId"],
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=spec.get("description", ""),
                    security=[
                        name for requirement in spec.get("security", []) for name in requirement
                    ],
                    parameters=parameters,
                    body_schema=_ref_name(json_body["schema"]) if json_body else None,
                    body_required=bool(body.get("required")),
                    responses=[
                        Response(status, response["description"], _response_schema(response))
                        for status, response in sorted(spec.get("responses", {}).items())
                    ],
                    curl=curl_example(base_url, method.upper(), path, spec, schemas, schemes),
                )
            )
    security = [
        SecurityScheme(
            name=name,
            header="Authorization: Bearer <token>" if scheme.get("scheme") == "bearer" else "",
            description=scheme.get("description", ""),
            operations=[op for op in operations if name in op.security],
        )
        for name, scheme in schemes.items()
    ]
    info = document.get("info", {})
    return Reference(
        title=info.get("title", ""),
        version=info.get("version", ""),
        summary=info.get("description", "").split("\n\n")[0],
        operations=operations,
        schemas=[
            Schema(name, schema.get("description", ""), fields_of(schema))
            for name, schema in schemas.items()
        ],
        security=security,
        rate_limits=document.get("x-rate-limits", []),
    )


def _parameter_words(parameter: dict) -> tuple[TypeText, list[str]]:
    type_text, notes = describe(parameter.get("schema", {}))
    if parameter.get("description"):
        notes = [parameter["description"].rstrip("."), *notes]  # notes are joined with "; "
    return type_text, notes


def _response_schema(response: dict) -> str | None:
    content = response.get("content", {}).get("application/json")
    return _ref_name(content["schema"]) if content else None
