"""Employers find every way of checking certificates from their home, the bulk check page."""

from __future__ import annotations


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_the_employer_home_offers_the_single_code_check_and_the_api(employer):
    page = text_of(employer.get("/employer/check"))
    # the one-code form, on the page itself: it sends the code to /verify by GET
    form = page.split('action="/verify"')[1].split("</form>")[0]
    assert 'name="code"' in form
    assert 'href="/employer/tokens"' in page
    assert 'href="/api/v1/docs"' in page


def test_the_single_code_check_links_back_to_the_bulk_check(employer):
    page = text_of(employer.get("/verify"))
    assert 'href="/employer/check"' in page


def test_a_single_check_from_the_employer_home_opens_the_certificate(employer, certificate_code):
    response = employer.get("/verify", query_string={"code": certificate_code.lower()})
    assert response.location == f"/certificates/{certificate_code}"


def test_the_tokens_page_links_the_api_documentation_and_the_checks(employer):
    page = text_of(employer.get("/employer/tokens"))
    assert 'href="/api/v1/docs"' in page
    assert 'href="/employer/check"' in page
