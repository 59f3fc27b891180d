"""Image uploads for lessons: PNG, JPEG or WebP, checked by their content, never by their name.

Pillow identifies the format from the bytes and decodes the whole image, so a renamed script, a
truncated file or a decompression bomb is refused. The stored name is made from the original
name's letters and digits plus the extension of the format actually found.
"""

from __future__ import annotations

import io
import mimetypes
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from PIL import Image, UnidentifiedImageError

from lms.catalogue.workspace import add_revision, sha256
from lms.db import write_transaction
from lms.extensions import db
from lms.models import SourceFile, User, Workspace

FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
MEDIA_TYPES = dict(FORMATS.values()) | {"jpeg": "image/jpeg"}
RASTER_EXTENSIONS = frozenset(MEDIA_TYPES)
MAX_PIXELS = 40_000_000  # about 8,000 x 5,000: far beyond any lesson figure
NAME_RE = re.compile(r"[a-z0-9]+")


class ImageError(ValueError):
    """Why an upload is not an acceptable image."""


@dataclass(frozen=True)
class CheckedImage:
    path: str
    width: int
    height: int


def check_image(filename: str, data: bytes, max_bytes: int) -> CheckedImage:
    """The images/ path to store an upload at, or ImageError saying what is wrong with it."""
    if not data:
        raise ImageError("The file is empty.")
    if len(data) > max_bytes:
        raise ImageError(
            f"The image is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{max_bytes / 1024 / 1024:.1f} MB. Save it smaller or as WebP."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if width * height > MAX_PIXELS:
                    raise ImageError(f"The image is {width} x {height} pixels: too large.")
                image.load()  # decode every pixel: a damaged file fails here
    except ImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("The file is not a PNG, JPEG or WebP image.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"The image is damaged and cannot be read ({exc}).") from None
    if kind not in FORMATS:
        raise ImageError(f"{kind} images are not accepted: upload PNG, JPEG or WebP.")
    stem = "-".join(NAME_RE.findall(PurePosixPath(filename or "").stem.lower()))[:60]
    extension = FORMATS[kind][0]
    return CheckedImage(f"images/{stem or 'image'}.{extension}", width, height)


def media_type(path: str) -> str:
    """The type to serve a course file as (synced courses may hold SVGs and other files too)."""
    known = MEDIA_TYPES.get(path.rsplit(".", 1)[-1].lower())
    return known or mimetypes.guess_type(path)[0] or "application/octet-stream"


def store_image(workspace: Workspace, image: CheckedImage, data: bytes, user: User) -> bool:
    """Add the image to the draft, or replace the one with the same name; True if replaced."""
    now = datetime.now(UTC)
    with write_transaction():
        item = next((f for f in workspace.files if f.path == image.path), None)
        replaced = item is not None
        if item is None:
            item = SourceFile(kind="asset", path=image.path, updated_at=now)
            workspace.files.append(item)
        item.data, item.sha256, item.updated_at = data, sha256(data), now
        db.session.flush()
        add_revision(item, data, "saved", now, user.id)
    return replaced
