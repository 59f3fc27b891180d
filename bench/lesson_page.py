"""Lesson page throughput against a bare Flask route, both under gunicorn, measured with wrk.

    .venv/bin/python bench/lesson_page.py [--seconds 10] [--workers 2] [--connections 16]

Builds a throwaway SQLite database with the shipped catalogue and an enrolled learner, serves the
real app and a bare Flask app with the same gunicorn settings on loopback, signs the learner in
through the real sign-in form, and loads each page with wrk in turn: the bare route, the lesson
page for an anonymous visitor, and the lesson page for the signed-in learner (their session
cookie on every request). Prints requests per second and each page's ratio to the bare route:
compare ratios from one run, not absolute figures, on shared machines.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LESSON = "/courses/python-fundamentals/lessons/strings"
EMAIL = "bench@example.com"
PASSWORD = "bench learner passphrase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def serve(target: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=env,
    )


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> float:
    headers = ["--header", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        [
            "wrk",
            *headers,
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def sign_in(base: str) -> str:
    """Sign the bench learner in through the form (CSRF and all); return the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/account/sign-in").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    ).encode()
    opener.open(f"{base}/account/sign-in", data=data)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    page = opener.open(f"{base}{LESSON}").read().decode()
    if "In progress" not in page and "Complete" not in page:
        raise RuntimeError("the bench learner is not signed in and enrolled")
    return cookies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LMS_ENV": "development",  # served on loopback: the public address defaults to it
            "SECRET_KEY": "bench-only",
            "LMS_RATELIMIT_DEFAULT": "1000000 per minute",
        }
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run(
            [*flask, "content", "sync"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run(
            [
                *flask,
                "users",
                "create",
                "--email",
                EMAIL,
                "--name",
                "Bench Learner",
                "--password-stdin",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            input=PASSWORD + "\n",
            text=True,
        )
        enrol = (
            "from lms import create_app; from lms.extensions import db; "
            "from lms.models import Course, User; from lms.learning.progress import enrol; "
            "app = create_app()\nwith app.app_context():\n"
            f"    enrol(db.session.query(User).filter_by(email='{EMAIL}').one(), "
            "db.session.query(Course).filter_by(slug='python-fundamentals').one())"
        )
        subprocess.run([sys.executable, "-c", enrol], cwd=ROOT, env=env, check=True)
        results = {}
        bare_port, app_port = free_port(), free_port()
        bare = serve("bench.bare_app:app", bare_port, args.workers, env)
        app = serve("wsgi:app", app_port, args.workers, env)
        try:
            wait_until_up(f"http://127.0.0.1:{bare_port}/")
            wait_until_up(f"http://127.0.0.1:{app_port}/healthz")
            cookie = sign_in(f"http://127.0.0.1:{app_port}")
            for name, url, cookies in (
                ("bare Flask route", f"http://127.0.0.1:{bare_port}/", ""),
                ("lesson, anonymous", f"http://127.0.0.1:{app_port}{LESSON}", ""),
                ("lesson, signed in", f"http://127.0.0.1:{app_port}{LESSON}", cookie),
            ):
                wrk(url, 2, args.connections, cookies)  # warm up
                results[name] = wrk(url, args.seconds, args.connections, cookies)
        finally:
            for server in (bare, app):
                server.terminate()
                server.wait()
    bare_rps = results["bare Flask route"]
    for name, rps in results.items():
        print(f"{name:>18}: {rps:10.1f} requests/s   ratio to bare route {rps / bare_rps:5.2f}")


if __name__ == "__main__":
    main()
