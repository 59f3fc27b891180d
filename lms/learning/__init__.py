"""Learning: the public catalogue, course and lesson pages, and quiz checking."""

from lms.learning.views import bp

__all__ = ["bp"]
