"""Account pages: sign up, verify, sign in and out, reset, change password or email, data rights.

Views parse the form, call a domain function, then send mail and redirect. Messages that could
tell a stranger whether an address has an account are the same either way.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from lms.auth import emails
from lms.auth import users as accounts
from lms.auth.data import export_user_data
from lms.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmEmailChangeForm,
    ConfirmSignUpForm,
    DeleteAccountForm,
    EmailOnlyForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from lms.auth.passwords import normalise_email
from lms.auth.roles import home_for
from lms.auth.sessions import end_all_sessions, end_session, sign_in_browser, start_session
from lms.auth.tokens import TokenError, peek_token, peek_user
from lms.auth.users import (
    AccountError,
    AddressTakenError,
    authenticate,
    check_current_password,
    confirm_email,
    delete_account,
    find_by_email,
)
from lms.extensions import limiter
from lms.forms import ConfirmForm

bp = Blueprint("auth", __name__, url_prefix="/account")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: no open redirects."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _after_sign_in(user):
    """Back to where a safe ``next`` points, else to the home page of the user's role."""
    return redirect(safe_next(request.args.get("next")) or home_for(user))


def _password_confirmed(user, field) -> bool:
    """Check the current password typed into ``field``; on failure the error goes beside it."""
    try:
        check_current_password(user, field.data)
    except AccountError as exc:
        field.errors.append(str(exc))
        return False
    return True


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_LIMIT"]


def _reset_limit() -> str:
    return current_app.config["RESET_LIMIT"]


def _sign_up_limit() -> str:
    return current_app.config["SIGN_UP_LIMIT"]


SIGN_UP_REFUSED = (
    "Too many new accounts have been created from your network recently. Please try again "
    "later. If your class is signing up together, ask your trainer to tell the TechNorth Skills "
    "team."
)


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(_sign_up_limit, methods=["POST"], error_message=SIGN_UP_REFUSED)
def sign_up():
    """Start an account: name, email and region. The confirmation link sets the password."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            signed = accounts.sign_up(
                email=form.email.data, name=form.name.data, region=form.region.data
            )
        except AccountError as exc:
            form[exc.field or "email"].errors.append(str(exc))
        else:
            # One email whatever the address's state, and the same page, showing the address as
            # it is stored: nothing here tells a stranger whether the address has an account.
            if signed.kind == "existing":
                emails.send_already_registered(signed.user, signed.secret)
            else:
                emails.send_verification(signed.user, signed.secret)
            return _check_email(form.email.data, "sign-up")
    return render_template("auth/sign_up.html", form=form), 422 if form.errors else 200


def _check_email(email: str, purpose: str) -> str:
    """The "check your email" page, with the address normalised the same way in every case."""
    return render_template("auth/check_email.html", email=normalise_email(email), purpose=purpose)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def verify_email(token: str):
    """Confirm an email address from the link we sent, choosing the account's password."""
    form = ConfirmSignUpForm()
    try:
        pending = peek_user(token, "verify-email")
        if form.validate_on_submit():
            user, session_token = confirm_email(
                token, name=form.name.data, region=form.region.data, password=form.password.data
            )
            sign_in_browser(user, session_token)
            flash("Your email address is confirmed. Welcome to TechNorth Skills.", "success")
            return redirect(home_for(user))
        if request.method == "GET":
            form.name.data, form.region.data = pending.name, pending.region
    except TokenError as exc:
        return render_template("auth/bad_link.html", reason=str(exc), purpose="verify"), 400
    except AccountError as exc:
        form[exc.field or "password"].errors.append(str(exc))
    status = 422 if form.errors else 200
    return render_template("auth/confirm_link.html", form=form, purpose="verify"), status


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def resend_verification():
    """Send a new confirmation link. One email and the same answer whatever the address."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data)
        if user is None:
            emails.send_no_account(normalise_email(form.email.data), "verify")
        elif user.is_verified:
            emails.send_already_confirmed(user)
        else:
            emails.send_verification(user)
        return _check_email(form.email.data, "verify")
    return render_template("auth/resend.html", form=form), 422 if form.errors else 200


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    """Sign in with email and password; a fresh session every time."""
    if current_user.is_authenticated:
        return _after_sign_in(current_user)
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data, client=request.remote_addr or "")
        if user is None:
            form.email.errors.append("Enter a correct email address and password.")
        elif not user.is_verified:
            emails.send_verification(user)
            return render_template("auth/check_email.html", email=user.email, purpose="unverified")
        else:
            start_session(user)
            return _after_sign_in(user)
    return render_template("auth/sign_in.html", form=form), 422 if form.errors else 200


@bp.post("/sign-out")
def sign_out():
    """Sign out of this browser."""
    end_session()
    flash("You have signed out.", "success")
    return redirect(url_for("learning.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def request_reset():
    """Ask for a password reset link. One email and the same answer whatever the address."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data)
        if user is None:
            emails.send_no_account(normalise_email(form.email.data), "reset")
        else:
            emails.send_password_reset(user)
        return _check_email(form.email.data, "reset")
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link; every other session ends."""
    form = ResetPasswordForm()
    try:
        peek_token(token, "reset-password")
        if form.validate_on_submit():
            # One transaction: the spent link, the new password and the new session together.
            user, session_token = accounts.reset_password(token, form.password.data)
            sign_in_browser(user, session_token)
            flash("Your password has been changed and you are signed in.", "success")
            return redirect(home_for(user))
    except TokenError as exc:
        return render_template("auth/bad_link.html", reason=str(exc), purpose="reset"), 400
    except AccountError as exc:
        form.password.errors.append(str(exc))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.get("")
@login_required
def account():
    """The account page: details and everything a person can do with their account."""
    return render_template("auth/account.html", form=ConfirmForm())


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_sign_in_limit, methods=["POST"])
def change_password():
    """Change password (current one required); other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit() and _password_confirmed(current_user, form.current_password):
        user = current_user._get_current_object()
        try:
            session_token = accounts.change_password(user, form.password.data)
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            sign_in_browser(user, session_token)
            emails.send_account_notice(
                user,
                "Your TechNorth Skills password has changed",
                "Your password was changed and every other signed-in browser was signed out. "
                "If this was not you, reset your password now.",
            )
            flash("Your password has been changed. Other browsers have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit(_sign_in_limit, methods=["POST"])
def change_email_request():
    """Change email (current password required); the new address must be confirmed."""
    form = ChangeEmailForm()
    if form.validate_on_submit() and _password_confirmed(current_user, form.current_password):
        new_email = form.email.data.strip().lower()
        if new_email == current_user.email:
            form.email.errors.append("That is already your email address.")
        elif (holder := find_by_email(new_email)) is not None and holder.is_verified:
            # An unconfirmed account does not hold an address back (it gives it up when this
            # change is confirmed), or a stranger's sign-up could keep its owner from it.
            form.email.errors.append("Another account uses that email address.")
        else:
            emails.send_email_change(current_user, new_email)
            return render_template("auth/check_email.html", email=new_email, purpose="change")
    return render_template("auth/change_email.html", form=form), 422 if form.errors else 200


@bp.route("/email/<token>", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
def confirm_email_change(token: str):
    """Confirm a new email address from the link sent to it, with the account's password."""
    form = ConfirmEmailChangeForm()
    try:
        peek_token(token, "change-email")
        if form.validate_on_submit():
            user = accounts.confirm_email_change(token, form.current_password.data)
            flash(f"Your email address is now {user.email}.", "success")
            return redirect(
                url_for("auth.account" if current_user.is_authenticated else "auth.sign_in")
            )
    except TokenError as exc:
        return render_template("auth/bad_link.html", reason=str(exc), purpose="change"), 400
    except AddressTakenError as exc:
        return render_template("auth/bad_link.html", reason=str(exc), purpose="change"), 409
    except AccountError as exc:
        form.current_password.errors.append(str(exc))
    status = 422 if form.errors else 200
    return render_template("auth/confirm_link.html", form=form, purpose="change"), status


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of this account, on every device, including this one, and cancel every
    link sent by email that has not been used yet."""
    end_all_sessions(current_user._get_current_object())
    flash("You have been signed out on every device.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/data.json")
@login_required
def download_data():
    """Everything we hold about the signed-in person, as a JSON file."""
    body = json.dumps(export_user_data(current_user), indent=2, ensure_ascii=False)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="technorth-skills-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(_sign_in_limit, methods=["POST"])
def delete():
    """Delete the account after the password is entered again."""
    form = DeleteAccountForm()
    if form.validate_on_submit() and _password_confirmed(current_user, form.current_password):
        delete_account(current_user._get_current_object())
        end_session()
        flash("Your account and personal data have been deleted.", "success")
        return redirect(url_for("learning.home"))
    return render_template("auth/delete.html", form=form), 422 if form.errors else 200
