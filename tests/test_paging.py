"""Every paged list takes any ``page`` argument without failing: a number past the database's
integers, zero, negative or not a number shows the first page."""

from __future__ import annotations

import pytest

from tests.certificates.conftest import browser_as


@pytest.mark.parametrize("path", ["/courses", "/admin/users", "/admin/certificates"])
@pytest.mark.parametrize("number", ["1" * 40, "0", "-2", "x", "²"])
def test_odd_page_numbers_show_the_first_page(app, synced, path, number):
    admin = browser_as(app, f"admin-{path.strip('/').replace('/', '-')}@example.com", "admin")
    response = admin.get(path, query_string={"page": number})
    assert response.status_code == 200
    assert "Something went wrong" not in response.get_data(as_text=True)
