"""Editing in the studio: preview, drafts, validation, publishing, history, reordering, progress."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEvent, Course, Lesson, LessonProgress, SourceFile, User, Workspace
from tests.authoring.conftest import draft_text, file_id
from tests.factories import PASSWORD

BASE = "/studio/courses/demo-course"
LESSON = "/courses/demo-course/lessons/second-steps"


def edit(studio, app, path, old, new, action="save", **extra):
    text = draft_text(app, path).replace(old, new)
    assert text != draft_text(app, path), f"{old!r} not in {path}"
    return studio.post(
        f"{BASE}/files/{file_id(app, path)}", data={"text": text, "action": action, **extra}
    )


def test_preview_renders_unsaved_text_and_saves_nothing(app, studio, client):
    before = draft_text(app, "02-second-steps.md")
    response = edit(
        studio, app, "02-second-steps.md", "Loops repeat things.", "Loops **repeat**.", "preview"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Loops <strong>repeat</strong>." in page  # rendered as learners will see it
    assert "Loops **repeat**." in page  # and still in the textarea, unsaved
    assert draft_text(app, "02-second-steps.md") == before
    assert "repeat</strong>" not in client.get(LESSON).get_data(as_text=True)


def test_the_editor_page_has_one_h1_with_the_lesson_preview_beneath_it(app, studio):
    for path, title in (("01-first-steps.md", "First steps"), ("course.md", "Demo course")):
        page = studio.get(f"{BASE}/files/{file_id(app, path)}").get_data(as_text=True)
        assert page.count("<h1") == 1, path
        assert f"<h1>Edit <code>{path}</code></h1>" in page
        assert f'class="lesson-title">{title}</h2>' in page


def test_live_preview_returns_the_rendered_fragment(app, studio):
    text = draft_text(app, "01-first-steps.md").replace("Welcome to the course.", "Hello *there*.")
    response = studio.post(
        f"{BASE}/files/{file_id(app, '01-first-steps.md')}/preview", data={"text": text}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page  # a fragment for the page's preview pane
    assert "Hello <em>there</em>." in page
    assert "Correct answer" in page  # the quiz preview marks the right options
    assert "/studio/courses/demo-course/draft/images/diagram.svg" in page  # draft images


def test_drafts_stay_hidden_until_published_and_progress_survives(app, studio, client, signed_in):
    client.post("/courses/demo-course/enrol")
    client.post("/courses/demo-course/lessons/second-steps/complete")
    assert (
        edit(
            studio, app, "02-second-steps.md", "Loops repeat things.", "Loops repeat work."
        ).status_code
        == 302
    )
    assert "Loops repeat things." in client.get(LESSON).get_data(as_text=True)
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(Lesson.key == "second-steps"))
    page = studio.get(f"{BASE}/publish").get_data(as_text=True)
    assert "passes every check" in page and "Updates <code>02-second-steps.md</code>" in page
    assert studio.post(f"{BASE}/publish").status_code == 302
    page = client.get(LESSON).get_data(as_text=True)
    assert "Loops repeat work." in page
    assert "You completed this lesson" in page
    with app.app_context():
        assert db.session.scalar(select(Lesson.id).where(Lesson.key == "second-steps")) == lesson_id
        assert db.session.scalar(select(LessonProgress.completed_at)) is not None
        workspace = db.session.scalar(select(Workspace))
        assert workspace.managed_in == "studio"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "course.published"))
        assert event.detail["updated"] == ["lesson demo-course/second-steps"]


def test_problems_are_shown_by_line_and_block_publishing(app, studio, client):
    response = edit(studio, app, "02-second-steps.md", "minutes: 15", "minutes: fifteen")
    assert response.status_code == 302  # a draft may be saved while still wrong
    page = studio.get(f"{BASE}/files/{file_id(app, '02-second-steps.md')}").get_data(as_text=True)
    assert "Line 4</a>: field &#39;minutes&#39; must be a whole number" in page
    assert '<code class="problem-source">minutes: fifteen</code>' in page
    response = studio.post(f"{BASE}/publish")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot be published yet" in page
    assert "<code>02-second-steps.md</code> line 4</a>: field &#39;minutes&#39;" in page
    with app.app_context():
        assert db.session.scalar(select(Lesson.minutes).where(Lesson.key == "second-steps")) == 15


def test_a_published_lesson_keeps_its_id(app, studio):
    edit(studio, app, "02-second-steps.md", "id: second-steps", "id: loops")
    page = studio.post(f"{BASE}/publish").get_data(as_text=True)
    assert "the id must stay &#39;second-steps&#39;" in page
    with app.app_context():
        assert db.session.scalar(select(Lesson.key).where(Lesson.key == "loops")) is None


def test_a_save_over_a_coauthors_newer_version_is_refused(app, studio):
    path = "02-second-steps.md"
    with app.app_context():
        stale = db.session.get(SourceFile, file_id(app, path)).sha256
    assert edit(studio, app, path, "The second lesson.", "Theirs.").status_code == 302
    response = edit(studio, app, path, "Theirs.", "Mine.", base=stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this file after you opened it" in page
    assert "Mine." in page  # the trainer's text is still there to copy
    assert "Theirs." in draft_text(app, path)


def test_history_diff_and_restore(app, studio):
    path = "02-second-steps.md"
    original = draft_text(app, path)
    edit(studio, app, path, "Loops repeat things.", "Loops repeat work.")
    history = studio.get(f"{BASE}/files/{file_id(app, path)}/history").get_data(as_text=True)
    assert "Synced from files" in history and "Saved" in history and "Tara Trainer" in history
    with app.app_context():
        first = db.session.scalar(select(SourceFile).where(SourceFile.path == path))
        from lms.authoring.drafts import revisions

        oldest = revisions(first)[-1].id
    diff = studio.get(f"{BASE}/files/{file_id(app, path)}/revisions/{oldest}").get_data(
        as_text=True
    )
    assert '<del><span class="visually-hidden">removed: </span>Loops repeat things.</del>' in diff
    assert '<ins><span class="visually-hidden">added: </span>Loops repeat work.</ins>' in diff
    response = studio.post(f"{BASE}/files/{file_id(app, path)}/revisions/{oldest}/restore")
    assert response.status_code == 302
    assert draft_text(app, path) == original
    history = studio.get(f"{BASE}/files/{file_id(app, path)}/history").get_data(as_text=True)
    assert history.count("<tr>") == 4  # header + synced, saved, restored: nothing is lost


def test_reordering_renumbers_files_and_keeps_lessons(app, studio, client):
    with app.app_context():
        ids = dict(db.session.execute(select(Lesson.key, Lesson.id)).all())
    moved = file_id(app, "03-going-further.md")
    assert studio.post(f"{BASE}/files/{moved}/move", data={"direction": "up"}).status_code == 302
    with app.app_context():
        assert db.session.get(SourceFile, moved).path == "02-going-further.md"
    # Going further belongs to a later module than Second steps: the check says so.
    assert "numbered after lessons of a later module" in studio.get(f"{BASE}/publish").get_data(
        as_text=True
    )
    studio.post(f"{BASE}/files/{moved}/move", data={"direction": "down"})
    studio.post(
        f"{BASE}/files/{file_id(app, '01-first-steps.md')}/move", data={"direction": "down"}
    )
    # Links between the files follow the new names, so the course still checks clean.
    assert "[the first lesson](02-first-steps.md)" in draft_text(app, "course.md")
    assert "[second steps](01-second-steps.md)" in draft_text(app, "02-first-steps.md")
    assert studio.post(f"{BASE}/publish").status_code == 302
    with app.app_context():
        order = db.session.scalars(select(Lesson.key).order_by(Lesson.position)).all()
        assert order == ["second-steps", "first-steps", "going-further"]
        assert dict(db.session.execute(select(Lesson.key, Lesson.id)).all()) == ids


def test_deleting_a_lesson_retires_it_on_publish(app, studio, client, signed_in):
    client.post("/courses/demo-course/enrol")
    client.post("/courses/demo-course/lessons/going-further/complete")
    deleted = file_id(app, "03-going-further.md")
    assert studio.post(f"{BASE}/files/{deleted}/delete").status_code == 302
    assert "Removes <code>03-going-further.md</code>" in studio.get(f"{BASE}/publish").get_data(
        as_text=True
    )
    studio.post(f"{BASE}/publish")
    assert client.get("/courses/demo-course/lessons/going-further").status_code == 404
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.key == "going-further"))
        assert lesson.retired_at is not None
        assert db.session.scalar(
            select(LessonProgress).where(LessonProgress.lesson_id == lesson.id)
        )


def test_new_course_is_a_private_draft_until_published(app, studio, client):
    response = studio.post(
        "/studio/new",
        data={
            "title": "Intro to testing",
            "slug": "intro-to-testing",
            "summary": "Write your first automated tests.",
            "level": "beginner",
            "hours": "1.5",
        },
    )
    assert response.status_code == 302
    assert client.get("/courses/intro-to-testing").status_code == 404
    lesson = file_id(app, "01-introduction.md", "intro-to-testing")
    text = draft_text(app, "01-introduction.md", "intro-to-testing") + (
        "\n```quiz\nQ: Is a test code?\n- [x] Yes\n- [ ] No\nExplanation: It is code.\n```\n"
    )
    studio.post(
        f"/studio/courses/intro-to-testing/files/{lesson}", data={"text": text, "action": "save"}
    )
    assert studio.post("/studio/courses/intro-to-testing/publish").status_code == 302
    page = client.get("/courses/intro-to-testing/lessons/introduction").get_data(as_text=True)
    assert "Check your understanding" in page and "Is a test code?" in page
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "intro-to-testing"))
        assert course.hours == 1.5 and course.authors == [{"name": "Tara Trainer", "role": None}]


def test_new_course_form_explains_each_mistake(studio):
    response = studio.post(
        "/studio/new",
        data={"title": "", "slug": "Bad Id", "summary": "", "level": "expert", "hours": "x"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Enter the course title.",
        "Use lowercase letters, digits and single hyphens only.",
        "Enter a summary.",
        "Choose the course&#39;s level.",
    ):
        assert message in page
    response = studio.post(
        "/studio/new",
        data={
            "title": "T",
            "slug": "demo-course",
            "summary": "S",
            "level": "beginner",
            "hours": "1",
        },
    )
    assert "The id &#39;demo-course&#39; is already used by another course." in response.get_data(
        as_text=True
    )


def test_added_lesson_gets_the_next_number_and_a_fresh_id(app, studio):
    response = studio.post(f"{BASE}/lessons", data={"title": "Second steps"})
    assert response.status_code == 302
    text = draft_text(app, "04-second-steps-2.md")
    assert "id: second-steps-2\ntitle: Second steps\n" in text


def test_a_sync_from_files_leaves_a_studio_course_alone(app, studio, runner, client):
    edit(studio, app, "02-second-steps.md", "Loops repeat things.", "Studio words.")
    studio.post(f"{BASE}/publish")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0
    assert (
        "Skipped course demo-course: it is edited and published in the trainer studio"
        in result.output
    )
    assert "Studio words." in client.get(LESSON).get_data(as_text=True)


def assert_page_inert(html: str) -> None:
    """No element or attribute on the whole page that could run script, except the site's own."""
    from tests.content.test_render import _Elements

    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/js/"), attrs
        if tag == "meta":
            assert "http-equiv" not in attrs, attrs
        assert tag not in {"iframe", "object", "embed", "base"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in {"href", "src", "action", "formaction"} and value:
                assert not value.strip().lower().startswith(("javascript:", "data:")), value


def test_script_in_titles_and_bodies_stays_inert(app, studio, client):
    from tests.content.test_render import XSS_VECTORS, assert_inert

    path = "02-second-steps.md"
    text = draft_text(app, path).replace(
        "title: Second steps", "title: \"<script>alert('t')</script><img src=x onerror=alert(2)>\""
    )
    text += "\n\n" + "\n\n".join(XSS_VECTORS) + "\n"
    url = f"{BASE}/files/{file_id(app, path)}"
    for response in (
        studio.post(url, data={"text": text, "action": "preview"}),
        studio.post(f"{url}/preview", data={"text": text}),
    ):
        page = response.get_data(as_text=True)
        assert_page_inert(page)
        assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page  # the title, escaped
        start = page.index('<div class="prose">')
        assert_inert(page[start : page.index("</div>", start)])
    studio.post(url, data={"text": text, "action": "save"})
    refused = studio.post(f"{BASE}/publish")  # Markdown links to javascript: are not published
    assert refused.status_code == 422
    assert "uses the unsafe or unsupported scheme &#39;javascript:&#39;" in refused.get_data(True)
    html_only = [v for v in XSS_VECTORS if "](" not in v and "]:" not in v]
    text = text.split("\n\n<script>")[0] + "\n\n" + "\n\n".join(html_only) + "\n"
    studio.post(url, data={"text": text, "action": "save"})
    assert studio.post(f"{BASE}/publish").status_code == 302
    lesson = client.get("/courses/demo-course/lessons/second-steps").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in lesson
    for page in (
        lesson,
        client.get("/courses/demo-course").get_data(as_text=True),
        studio.get(BASE).get_data(as_text=True),
        studio.get(f"{url}/history").get_data(as_text=True),
    ):
        assert_page_inert(page)


def test_admins_assign_co_authors(app, author, client):
    with app.app_context():
        from tests.factories import make_user

        make_user("admin@example.com", name="Ada Admin", role="admin")
        make_user("second@example.com", name="Sol Second", role="trainer")
        make_user("learner2@example.com", name="Lou Learner")
    second = app.test_client()
    second.post("/account/sign-in", data={"email": "second@example.com", "password": PASSWORD})
    assert second.get(BASE).status_code == 404
    admin = app.test_client()
    admin.post("/account/sign-in", data={"email": "admin@example.com", "password": PASSWORD})
    page = admin.post(
        f"{BASE}/authors", data={"email": "learner2@example.com"}, follow_redirects=True
    )
    assert (
        "learner2@example.com is not a trainer: give them the trainer role first."
        in page.get_data(True)
    )
    page = admin.post(
        f"{BASE}/authors", data={"email": "SECOND@example.com"}, follow_redirects=True
    )
    assert "Sol Second can now edit this course." in page.get_data(True)
    assert second.get(BASE).status_code == 200
    assert "Demo course" in second.get("/studio").get_data(as_text=True)
    with app.app_context():
        second_id = db.session.scalar(select(User.id).where(User.email == "second@example.com"))
    admin.post(f"{BASE}/authors/{second_id}/remove")
    assert second.get(BASE).status_code == 404
    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert "Co-author added" in audit and "Co-author removed" in audit
