"""A classroom behind one address signs up at once; bulk account creation is still limited."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.config import Config
from lms.extensions import db
from lms.models import User
from tests.factories import PASSWORD, limited_app


def sign_up(client, n: int):
    return client.post(
        "/account/sign-up",
        data={
            "name": f"Learner {n}",
            "email": f"learner{n}@example.com",
            "region": "leeds",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )


def test_a_classroom_of_thirty_signs_up_from_one_address_and_the_limit_still_bites(tmp_path):
    # The shipped default, not a test value: that is what a classroom meets.
    app = limited_app(tmp_path, SIGN_UP_LIMIT=Config.SIGN_UP_LIMIT)
    app.instance_path = str(tmp_path / "instance")  # the confirmation mails go here
    client = app.test_client()  # every request comes from the same address
    classroom = [sign_up(client, n).status_code for n in range(30)]
    assert classroom == [200] * 30
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 30

    statuses = [sign_up(client, n).status_code for n in range(30, 61)]
    assert 429 in statuses  # a script creating accounts in bulk is stopped within the hour
    refused = sign_up(client, 99)
    assert refused.status_code == 429
    text = refused.get_data(as_text=True)
    assert "Too many new accounts" in text
    assert "try again" in text.lower()
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == statuses.index(429) + 30


def test_the_sign_up_limit_is_its_own_setting(tmp_path):
    app = limited_app(tmp_path, SIGN_UP_LIMIT="2 per hour", RESET_LIMIT="100 per hour")
    app.instance_path = str(tmp_path / "instance")
    client = app.test_client()
    assert [sign_up(client, n).status_code for n in range(3)] == [200, 200, 429]
    # password resets keep their own, separate limit
    assert client.post("/account/reset", data={"email": "learner0@example.com"}).status_code == 200
    assert client.get("/account/sign-up").status_code == 200  # reading the form is not limited


def test_the_default_fits_a_classroom_with_retries():
    assert Config.SIGN_UP_LIMIT == "60 per hour"
