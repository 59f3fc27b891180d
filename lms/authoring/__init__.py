"""The trainer studio: author, preview and publish courses in the browser; cohort insight.

Every route lives on one blueprint (``/studio``); its modules each add their own views.
"""

from lms.authoring import (  # noqa: F401 - their routes join the blueprint
    editor,
    insight_views,
    package_views,
)
from lms.authoring.views import bp

__all__ = ["bp"]
