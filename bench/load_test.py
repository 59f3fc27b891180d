"""Load test on loopback: 100 simulated learners against gunicorn, on SQLite, then PostgreSQL.

    .venv/bin/python bench/load_test.py [--seconds 60] [--learners 100]
        [--databases sqlite,postgresql] [--workers 5] [--threads 0]

For each database: a throwaway database (a temporary SQLite file; a PostgreSQL database made with
``createdb`` and dropped at the end), ``flask db upgrade``, ``flask content sync`` of the shipped
``content/``, and half the learners given accounts from before, part-way through a course. Then
the real app under gunicorn on 127.0.0.1 and the learners (``bench/load_learners.py``) for a fixed
time: signing up (with the emailed link) or in, reading lessons, answering quizzes right and
wrong, completing whole courses and opening their certificates, with the forms' CSRF tokens.

Afterwards it prints each request kind's count, statuses, throughput and p50/p95/p99 latency, and
checks (``bench/load_checks.py``): no 5xx and no answer a browser would not expect; no lost,
invented or doubled progress against what the learners saw acknowledged; one certificate per
completed course; rollups equal to a rebuild. Exits 1 if any check fails. For the run only, the
rate limits are raised through the environment, since every learner comes from 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_data import Returning, answer_key, returning_learners
from bench.load_learners import Mailbox, Options, Recorder, run_learners

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
UNLIMITED = "1000000 per minute"
COLUMNS = f"{'count':>8}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


def environment(database_url: str, instance: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "LMS_ENV": "development",  # served on loopback: the public address defaults to it
        "SECRET_KEY": "bench-only-not-a-secret",
        "BENCH_INSTANCE_PATH": str(instance),
        "LMS_CONTENT_DIR": str(ROOT / "content"),
        # The benchmark only: 100 learners share one address, so the per-address limits go up.
        "LMS_RATELIMIT_DEFAULT": UNLIMITED,
        "LMS_SIGN_IN_LIMIT": UNLIMITED,
        "LMS_RESET_LIMIT": UNLIMITED,
    }


def in_child(env: dict, function: str, argument):
    """Call ``bench.load_test.<function>(argument)`` in a child process with the run's environment.

    The app reads its configuration from the environment when first imported, so work on the
    run's database happens in a process that starts with the run's environment.
    """
    script = (
        "import pickle, sys\n"
        f"from bench.load_test import {function}\n"
        f"pickle.dump({function}(pickle.load(sys.stdin.buffer)), sys.stdout.buffer)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        input=pickle.dumps(argument),
        capture_output=True,
    )
    if done.returncode:
        raise RuntimeError(f"{function} failed:\n{done.stderr.decode(errors='replace')[-3000:]}")
    return pickle.loads(done.stdout)  # noqa: S301 - our own child process's answer


def prepare(env: dict, plan: list[Returning]) -> None:
    """Migrate, sync the shipped catalogue, create the returning learners with their progress."""
    flask = [str(BIN / "flask"), "--app", "bench.load_app"]
    for command in (["db", "upgrade"], ["content", "sync"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    in_child(env, "seed_returning", plan)


def seed_returning(plan: list[Returning]) -> int:
    """In the child: accounts, enrolments and passed quizzes, through the domain functions."""
    from sqlalchemy import select

    from bench.load_app import app
    from lms.auth.users import create_user
    from lms.content.quiz import grade_quiz
    from lms.extensions import db
    from lms.learning.progress import enrol, record_attempt
    from lms.models import Course, Lesson

    with app.app_context():
        for learner in plan:
            user = create_user(
                email=learner.email,
                name=f"Returning {learner.email.split('@')[0]}",
                password=learner.password,
                region=learner.region,
                verified=True,
            )
            course = db.session.scalar(select(Course).where(Course.slug == learner.course))
            enrol(user, course)
            for key in learner.done:
                lesson = db.session.scalar(
                    select(Lesson).where(Lesson.course_id == course.id, Lesson.key == key)
                )
                right = {
                    q["number"]: {i for i, o in enumerate(q["options"]) if o["correct"]}
                    for q in lesson.quiz
                }
                record_attempt(user, lesson, grade_quiz(lesson.quiz, right, course.pass_mark))
    return len(plan)


def check_run(ledgers: list) -> list[tuple[bool, str]]:
    """In the child: the database checks of ``bench/load_checks.py``."""
    from bench.load_app import app
    from bench.load_checks import check_database

    with app.app_context():
        return [(check.ok, check.text) for check in check_database(ledgers)]


def serve(env: dict, port: int, args, log) -> subprocess.Popen:
    worker = ["--worker-class", "gthread", "--threads", str(args.threads)] if args.threads else []
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(args.workers),
            *worker,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.load_app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn's workers, from ``/proc``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[1]) == master:  # the parent pid: one of this gunicorn's workers
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def report(name: str, recorder: Recorder, wall: float, cpu: tuple, args) -> list[tuple[bool, str]]:
    """Print the figures; return the response checks (5xx, unexpected answers)."""
    total = sum(len(v) for v in recorder.latencies.values()) or 1
    setup = f"{args.workers} workers" + (
        f" x {args.threads} threads (gthread)" if args.threads else " (sync)"
    )
    print(f"\n== {name}: {args.learners} learners, {args.seconds:g} s, gunicorn {setup} ==")
    print(
        f"{total:,} requests in {wall:.1f} s = {total / wall:.1f} requests/s "
        f"(CPU: gunicorn workers {cpu[1]:.1f} s, {cpu[1] / total * 1000:.1f} ms a request; "
        f"load generator {cpu[0]:.1f} s; machine load average {cpu[2]:.1f} before, "
        f"{cpu[3]:.1f} after)"
    )
    print(f"{'request':<20}{COLUMNS}  statuses")
    everything = []
    for kind in sorted(recorder.latencies, key=lambda k: -len(recorder.latencies[k])):
        values = sorted(recorder.latencies[kind])
        everything.extend(values)
        statuses = ", ".join(
            f"{s}: {n:,}" for s, n in sorted(recorder.statuses[kind].items(), key=str)
        )
        print(
            f"{kind:<20}{len(values):>8,}{len(values) / wall:>8.1f}"
            + "".join(f"{percentile(values, q) * 1000:>9.0f}" for q in (0.5, 0.95, 0.99))
            + f"  {statuses}"
        )
    everything.sort()
    if everything:
        print(
            f"{'all':<20}{total:>8,}{total / wall:>8.1f}"
            + "".join(f"{percentile(everything, q) * 1000:>9.0f}" for q in (0.5, 0.95, 0.99))
        )
    print_timeline(recorder, wall)
    server_errors = sum(
        n
        for c in recorder.statuses.values()
        for s, n in c.items()
        if isinstance(s, int) and s >= 500
    )
    checks = [
        (server_errors == 0, f"5xx responses: {server_errors}"),
        (
            not recorder.problems,
            f"answers a browser would not expect: {len(recorder.problems)}"
            + "".join(f"\n      {p}" for p in recorder.problems[:10]),
        ),
    ]
    return checks


def print_timeline(recorder: Recorder, wall: float, step: float = 10) -> None:
    """Throughput and latency per 10 s of the run, by when each answer came.

    It tells the arrivals, when everyone signs in or up at once, from the learning that follows.
    """
    print(f"{'answered in':<20}{COLUMNS}  of them")
    passwords = ("sign-in", "sign-up")
    for start in range(0, math.ceil(wall / step) * int(step), int(step)):
        window = [(s, k) for at, s, k in recorder.timeline if start <= at < start + step]
        if not window:
            continue
        values = sorted(s for s, _ in window)
        hashed = sum(1 for _, k in window if k in passwords)
        seconds = min(step, wall - start)
        print(
            f"{f'{start}-{start + int(step)} s':<20}{len(values):>8,}{len(values) / seconds:>8.1f}"
            + "".join(f"{percentile(values, q) * 1000:>9.0f}" for q in (0.5, 0.95, 0.99))
            + f"  {hashed} sign-ins and sign-ups"
        )


def run_one(name: str, database_url: str, args, courses) -> bool:
    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp:
        instance = Path(tmp) / "instance"
        env = environment(database_url, instance)
        plan = returning_learners(round(args.learners * args.returning), courses)
        prepare(env, plan)
        learners = [*plan, *([None] * (args.learners - len(plan)))]
        port = free_port()
        log_path = Path(tmp) / "gunicorn.log"
        with log_path.open("wb") as log:
            server = serve(env, port, args, log)
            try:
                wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
                options = Options(
                    wrong_rate=args.wrong_rate, double_rate=args.double_rate, think=args.think
                )
                load = os.getloadavg()[0]
                cpu, served = time.process_time(), server_cpu(server.pid)
                recorder, wall = asyncio.run(
                    run_learners(
                        f"http://127.0.0.1:{port}",
                        courses,
                        learners,
                        Mailbox(instance / "mail"),
                        args.seconds,
                        options,
                        args.seed,
                        args.ramp,
                    )
                )
                cpu, served = time.process_time() - cpu, server_cpu(server.pid) - served
                load = (load, os.getloadavg()[0])
            finally:
                server.terminate()
                server.wait()
        checks = report(name, recorder, wall, (cpu, served, *load), args)
        checks += in_child(env, "check_run", recorder.ledgers)
        checks.append(server_log_check(log_path.read_text(errors="replace")))
        if args.server_log:
            shutil.copy(log_path, args.server_log)
        print("checks:")
        for ok, text in checks:
            print(f"  [{'ok' if ok else 'FAILED'}] {text}")
        return all(ok for ok, _ in checks)


def server_log_check(log: str) -> tuple[bool, str]:
    """Errors in gunicorn's and the app's log: tracebacks, 5xx lines, killed workers."""
    marks = ("Traceback", "[ERROR]", "[CRITICAL]", '"level": "ERROR"', '"level": "CRITICAL"')
    bad = [line[:300] for line in log.splitlines() if any(mark in line for mark in marks)]
    return not bad, f"server log errors: {len(bad)}" + "".join(f"\n      {b}" for b in bad[:10])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=POSTGRES, help="server URL, without a database")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=0, help="gthread threads; 0: sync workers")
    parser.add_argument(
        "--returning", type=float, default=0.5, help="share with an account already"
    )
    parser.add_argument("--wrong-rate", type=float, default=0.3)
    parser.add_argument("--double-rate", type=float, default=0.05)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between requests, s")
    parser.add_argument("--ramp", type=float, default=10, help="learners arrive over this, s")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--server-log", help="keep a copy of gunicorn's log (stderr) here")
    args = parser.parse_args()
    # A plain kill must still stop gunicorn and drop the PostgreSQL database: exit through finally.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    courses = answer_key(ROOT / "content")
    results = {}
    for name in args.databases.split(","):
        if name == "sqlite":
            with tempfile.TemporaryDirectory(prefix="load-db-") as folder:
                results[name] = run_one("SQLite", f"sqlite:///{folder}/load.sqlite3", args, courses)
        elif name == "postgresql":
            database = f"load_test_{os.getpid()}"
            host = ["-h", "127.0.0.1", "-U", "postgres"]
            subprocess.run(["createdb", *host, database], check=True)
            try:
                results[name] = run_one("PostgreSQL", f"{args.postgres}/{database}", args, courses)
            finally:
                subprocess.run(["dropdb", *host, "--if-exists", database], check=True)
        else:
            parser.error(f"unknown database {name!r}: use sqlite and/or postgresql")
    failed = [name for name, ok in results.items() if not ok]
    print(f"\n{'FAILED: ' + ', '.join(failed) if failed else 'every check passed'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
