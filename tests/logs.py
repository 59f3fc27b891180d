"""Read what the app's log handler writes (the lines an operator's log shipper would get)."""

from __future__ import annotations

import io
import json
import logging

from lms.requestlog import AppLogHandler, configure_logging


class LogLines:
    """The lines the ``lms`` logger's handler wrote, raw or parsed as JSON."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def entries(self) -> list[dict]:
        # Every line must be a JSON object of its own: a shipper reads them one by one.
        return [json.loads(line) for line in self.text.splitlines()]

    def requests(self) -> list[dict]:
        return [e for e in self.entries if e["logger"] == "lms.request"]


def capture(app, log_format: str = "json") -> LogLines:
    """Reconfigure ``app``'s logging in ``log_format`` and catch the handler's output."""
    app.config["LOG_FORMAT"] = log_format
    configure_logging(app)
    [handler] = [h for h in logging.getLogger("lms").handlers if isinstance(h, AppLogHandler)]
    stream = io.StringIO()
    handler.setStream(stream)
    return LogLines(stream)
