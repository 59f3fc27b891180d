"""Render a file's unsaved text as learners would see it, with the problems publishing would find.

The whole draft (with this one file's text swapped in) is loaded by the course-format loader, so
links to other lessons, modules and images are checked exactly as at publish time. Draft images
are served from the studio, so a preview shows images nobody has published yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from lms.authoring.publishing import check_draft
from lms.content.problems import Problem
from lms.learning.lesson_cache import CourseInfo, LessonContent, LessonLink, LessonView
from lms.models import SourceFile, Workspace


@dataclass
class Preview:
    problems: list[Problem] = field(default_factory=list)  # in this file
    elsewhere: int = 0  # problems in the course's other files
    lesson: LessonView | None = None
    overview_html: str | None = None
    course_title: str | None = None

    @property
    def lines_with_problems(self) -> set[int]:
        return {problem.line for problem in self.problems}


def preview_file(workspace: Workspace, item: SourceFile, data: bytes) -> Preview:
    asset_base = url_for("authoring.workspace", slug=workspace.slug) + "/draft"
    check = check_draft(workspace, (item, data), asset_base=asset_base)
    preview = Preview(
        problems=check.problems.get(item.path, []),
        elsewhere=sum(len(v) for path, v in check.problems.items() if path != item.path),
    )
    course = check.course
    if course is None:
        return preview
    preview.course_title = course.title
    if item.kind == "course":
        preview.overview_html = course.overview_html
        return preview
    lesson = check.lesson(item.path)
    if lesson is None:
        return preview
    lessons = course.lessons
    index = lessons.index(lesson)
    modules = {module["id"]: module["title"] for module in course.modules}
    preview.lesson = LessonView(
        course=CourseInfo(id=0, slug=course.slug, title=course.title, pass_mark=course.pass_mark),
        lesson=LessonContent(
            id=0,
            course_id=0,
            key=lesson.key,
            title=lesson.title,
            minutes=lesson.minutes,
            module_title=modules.get(lesson.module) if lesson.module else None,
            body_html=lesson.body_html,
            toc=tuple(lesson.toc),
            quiz=tuple(lesson.quiz),
        ),
        previous=_link(lessons, index - 1),
        next=_link(lessons, index + 1),
        number=index + 1,
        count=len(lessons),
    )
    return preview


def _link(lessons, index: int) -> LessonLink | None:
    if 0 <= index < len(lessons):
        return LessonLink(key=lessons[index].key, title=lessons[index].title)
    return None
