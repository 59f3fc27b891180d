"""schemathesis against /api/v1/openapi.json: every operation, generated requests, no server
errors and no response that breaks the document."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

# "end must not be before start" spans two query parameters, which OpenAPI cannot express; the
# 400 it gets is documented. Every other check still runs on that operation.
CROSS_FIELD_RULES = {"/api/v1/stats/regions": [positive_data_acceptance]}


def employer_token(app) -> str:
    from datetime import UTC, datetime

    from lms.auth.tokens import token_hash
    from lms.extensions import db
    from lms.models import ApiToken
    from tests.factories import make_user

    with app.app_context():
        employer = make_user("hr@example.com", role="employer")
        db.session.add(
            ApiToken(
                user_id=employer.id,
                name="fuzz",
                token_hash=token_hash("tn_fuzz"),
                created_at=datetime.now(UTC),
            )
        )
        db.session.commit()
    return "tn_fuzz"


def test_every_operation_keeps_its_contract(app, synced):
    headers = {"Authorization": f"Bearer {employer_token(app)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/v1/certificates/{code}",
        "/api/v1/certificates/verify",
        "/api/v1/stats/regions",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case):
            excluded = CROSS_FIELD_RULES.get(case.operation.path, [])
            case.call_and_validate(headers=headers, excluded_checks=excluded)

        run()
