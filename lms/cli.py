"""``flask`` commands, grouped by domain: ``content``, ``users``, ``certificates``, ``stats``."""

from __future__ import annotations

import csv
import io
import json
import secrets
import sys
import time
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from lms.auth.admin import change_role
from lms.auth.users import AccountError, create_user, find_by_email
from lms.catalogue.files import load_content_folder
from lms.catalogue.sync import sync_catalogue
from lms.certificates.issuing import reissue_credentials
from lms.certificates.keys import all_keys, create_key, key_dir
from lms.db import write_transaction
from lms.dbtools import register_db_commands
from lms.extensions import db
from lms.models import ROLES, HubProvider
from lms.reporting.cluster import (
    PROVIDER_NAME,
    HubAddressError,
    build_report,
    deliver_pending,
    queue_report,
)
from lms.reporting.months import MONTH_RE, previous_month
from lms.reporting.rollups import rebuild
from lms.wording import plural

content_cli = AppGroup("content", help="Check and import the Markdown course catalogue.")


def _load_or_exit(path: str | None, consequence: str = ""):
    """Load the catalogue; on any problem print each one (and what it means) and exit 1."""
    catalogue = load_content_folder(path or current_app.config["CONTENT_DIR"])
    if catalogue.problems:
        for problem in catalogue.problems:
            click.echo(_printable(str(problem)), err=True)
        click.echo(f"{plural(len(catalogue.problems), 'problem')} found.", err=True)
        if consequence:
            click.echo(consequence, err=True)
        raise SystemExit(1)
    return catalogue


def _printable(text: str) -> str:
    """``text`` with control and direction-changing characters escaped: a course file's link
    target must not recolour, move or rewrite the operator's terminal."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


@content_cli.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def check_command(path: str | None) -> None:
    """Validate every course under PATH (default: the content folder); print path:line: message."""
    catalogue = _load_or_exit(path)
    lessons = sum(len(course.lessons) for course in catalogue.courses)
    click.echo(f"OK: {plural(len(catalogue.courses), 'course')}, {plural(lessons, 'lesson')}.")


@content_cli.command("sync")
@click.argument("path", required=False, type=click.Path(file_okay=False))
def sync_command(path: str | None) -> None:
    """Import the courses under PATH: add new, update changed, retire removed. Idempotent."""
    catalogue = _load_or_exit(
        path, "Nothing was imported: fix the problems above and run sync again."
    )
    summary = sync_catalogue(catalogue)
    if not summary.changed:
        click.echo(f"Nothing changed ({summary.unchanged} courses and lessons up to date).")
        for slug in summary.skipped:
            click.echo(summary.skipped_line(slug))
        return
    for line in summary.lines():
        click.echo(line)


users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="The person's email address (their sign-in name).")
@click.option("--name", required=True, help="Full name as shown on the site.")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="learner",
    show_default=True,
    help="What the account may do.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting (for scripts).",
)
def create_user_command(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account. The password is prompted for (or read from stdin), never an argument.

    The account counts as confirmed: whoever runs this vouches for the address, so the person
    signs in at once and no confirmation email is sent.
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email=email, name=name, password=password, role=role, verified=True)
    except AccountError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"Created {user.role} account {user.email} (id {user.id}). The address counts as "
        "confirmed, so no confirmation email is needed: they can sign in now."
    )


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role_command(email: str, role: str) -> None:
    """Give the account with EMAIL the role ROLE; ends its sessions; audited (actor "cli")."""
    user = find_by_email(email)
    if user is None:
        click.echo(f"Error: no account has the email address {email}.", err=True)
        raise SystemExit(1)
    try:
        change = change_role(user, role, actor="cli")
    except AccountError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    if not change.changed:
        click.echo(f"{user.email} is already {role}; nothing changed.")
        return
    click.echo(
        f"Changed {user.email} from {change.old_role} to {change.new_role}; "
        "their sessions have ended, so the new role applies from their next sign-in."
    )


certificates_cli = AppGroup(
    "certificates", help="Manage the keys that sign certificates, and their credentials."
)


@certificates_cli.command("init-key")
def init_key_command() -> None:
    """Create a new Ed25519 signing key in instance/ and sign new certificates with it.

    Run it once to set up, and again to rotate: older keys stay published in the JWKS, so
    certificates they signed keep verifying.
    """
    key = create_key(key_dir())
    click.echo(f"Created signing key {key.kid}; new certificates are signed with it.")
    click.echo(f"Published keys: {', '.join(k.kid for k in all_keys())}")


@certificates_cli.command("reissue-credentials")
def reissue_credentials_command() -> None:
    """Give certificates issued before revocation lists an entry and a re-issued credential.

    Run it once after upgrading the database; it is safe to run again (it skips certificates that
    already have an entry). Old credentials keep verifying, but only re-issued ones tell verifiers
    where to check for revocation.
    """
    count = reissue_credentials()
    click.echo(f"Re-issued {plural(count, 'credential')} with a revocation-list entry.")


stats_cli = AppGroup("stats", help="Regional statistics.")


@stats_cli.command("rebuild")
def rebuild_command() -> None:
    """Recompute every statistics rollup from the raw learner records."""
    started = time.perf_counter()
    totals = rebuild()
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{count} {name}" for name, count in totals.items())
    click.echo(f"Rebuilt the statistics in {elapsed:.2f} s: {summary}.")


@stats_cli.command("report")
@click.option("--period", required=True, help="The month, as YYYY-MM.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def report_command(period: str, fmt: str) -> None:
    """Print the cluster report for one month (disclosure-controlled figures per region)."""
    if not MONTH_RE.match(period):
        raise click.BadParameter("use YYYY-MM, for example 2026-11", param_hint="--period")
    report = build_report(period)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(report["regions"][0]))
    writer.writeheader()
    writer.writerows(report["regions"])
    click.echo(out.getvalue(), nl=False)


@stats_cli.command("push")
@click.option("--period", help="Queue this month's report first (YYYY-MM); default: last month.")
def push_command(period: str | None) -> None:
    """Queue the month's report in the outbox, then deliver every due report to the hub."""
    period = period or previous_month(datetime.now(UTC))
    if not MONTH_RE.match(period):
        raise click.BadParameter("use YYYY-MM, for example 2026-11", param_hint="--period")
    try:
        row = queue_report(period)
        click.echo(f"Report {row.report_id} for {period} is in the outbox.")
        sent, failed = deliver_pending()
    except (HubAddressError, ValueError) as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Delivered {sent}; {failed} will be retried later.")
    if failed:
        raise SystemExit(1)


hub_cli = AppGroup("hub", help="Hub mode: the providers that send cluster reports.")


@hub_cli.command("add-provider")
@click.argument("name")
def add_provider_command(name: str) -> None:
    """Register a provider and print the secret it signs its reports with (shown once)."""
    if not PROVIDER_NAME.fullmatch(name):
        raise click.BadParameter(
            "use 1 to 80 letters, digits, dots, dashes or underscores, starting with a letter "
            "or digit (it is sent in a header)",
            param_hint="NAME",
        )
    secret = secrets.token_urlsafe(32)
    try:
        with write_transaction():
            db.session.add(HubProvider(name=name, secret=secret, created_at=datetime.now(UTC)))
            db.session.flush()
    except IntegrityError:
        click.echo(f"Error: a provider called {name!r} already exists.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Provider {name} registered. Its secret (give it to them as LMS_CLUSTER_SECRET):")
    click.echo(secret)


def register_cli(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(hub_cli)
    register_db_commands()  # flask db backup / restore, beside Flask-Migrate's commands
