"""Operations logging: a request id on every request, and one structured line per request.

Every request gets an id: the incoming ``X-Request-ID`` when a proxy sent a sane one, else a new
random one. It is on ``flask.g``, in the ``X-Request-ID`` response header, on error pages and in
every log record of the app's loggers (``lms.*``) emitted during the request. The ``lms.request``
logger writes one line per request: method, path, status, duration, user, client address, size.

Log lines are JSON (one object per line, for log shippers) or text (for people); see
``LMS_LOG_FORMAT``. Secrets never reach them: see ``lms.redact``.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler
from werkzeug.routing import Map

from lms.redact import mask_bearer, mask_matched, mask_query, mask_target, mask_unmatched

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like: short, and nothing that could forge a log line or break HTML.
INCOMING_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
LOG_FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

log = logging.getLogger("lms.request")

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_CONTROL_CHARACTERS = {c: f"\\x{c:02x}" for c in [*range(32), 127]}


def current_request_id() -> str:
    """This request's id (set on first use: the proxy's, if sane, else a new random one)."""
    request_id = g.get("request_id")
    if request_id is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        if not INCOMING_REQUEST_ID.fullmatch(incoming):
            incoming = secrets.token_hex(8)  # 64 bits: unique enough, short enough to read out
        request_id = g.request_id = incoming
    return request_id


def loggable_path() -> str:
    """This request's path with any secret it carries (a reset token, a certificate code) masked."""
    if request.url_rule is not None and request.view_args is not None:
        return mask_matched(request.path, request.url_rule, request.view_args)
    return mask_unmatched(request.path, current_app.url_map)


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every record (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id() if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_bearer(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = mask_bearer(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines with the request id; control characters in messages are escaped."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        values = dict(record.__dict__)
        values["request_id"] = values.get("request_id") or "-"
        # A path with %0A in it must not start a forged line of its own.
        values["message"] = record.message.translate(_CONTROL_CHARACTERS)
        return self._style._fmt % values

    def format(self, record: logging.LogRecord) -> str:
        return mask_bearer(super().format(record))


class AppLogHandler(logging.StreamHandler):
    """The handler ``create_app`` puts on the ``lms`` logger (stderr), replaced on each call."""


class DevServerLogFilter(logging.Filter):
    """Mask secrets in the development server's own access lines (``"GET /path HTTP/1.1" 200``)."""

    _REQUEST_LINE = re.compile(r"\b([A-Z]+) (/\S*) (HTTP/[\d.]+)")

    def __init__(self, url_map: Map) -> None:
        super().__init__()
        self.url_map = url_map

    def _mask(self, text: str) -> str:
        return self._REQUEST_LINE.sub(
            lambda m: f"{m[1]} {mask_target(m[2], self.url_map, m[1])} {m[3]}", text
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = self._mask(record.msg)
        return True


def configure_logging(app: Flask) -> None:
    """Send the app's loggers (``lms.*``) to stderr as JSON or text, with request ids."""
    chosen = app.config.get("LOG_FORMAT") or ("text" if app.debug or app.testing else "json")
    if chosen not in LOG_FORMATS:
        raise ValueError(f"LMS_LOG_FORMAT must be 'json' or 'text', not {chosen!r}")
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise ValueError(f"LMS_LOG_LEVEL must be a level such as INFO or WARNING, not {level!r}")

    logger = logging.getLogger("lms")  # also Flask's app.logger: the app is named "lms"
    for handler in list(logger.handlers):
        if isinstance(handler, AppLogHandler) or handler is default_handler:
            logger.removeHandler(handler)
    handler = AppLogHandler()
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(level)

    werkzeug = logging.getLogger("werkzeug")
    for old in [f for f in werkzeug.filters if isinstance(f, DevServerLogFilter)]:
        werkzeug.removeFilter(old)
    werkzeug.addFilter(DevServerLogFilter(app.url_map))


def _start_request() -> None:
    g.request_started = time.perf_counter()
    current_request_id()


def _response_size(response: Response) -> int | None:
    if response.content_length is not None:
        return response.content_length
    # Only count bodies already in memory: measuring a stream would buffer it.
    return response.calculate_content_length() if response.is_sequence else None


def _log_request(response: Response) -> Response:
    request_id = current_request_id()
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    # Flask-Login keeps the user in g once anything asked who is signed in (every page does);
    # reading it from there costs no query on requests that never needed to know.
    user = g.get("_login_user")
    user_id = user.id if user is not None and user.is_authenticated else None
    path = loggable_path()
    query = mask_query(request.query_string.decode("utf-8", "replace"), current_app.url_map)
    shown = path + ("?" + query if query else "")
    level = logging.ERROR if response.status_code >= 500 else logging.INFO
    log.log(
        level,
        "%s %s %s %sms",
        request.method,
        shown,
        response.status_code,
        duration_ms,
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": path,
            "query": query,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id,
            "remote_addr": request.remote_addr,  # the client, once ProxyFix has applied
            "response_size": _response_size(response),
        },
    )
    return response


def register_request_logging(app: Flask) -> None:
    """Configure logging and hook every request; call before extensions so this runs first."""
    configure_logging(app)
    # Registered before Flask-Limiter's and CSRF's hooks, so a request they refuse still has an
    # id; after_request hooks run in reverse, so the log line sees the final response.
    app.before_request(_start_request)
    app.after_request(_log_request)
