"""Lesson page throughput against a bare Flask route, both under gunicorn, measured with wrk.

    .venv/bin/python bench/lesson_page.py [--seconds 10] [--workers 2] [--connections 16]

Builds a throwaway SQLite database with the shipped catalogue, serves the real app and a bare
Flask app with the same gunicorn settings on loopback, and loads each with wrk in turn. Prints
requests per second for both and their ratio: compare ratios from one run, not absolute figures,
on shared machines.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LESSON = "/courses/python-fundamentals/lessons/strings"


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


def wrk(url: str, seconds: int, connections: int) -> float:
    out = subprocess.run(
        [
            "wrk",
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
        results = {}
        for name, target, path in (
            ("bare Flask route", "bench.bare_app:app", "/"),
            ("lesson page", "wsgi:app", LESSON),
        ):
            port = free_port()
            server = serve(target, port, args.workers, env)
            try:
                url = f"http://127.0.0.1:{port}{path}"
                wait_until_up(url)
                wrk(url, 2, args.connections)  # warm up
                results[name] = wrk(url, args.seconds, args.connections)
            finally:
                server.terminate()
                server.wait()
    for name, rps in results.items():
        print(f"{name:>18}: {rps:10.1f} requests/s")
    ratio = results["lesson page"] / results["bare Flask route"]
    print(f"{'ratio':>18}: {ratio:10.2f} (lesson page / bare route)")


if __name__ == "__main__":
    main()
