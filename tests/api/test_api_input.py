"""Bodies the verify API cannot use get a 400 with a reason, however they are broken."""

from __future__ import annotations

import pytest

from tests.api.test_fuzz_api import employer_token


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # deeper than the JSON parser's stack: RecursionError, once a 500
        b'{"codes": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b"not json",
        b'{"codes": "\\ud800"}',
    ],
)
def test_a_body_the_api_cannot_read_is_a_400(app, body):
    token = employer_token(app)
    response = app.test_client().post(
        "/api/v1/certificates/verify",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json["reason"]
