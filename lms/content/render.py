"""Markdown to safe HTML: python-markdown with pymdown-extensions, then an nh3 allowlist.

Rendering happens once, at sync time; the stored HTML is served as is. Links to other lessons and to
course assets are rewritten by a resolver the loader supplies; the renderer knows no URLs.
"""

from __future__ import annotations

import html as html_lib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import render_inner_html, strip_tags
from markdown.treeprocessors import Treeprocessor

# (tag, attribute, target) -> new URL, or None to leave the target as written.
Resolver = Callable[[str, str], str | None]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "samp",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "var",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# The tables extension aligns cells with style="text-align: ..."; the CSP forbids inline styles, so
# alignment becomes a class the site's stylesheet knows.
ALIGN_STYLE_RE = re.compile(r'\sstyle="text-align:\s*(left|right|center);?"')
# Code blocks and tables scroll sideways on a phone; a keyboard user scrolls them by focusing them
# (Safari does not focus a scrolling box on its own). The sanitizer sets it: authors cannot.
SCROLLING_BOXES = {"pre": {"tabindex": "0"}, "table": {"tabindex": "0"}}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list[dict]


class _LinkRewriter(Treeprocessor):
    def __init__(self, md):
        super().__init__(md)
        self.resolver: Resolver | None = None  # set for each conversion

    def run(self, root: Element) -> None:
        if self.resolver is None:
            return
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute):
                new = self.resolver(element.tag, element.get(attribute))
                if new is not None:
                    element.set(attribute, new)


class _LinkRewriteExtension(Extension):
    def extendMarkdown(self, md) -> None:
        md.treeprocessors.register(_LinkRewriter(md), "lms_links", 1)


HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


class _HeadingPermalinks(Treeprocessor):
    """Put a "#" permalink beside each heading, not inside it.

    A link inside a heading becomes part of the heading's name ("Kinds of data#"), and a link
    named "#" says nothing. So the heading and its link share a wrapper, and the link's name is
    visually hidden text naming the section; the "#" itself is drawn by the stylesheet.
    """

    def run(self, root: Element) -> None:
        for parent in list(root.iter()):
            for index, heading in enumerate(list(parent)):
                if heading.tag not in HEADINGS or not heading.get("id"):
                    continue
                name = html_lib.unescape(strip_tags(render_inner_html(heading, self.md)))
                wrapper = Element("div", {"class": f"heading-anchor heading-anchor-{heading.tag}"})
                wrapper.tail, heading.tail = heading.tail, None
                parent.remove(heading)
                parent.insert(index, wrapper)
                wrapper.append(heading)
                link = SubElement(
                    wrapper, "a", {"class": "headerlink", "href": f"#{heading.get('id')}"}
                )
                hidden = SubElement(link, "span", {"class": "visually-hidden"})
                hidden.text = f"Link to section: {name}"


class _HeadingPermalinkExtension(Extension):
    def extendMarkdown(self, md) -> None:
        # After "toc" (priority 5), which gives every heading its id.
        md.treeprocessors.register(_HeadingPermalinks(md), "lms_permalinks", 4)


# Building a Markdown instance with its extensions costs far more than converting a quiz option,
# so each thread keeps one and resets it between documents (instances are not thread-safe).
_local = threading.local()


def _converter(resolver: Resolver | None) -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _markdown()
    md.reset()
    md.treeprocessors["lms_links"].resolver = resolver
    return md


def _markdown() -> markdown.Markdown:
    extensions: list = [
        "tables",
        "admonition",
        "sane_lists",
        "pymdownx.superfences",
        "pymdownx.highlight",
        "pymdownx.inlinehilite",
        "pymdownx.details",
        "pymdownx.betterem",
        "pymdownx.tilde",
        "pymdownx.caret",
        "pymdownx.keys",
        "toc",
        _HeadingPermalinkExtension(),
        _LinkRewriteExtension(),
    ]
    return markdown.Markdown(
        extensions=extensions,
        extension_configs={
            "pymdownx.highlight": {
                "use_pygments": True,
                "css_class": "highlight",
                "guess_lang": False,
            },
            "toc": {"toc_depth": "2-3"},  # permalinks: _HeadingPermalinks
        },
        output_format="html",
    )


def sanitize(html: str) -> str:
    """Clean rendered HTML with the nh3 allowlist: no scripts, handlers, frames or unsafe URLs."""
    html = ALIGN_STYLE_RE.sub(r' class="align-\1"', html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values=SCROLLING_BOXES,
        strip_comments=True,
    )


def _flatten_toc(tokens: list[dict]) -> list[dict]:
    flat: list[dict] = []
    for token in tokens:
        flat.append({"id": token["id"], "name": token["name"], "level": token["level"]})
        flat.extend(_flatten_toc(token.get("children", [])))
    return flat


def render_markdown(text: str, resolver: Resolver | None = None) -> Rendered:
    """Render a lesson or overview body to sanitized HTML and its h2/h3 table of contents."""
    md = _converter(resolver)
    html = sanitize(md.convert(text))
    toc = [
        # Plain text (tags dropped, entities decoded): templates escape it once when shown.
        {
            "id": entry["id"],
            "name": html_lib.unescape(nh3.clean(entry["name"], tags=set())),
            "level": entry["level"],
        }
        for entry in _flatten_toc(md.toc_tokens)
    ]
    return Rendered(html=html, toc=toc)


def render_inline(text: str, resolver: Resolver | None = None) -> str:
    """Render a short piece of Markdown (a quiz question or option) without its wrapping <p>."""
    html = render_markdown(text, resolver).html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
