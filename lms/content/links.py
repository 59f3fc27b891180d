"""Links and images inside lesson Markdown: finding them (with line numbers) and resolving them.

A relative link to a lesson file (``02-variables.md``, ``../git-collaboration/03-branching.md``)
becomes that lesson's URL; a relative link to any other file inside the course folder becomes an
asset URL. Anything that leads nowhere, or outside the course, is a problem for ``content check``.

Links are resolved on path strings alone, within the files the loader was given (``posixpath``;
never a filesystem): ``folder/file`` names a file of the catalogue, and a link that climbs out of
it simply finds nothing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lms.content.quiz import FENCE_RE

INLINE_LINK_RE = re.compile(r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
REFERENCE_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
CODE_SPAN_RE = re.compile(r"(`+).+?\1")
SAFE_SCHEMES = {"http", "https", "mailto"}

# (course slug, lesson key or None for the course page) for a catalogue path "folder/file.md".
LessonLookup = Callable[[str], tuple[str, str | None] | None]


@dataclass(frozen=True)
class FoundLink:
    line: int
    target: str
    is_image: bool


def find_links(body: str, body_line: int) -> Iterator[FoundLink]:
    """Yield every inline link, image and reference definition outside code blocks and spans."""
    fence: str | None = None
    for offset, raw in enumerate(body.splitlines()):
        stripped = raw.strip()
        if fence is not None:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            continue
        if m := FENCE_RE.match(stripped):
            fence = m["fence"]
            continue
        line = CODE_SPAN_RE.sub("", raw)
        for m in INLINE_LINK_RE.finditer(line):
            yield FoundLink(body_line + offset, m.group(2), m.group(1) == "!")
        if m := REFERENCE_DEF_RE.match(line):
            yield FoundLink(body_line + offset, m.group(1), False)


class LinkResolver:
    """Resolves link targets written in one course folder's files.

    ``folder`` is the course's folder name in the catalogue and ``files`` its files (paths
    relative to the folder); a course file's location is ``folder/name``.
    """

    def __init__(
        self,
        folder: str,
        files: Mapping[str, bytes],
        course_slug: str,
        lookup: LessonLookup,
        asset_base: str | None = None,
    ):
        self.folder = folder
        self.files = files
        self.course_slug = course_slug
        self.lookup = lookup
        self.asset_base = asset_base or f"/courses/{course_slug}/assets"
        self.assets: set[str] = set()  # paths relative to the course folder

    def locate(self, name: str, target_path: str) -> str:
        """Where ``target_path``, written in the course file ``name``, leads in the catalogue."""
        here = posixpath.dirname(f"{self.folder}/{name}")
        return posixpath.normpath(posixpath.join(here, unquote(target_path)))

    def resolve(self, name: str, target: str) -> tuple[str | None, str | None]:
        """Return (new URL or None to keep the target, problem message or None)."""
        parts = urlsplit(target)
        if parts.scheme:
            if parts.scheme.lower() in SAFE_SCHEMES:
                return None, None
            return None, f"link '{target}' uses the unsafe or unsupported scheme '{parts.scheme}:'"
        if not parts.path or target.startswith("/"):
            return None, None  # same-page anchors and site paths are left as written
        location = self.locate(name, parts.path)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if posixpath.splitext(location)[1] == ".md":
            ref = self.lookup(location)
            if ref is None:
                return None, f"link '{target}' points to a lesson that does not exist"
            slug, key = ref
            url = f"/courses/{slug}" + (f"/lessons/{key}" if key else "")
            return url + fragment, None
        inside = f"{self.folder}/"
        if location != self.folder and not location.startswith(inside):
            return None, f"link '{target}' points outside the course folder"
        relative = location[len(inside) :]
        if relative not in self.files:
            return None, f"file '{target}' does not exist"
        self.assets.add(relative)
        return f"{self.asset_base}/{relative}", None

    def check(self, name: str, link: FoundLink) -> str | None:
        """A problem message for one found link, naming images as such."""
        _, problem = self.resolve(name, link.target)
        if problem and link.is_image:
            problem = problem.replace("link", "image", 1).replace("file", "image", 1)
        return problem

    def for_renderer(self, name: str) -> Callable[[str, str], str | None]:
        def rewrite(_tag: str, target: str) -> str | None:
            url, _ = self.resolve(name, target)
            return url

        return rewrite
