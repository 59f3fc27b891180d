"""The real app for the load test, with its instance folder moved into the run's temporary folder.

``wsgi:app`` keeps mail (``instance/mail/``) and signing keys (``instance/signing-keys/``) in the
shared ``instance/`` of the checkout; the load test must not write there, so it serves this instead.
Everything else is ``create_app()`` unchanged, configured from the environment as in production.
The test suite moves the instance folder the same way (``tests/conftest.py``).
"""

from __future__ import annotations

import os

from lms import create_app

app = create_app()
app.instance_path = os.environ["BENCH_INSTANCE_PATH"]
