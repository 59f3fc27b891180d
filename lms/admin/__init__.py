"""Admin pages: the accounts list with role changes, and the audit log."""
