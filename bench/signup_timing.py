"""Does an account form take as long for an address with an account as for one without?

Each form a stranger can fill in with any address (sign-up, password reset, a new confirmation
link, sign-in with a wrong password) is posted N times for an address that has an account
(confirmed, or for some forms unconfirmed) and N times for one that has none (a fresh address
each time), alternating, through the test client with the production argon2id cost. Prints the
median of each and their ratio; a ratio far from 1 is a timing oracle for "does this address
have an account?".

    .venv/bin/python bench/signup_timing.py [--repeat 61]

Mail goes to the outbox folder (no SMTP), the same for both kinds of address; with SMTP each
answer would also wait for one message to be handed over, in both cases.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms import create_app
from lms.config import TestConfig, settings_of
from lms.extensions import db

PASSWORD = "correct horse battery"
CONFIRMED, UNCONFIRMED = "known@example.com", "pending@example.com"
SIGN_UP = {"name": "Bench Person", "region": "leeds", "password": PASSWORD, "confirm": PASSWORD}
ROWS = [
    # (form, path, fields besides the address, the address with an account). Sign-up forms
    # before this benchmark's first use took a password; it is sent, and now ignored.
    ("sign-up", "/account/sign-up", SIGN_UP, CONFIRMED),
    ("sign-up, account unconfirmed", "/account/sign-up", SIGN_UP, UNCONFIRMED),
    ("password reset", "/account/reset", {}, CONFIRMED),
    ("new confirmation link", "/account/verify", {}, CONFIRMED),
    ("new confirmation link, account unconfirmed", "/account/verify", {}, UNCONFIRMED),
    ("sign-in, wrong password", "/account/sign-in", {"password": "not the password"}, CONFIRMED),
]


def timed_ms(client, path: str, data: dict) -> float:
    start = time.perf_counter()
    response = client.post(path, data=data)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 422), (path, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=61)
    args = parser.parse_args()
    fresh = count()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                **settings_of(TestConfig),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
            }
        )
        app.instance_path = tmp
        with app.app_context():
            db.create_all()
            from lms.auth.users import create_user

            for email in (CONFIRMED, UNCONFIRMED):
                create_user(
                    email=email,
                    name="Known Person",
                    password=PASSWORD,
                    region="leeds",
                    verified=email == CONFIRMED,
                )
        client = app.test_client()
        print("| form | address with an account (ms) | address without (ms) | ratio |")
        print("|---|---|---|---|")
        for form, path, fields, account in ROWS:
            known, unknown = [], []
            timed_ms(client, path, dict(fields, email=account))  # warm up
            for _ in range(args.repeat):
                known.append(timed_ms(client, path, dict(fields, email=account)))
                address = f"nobody{next(fresh)}@example.com"
                unknown.append(timed_ms(client, path, dict(fields, email=address)))
            a, b = statistics.median(known), statistics.median(unknown)
            print(f"| {form} | {a:.1f} | {b:.1f} | {b / a:.2f} |")


if __name__ == "__main__":
    main()
