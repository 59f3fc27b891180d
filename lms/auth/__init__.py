"""Accounts: passwords, users and (in later work) sign-in pages."""
