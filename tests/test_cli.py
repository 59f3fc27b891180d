"""The ``flask`` commands as an author or admin runs them."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.auth.passwords import verify_password
from lms.extensions import db
from lms.models import Course, Lesson, User


def test_check_passes_on_valid_content(runner, demo_course):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0
    assert result.output.strip() == "OK: 1 course, 3 lessons."


def test_check_prints_every_problem_and_exits_1(runner, demo_course):
    path = demo_course / "course.md"
    path.write_text(path.read_text().replace("summary:", "sumary:"))
    (demo_course / "02-second-steps.md").write_text("no front matter\n")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        "content/demo-course/02-second-steps.md:1: missing front matter: "
        "the file must start with a line '---'",
        "content/demo-course/course.md:1: field 'summary' is required",
        "content/demo-course/course.md:4: field 'sumary' is an unknown field "
        "(did you mean 'summary'?)",
        "3 problems found.",
    ]


def test_problems_reach_the_terminal_with_control_characters_escaped(runner, demo_course):
    path = demo_course / "02-second-steps.md"
    path.write_text(path.read_text() + "\n[x](\x1b]0;owned\x07\x1b[2J\u202eevil.md)\n")
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\u202e" not in result.output
    assert (
        "content/demo-course/02-second-steps.md:13: link "
        "'\\x1b]0;owned\\x07\\x1b[2J\\u202eevil.md' points to a lesson that does not exist"
        in result.output
    )


def test_check_accepts_a_path(runner, demo_course):
    result = runner.invoke(args=["content", "check", str(demo_course)])
    assert result.exit_code == 0, result.output


def test_check_of_a_missing_folder(runner, tmp_path):
    result = runner.invoke(args=["content", "check", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "no such content folder" in result.output


def test_sync_prints_a_summary_then_nothing_changed(app, runner, demo_course):
    first = runner.invoke(args=["content", "sync"])
    assert first.exit_code == 0
    assert first.output.splitlines() == [
        "Added 1 course, 3 lessons:",
        "  course demo-course",
        "  lesson demo-course/first-steps",
        "  lesson demo-course/second-steps",
        "  lesson demo-course/going-further",
        "Unchanged: 0 courses and lessons.",
    ]
    second = runner.invoke(args=["content", "sync"])
    assert second.exit_code == 0
    assert second.output.strip() == "Nothing changed (4 courses and lessons up to date)."


def test_invalid_content_syncs_nothing(app, runner, demo_course):
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    path = demo_course / "02-second-steps.md"
    path.write_text(path.read_text().replace("title: Second steps", "title: Renamed"))
    (demo_course / "03-going-further.md").write_text("---\nid: [broken\n---\n")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    check = runner.invoke(args=["content", "check"])
    problems = [line for line in check.output.splitlines() if line.startswith("content/")]
    assert problems and all(line in result.output for line in problems)
    assert "Nothing was imported" in result.output
    with app.app_context():
        titles = set(db.session.scalars(select(Lesson.title)))
        assert "Renamed" not in titles and "Second steps" in titles


def test_shipped_catalogue_syncs(app, runner):
    from lms.config import PROJECT_ROOT

    result = runner.invoke(args=["content", "sync", str(PROJECT_ROOT / "content")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Course.id))) >= 6


def test_users_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Admin@Example.com",
            "--name",
            "Ada Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account admin@example.com" in result.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "admin@example.com" and user.role == "admin"
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, "a long enough passphrase")


def test_users_create_prompts_twice_without_echo(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "t@example.com", "--name", "Tia", "--role", "trainer"],
        input="another good passphrase\nanother good passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "another good passphrase" not in result.output


def test_users_create_refuses_weak_passwords_and_duplicates(app, runner):
    args = ["users", "create", "--email", "a@example.com", "--name", "A", "--password-stdin"]
    weak = runner.invoke(args=args, input="password\n")
    assert weak.exit_code == 1
    assert "one of the most common" in weak.output
    short = runner.invoke(args=args, input="short\n")
    assert "at least 8 characters" in short.output
    assert runner.invoke(args=args, input="fine passphrase here\n").exit_code == 0
    again = runner.invoke(args=args, input="fine passphrase here\n")
    assert again.exit_code == 1
    assert "already exists" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_users_create_rejects_unknown_roles(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.com", "--name", "A", "--role", "boss"]
    )
    assert result.exit_code == 2
    assert "'boss' is not one of" in result.output


def test_users_create_makes_a_confirmed_account_that_signs_in_at_once(app, runner, client, outbox):
    args = ["users", "create", "--email", "t@example.com", "--name", "Tia", "--role", "trainer"]
    result = runner.invoke(args=[*args, "--password-stdin"], input="another good passphrase\n")
    assert result.exit_code == 0, result.output
    assert "no confirmation email is needed" in result.output
    with app.app_context():
        assert db.session.scalar(select(User)).email_verified_at is not None
    response = client.post(
        "/account/sign-in", data={"email": "t@example.com", "password": "another good passphrase"}
    )
    assert response.status_code == 302  # signed in, not asked to confirm the address first
    assert outbox.messages == []
