"""How long the studio's preview takes for each shipped course, against a published lesson view.

Every preview (the Preview button, or the live preview as a trainer types) loads the whole draft
course through the course-format loader, so its cost grows with the course. This prints, for the
largest lesson of each shipped course, the median of N previews, and the median of N views of the
published lesson page (warm cache) in the same process for scale. Besides the wall-clock median it
prints the median CPU time of this process (``time.process_time``), which a busy shared machine
disturbs far less: compare that column between runs.

    .venv/bin/python bench/studio_preview.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from lms import create_app
from lms.config import PROJECT_ROOT, TestConfig, settings_of
from lms.extensions import db
from lms.models import Workspace


def median_ms(action, repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU milliseconds of ``repeat`` calls of ``action``."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                **settings_of(TestConfig),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "CONTENT_DIR": str(PROJECT_ROOT / "content"),
            }
        )
        with app.app_context():
            db.create_all()
        assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
        with app.app_context():
            from lms.auth.users import create_user

            create_user(
                email="admin@example.com",
                name="Bench Admin",
                password="correct horse battery",
                role="admin",
                region="leeds",
                verified=True,
            )
        client = app.test_client()
        client.post(
            "/account/sign-in",
            data={"email": "admin@example.com", "password": "correct horse battery"},
        )
        print(
            "| course | lessons | largest lesson | preview (ms) | preview CPU (ms) "
            "| published lesson view (ms) |"
        )
        print("|---|---|---|---|---|---|")
        with app.app_context():
            workspaces = db.session.scalars(select(Workspace).order_by(Workspace.slug)).all()
            rows = []
            for ws in workspaces:
                lessons = [f for f in ws.files if f.kind == "lesson" and f.path]
                largest = max(lessons, key=lambda f: len(f.data))
                rows.append((ws.slug, len(lessons), largest.id, largest.data, largest.path))
        for slug, count, file_id, data, path in rows:
            url = f"/studio/courses/{slug}/files/{file_id}/preview"
            key = data.decode().split("id: ", 1)[1].split("\n", 1)[0]

            def preview(url=url, data=data):
                response = client.post(url, data={"text": data.decode()})
                assert response.status_code == 200

            def view(slug=slug, key=key):
                assert client.get(f"/courses/{slug}/lessons/{key}").status_code == 200

            view()
            wall, cpu = median_ms(preview, args.repeat)
            print(
                f"| {slug} | {count} | {path} ({len(data) // 1024} KB) | {wall:.0f} | {cpu:.0f} | "
                f"{median_ms(view, args.repeat)[0]:.1f} |"
            )


if __name__ == "__main__":
    main()
