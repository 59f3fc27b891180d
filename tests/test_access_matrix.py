"""Who may do what: every route called as every kind of user, against one written-down table.

A new route fails this test until its row is added, so access is always decided on purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.auth.tokens import token_hash
from lms.certificates.codes import grouped
from lms.certificates.keys import current_key
from lms.extensions import db
from lms.models import (
    ApiToken,
    Certificate,
    CourseAuthor,
    SourceRevision,
    User,
    Workspace,
)
from tests.factories import PASSWORD, complete_course, make_user

ROLES = (
    "anonymous",
    "learner",
    "other_learner",
    "trainer",
    "other_trainer",
    "employer",
    "other_employer",
    "analyst",
    "admin",
)
SIGNED_IN = ROLES[1:]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int, anonymous: int = 302) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, status)}


def only(roles: tuple[str, ...], status: int, others: int = 403) -> dict[str, int]:
    return {
        "anonymous": 302,
        **{role: (status if role in roles or role == "admin" else others) for role in SIGNED_IN},
    }


EMPLOYERS = ("employer", "other_employer")
TRAINERS = ("trainer", "other_trainer")


def authors(status: int) -> dict[str, int]:
    """A studio page of the demo course: its author and admins; other trainers find nothing."""
    return {**only(("trainer",), status), "other_trainer": 404}


STUDIO = "/studio/courses/demo-course"

# (method, path, expected status per role). {code}, {slug}, {token}, {user} are filled in below.
MATRIX = [
    ("GET", "/profiles/{slug}", everyone(200)),  # before the learner's profile POST turns it off
    ("GET", "/", everyone(200)),
    ("GET", "/healthz", everyone(200)),
    ("GET", "/static/css/site.css", everyone(200)),
    ("GET", "/courses", everyone(200)),
    ("GET", "/courses/demo-course", everyone(200)),
    ("GET", "/courses/demo-course/lessons/second-steps", everyone(200)),
    ("GET", "/courses/demo-course/assets/images/diagram.svg", everyone(200)),
    ("POST", "/courses/demo-course/lessons/first-steps/quiz", everyone(422)),
    ("POST", "/courses/demo-course/enrol", signed_in(302)),
    ("POST", "/courses/demo-course/lessons/second-steps/complete", signed_in(302)),
    ("POST", "/courses/demo-course/leave", signed_in(302)),
    ("GET", "/dashboard", signed_in(200)),
    ("GET", "/dashboard/history", signed_in(200)),
    ("GET", "/dashboard/certificates", signed_in(200)),
    ("POST", "/dashboard/certificates/profile", signed_in(302)),
    ("GET", "/account", signed_in(200)),
    ("GET", "/account/data.json", signed_in(200)),
    ("GET", "/account/password", signed_in(200)),
    ("POST", "/account/password", signed_in(422)),
    ("GET", "/account/email", signed_in(200)),
    ("POST", "/account/email", signed_in(422)),
    ("GET", "/account/delete", signed_in(200)),
    ("POST", "/account/delete", signed_in(422)),
    ("GET", "/account/sign-in", signed_in(302, anonymous=200)),
    ("POST", "/account/sign-in", signed_in(302, anonymous=422)),
    ("GET", "/account/sign-up", signed_in(302, anonymous=200)),
    ("POST", "/account/sign-up", signed_in(302, anonymous=422)),
    ("GET", "/account/reset", everyone(200)),
    ("POST", "/account/reset", everyone(422)),
    ("GET", "/account/reset/not-a-token", everyone(400)),
    ("POST", "/account/reset/not-a-token", everyone(400)),
    ("GET", "/account/verify", everyone(200)),
    ("POST", "/account/verify", everyone(422)),
    ("GET", "/account/verify/not-a-token", everyone(400)),
    ("POST", "/account/verify/not-a-token", everyone(400)),
    ("GET", "/account/email/not-a-token", everyone(400)),
    ("POST", "/account/email/not-a-token", everyone(400)),
    ("GET", "/verify", everyone(200)),
    ("GET", "/certificates/{code}", everyone(200)),
    ("GET", "/certificates/{code}/qr.svg", everyone(200)),
    ("GET", "/certificates/{code}/certificate.pdf", everyone(200)),
    ("GET", "/certificates/{code}/credential.jwt", everyone(200)),
    ("POST", "/certificates/{code}/revoke", only((), 422)),
    ("GET", "/issuer", everyone(200)),
    ("GET", "/.well-known/jwks.json", everyone(200)),
    ("GET", "/issuer/keys/{kid}", everyone(200)),
    ("GET", "/credentials/status/0", everyone(200)),
    ("GET", "/admin", only((), 200)),
    ("GET", "/admin/certificates", only((), 200)),
    ("GET", "/admin/certificates?q=ada&code=!!&status=lost&page=x", only((), 200)),  # explained
    ("GET", "/admin/audit", only((), 200)),
    ("GET", "/admin/users", only((), 200)),
    ("POST", "/admin/users/{user}/role", only((), 422)),  # no role chosen: nothing changes
    ("GET", "/employer/check", only(EMPLOYERS, 200)),
    ("POST", "/employer/check", only(EMPLOYERS, 422)),
    ("POST", "/employer/check.csv", only(EMPLOYERS, 400)),
    ("GET", "/employer/tokens", only(EMPLOYERS, 200)),
    ("POST", "/employer/tokens", only(EMPLOYERS, 422)),
    # someone else's token is not found; only its owner may revoke it
    ("POST", "/employer/tokens/{token}/revoke", {**only(EMPLOYERS, 404), "employer": 302}),
    ("GET", "/stats", only(("analyst",), 200)),
    ("GET", "/stats/export.csv", only(("analyst",), 200)),
    ("GET", "/stats/export.json", only(("analyst",), 200)),
    ("GET", "/open-data", everyone(200)),
    ("GET", "/api/v1/certificates/{code}", everyone(200)),
    ("POST", "/api/v1/certificates/verify", everyone(401)),  # tokens, never sessions
    ("GET", "/api/v1/stats/regions", everyone(200)),
    ("GET", "/api/v1/openapi.json", everyone(200)),
    ("GET", "/api/v1/docs", everyone(200)),
    ("GET", "/studio", only(TRAINERS, 200)),
    ("GET", "/studio/new", only(TRAINERS, 200)),
    ("POST", "/studio/new", only(TRAINERS, 422)),
    ("POST", "/studio/import", only(TRAINERS, 422)),
    ("GET", STUDIO, authors(200)),
    ("GET", STUDIO + "/files/{file}", authors(200)),
    ("POST", STUDIO + "/files/{file}", authors(200)),  # no action chosen: a preview
    ("POST", STUDIO + "/files/{file}/preview", authors(200)),
    ("GET", STUDIO + "/files/{file}/history", authors(200)),
    ("GET", STUDIO + "/files/{file}/revisions/{revision}", authors(200)),
    ("POST", STUDIO + "/files/{file}/revisions/{revision}/restore", authors(302)),
    ("POST", STUDIO + "/files/{file}/move", authors(400)),  # no direction given
    ("POST", STUDIO + "/files/{course_file}/delete", authors(302)),  # refused: course.md stays
    ("POST", STUDIO + "/lessons", authors(302)),  # no title: explained on the course page
    ("POST", STUDIO + "/images", authors(302)),  # no file: explained on the course page
    ("GET", STUDIO + "/draft/images/diagram.svg", authors(200)),
    ("GET", STUDIO + "/export.zip", authors(200)),
    ("POST", STUDIO + "/import", authors(422)),
    ("GET", STUDIO + "/insight", authors(200)),
    ("GET", STUDIO + "/insight/funnel.csv", authors(200)),
    ("GET", STUDIO + "/insight/nope.csv", authors(404)),
    ("GET", STUDIO + "/publish", authors(200)),
    ("POST", STUDIO + "/publish", authors(302)),
    # co-authors are assigned by admins only; the learner is no author, so admins find nothing
    ("POST", STUDIO + "/authors", only((), 302)),
    ("POST", STUDIO + "/authors/{user}/remove", only((), 404)),
]
# Routes that end the caller's own sessions are checked on their own, with fresh browsers.
SESSION_ENDING = [
    ("POST", "/account/sign-out", everyone(302)),
    ("POST", "/account/sign-out-everywhere", signed_in(302)),
]


@pytest.fixture
def world(app, client, signed_in, synced):
    """A learner with a certificate and a public profile, and one browser per role."""
    with app.app_context():
        complete_course()
    client.post("/dashboard/certificates/profile", data={"public_profile": "y"})
    with app.app_context():
        code = grouped(db.session.scalar(select(Certificate.code)))
        slug = db.session.get(User, signed_in).profile_slug
        accounts = {
            "other_learner": make_user("other@example.com"),
            "trainer": make_user("trainer@example.com", role="trainer"),
            "other_trainer": make_user("trainer2@example.com", role="trainer"),
            "employer": make_user("hr@example.com", role="employer"),
            "other_employer": make_user("hr2@example.com", role="employer"),
            "analyst": make_user("analyst@example.com", role="analyst"),
            "admin": make_user("admin@example.com", role="admin"),
        }
        token = ApiToken(
            user_id=accounts["employer"].id,
            name="t",
            token_hash=token_hash("tn_matrix"),
            created_at=datetime.now(UTC),
        )
        db.session.add(token)
        workspace = db.session.scalar(select(Workspace).where(Workspace.slug == "demo-course"))
        workspace.authors.append(
            CourseAuthor(user_id=accounts["trainer"].id, added_at=datetime.now(UTC))
        )
        db.session.commit()
        token_id = token.id
        files = {f.path: f.id for f in workspace.files}
        studio = {
            "file": files["02-second-steps.md"],
            "course_file": files["course.md"],
            "revision": db.session.scalar(
                select(SourceRevision.id).where(
                    SourceRevision.file_id == files["02-second-steps.md"]
                )
            ),
        }
        emails = {role: user.email for role, user in accounts.items()}
    browsers = {"anonymous": app.test_client(), "learner": client}
    for role, email in emails.items():
        browser = app.test_client()
        assert (
            browser.post(
                "/account/sign-in", data={"email": email, "password": PASSWORD}
            ).status_code
            == 302
        )
        browsers[role] = browser
    with app.app_context():
        kid = current_key().kid
    values = {
        "code": code,
        "slug": slug,
        "token": token_id,
        "user": signed_in,
        "kid": kid,
        **studio,
    }
    return browsers, values, emails


def test_every_route_is_in_the_table(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, path, _ in MATRIX + SESSION_ENDING:
        url = path.format(
            code="C", slug="s", token=1, user=1, file=1, course_file=1, revision=1, kid="k"
        )
        endpoint, _ = adapter.match(url.split("?")[0], method=method)
        covered.add((endpoint, method))
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - covered == set(), "routes with no row in the access matrix"


def test_access_matrix(world):
    browsers, values, _ = world
    differences = []
    for method, path, expected in MATRIX:
        url = path.format(**values)
        for role in ROLES:
            browser = browsers[role]
            response = browser.open(url, method=method, data={})
            if response.status_code != expected[role]:
                differences.append(
                    f"{method} {url} as {role}: {response.status_code}, expected {expected[role]}"
                )
    assert differences == []


def test_session_ending_routes(app, world):
    _, _, emails = world
    for method, path, expected in SESSION_ENDING:
        for role in ROLES:
            browser = app.test_client()
            if role != "anonymous":
                email = emails.get(role, "learner@example.com")
                browser.post("/account/sign-in", data={"email": email, "password": PASSWORD})
            assert browser.open(path, method=method).status_code == expected[role], (path, role)
