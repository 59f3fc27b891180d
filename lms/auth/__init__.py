"""Accounts: sign-up, sign-in and sessions, email links, password and email changes, roles, and
a person's own data (export and erasure)."""
