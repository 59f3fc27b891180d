"""Admin pages: the admin home, the accounts list with role changes, the audit log, and finding
certificates. Every route lives on one blueprint (``/admin``); its modules each add their views."""

from lms.admin import certificates  # noqa: F401 - its routes join the blueprint
from lms.admin.views import bp

__all__ = ["bp"]
