"""Mail in development (README "Mail in development"): saved under instance/mail/ as files a
developer can read in any text editor."""

from __future__ import annotations

import re
from pathlib import Path

from tests.factories import PASSWORD


def test_development_mail_keeps_each_link_whole_on_one_line(app, client, outbox):
    """README: open instance/mail/*.eml in any text editor and copy the link."""
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5000"  # as `make run` serves it: links pass 78
    client.post(
        "/account/sign-up",
        data={
            "name": "Priya Shah",
            "email": "priya@example.com",
            "region": "leeds",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    [path] = (Path(app.instance_path) / "mail").glob("*.eml")
    raw = path.read_text(encoding="utf-8")
    link = outbox.link("priya@example.com")  # the link a mail program would show
    assert re.search(rf"^http://127\.0\.0\.1:5000{re.escape(link)}$", raw, re.M), raw
