"""Typed SQLAlchemy models, one module per domain. Importing this package registers every table."""

from lms.models.accounts import ROLES, User
from lms.models.catalogue import Asset, Course, CourseSkill, Lesson, Module

__all__ = ["ROLES", "Asset", "Course", "CourseSkill", "Lesson", "Module", "User"]
