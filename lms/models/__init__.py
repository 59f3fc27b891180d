"""Typed SQLAlchemy models, one module per domain. Importing this package registers every table."""

from lms.models.accounts import ROLES, AccountToken, User, UserSession
from lms.models.audit import AuditEvent
from lms.models.authoring import CourseAuthor, SourceFile, SourceRevision, Workspace
from lms.models.catalogue import (
    Asset,
    CatalogueRevision,
    Course,
    CourseSkill,
    Lesson,
    Module,
)
from lms.models.certificates import ApiToken, Certificate, StatusList
from lms.models.progress import Enrolment, LessonProgress, QuizAttempt
from lms.models.reporting import (
    HubProvider,
    HubReport,
    ReportOutbox,
    StatActiveLearner,
    StatCompletionDays,
    StatRollup,
)

__all__ = [
    "ROLES",
    "AccountToken",
    "ApiToken",
    "Asset",
    "AuditEvent",
    "CatalogueRevision",
    "Certificate",
    "Course",
    "CourseAuthor",
    "CourseSkill",
    "Enrolment",
    "HubProvider",
    "HubReport",
    "Lesson",
    "LessonProgress",
    "Module",
    "QuizAttempt",
    "ReportOutbox",
    "SourceFile",
    "SourceRevision",
    "StatActiveLearner",
    "StatCompletionDays",
    "StatRollup",
    "StatusList",
    "User",
    "UserSession",
    "Workspace",
]
