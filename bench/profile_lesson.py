"""Profile the signed-in lesson page in-process with pyinstrument.

    .venv/bin/pip install pyinstrument
    .venv/bin/python bench/profile_lesson.py [--requests 300]

Uses a throwaway SQLite database with the shipped catalogue and an enrolled learner, signs in
through the test client, warms up, then prints the mean time per request and the profile.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

LESSON = "/courses/python-fundamentals/lessons/strings"
PASSWORD = "bench learner passphrase"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/profile.sqlite3"
        os.environ["LMS_ENV"] = "development"
        os.environ["LMS_RATELIMIT_DEFAULT"] = "1000000 per minute"
        from sqlalchemy import select

        from lms import create_app
        from lms.auth.users import create_user
        from lms.catalogue.files import load_content_folder
        from lms.catalogue.sync import sync_catalogue
        from lms.config import PROJECT_ROOT
        from lms.extensions import db
        from lms.learning.progress import enrol
        from lms.models import Course

        app = create_app({"WTF_CSRF_ENABLED": False, "SECRET_KEY": "profile-only"})
        with app.app_context():
            db.create_all()
            sync_catalogue(load_content_folder(PROJECT_ROOT / "content"))
            user = create_user(
                email="p@example.com", name="Profile", password=PASSWORD, verified=True
            )
            enrol(
                user, db.session.scalar(select(Course).where(Course.slug == "python-fundamentals"))
            )
        client = app.test_client()
        client.post("/account/sign-in", data={"email": "p@example.com", "password": PASSWORD})
        for _ in range(50):
            assert client.get(LESSON).status_code == 200
        started = time.perf_counter()
        for _ in range(args.requests):
            client.get(LESSON)
        mean = (time.perf_counter() - started) / args.requests * 1000
        print(f"mean per request: {mean:.2f} ms")
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.requests):
            client.get(LESSON)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
