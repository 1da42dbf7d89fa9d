"""Markdown → safe HTML: the one renderer for posts, previews, feeds and comments.

python-markdown passes raw HTML, <script> and javascript: links straight through, so
everything it produces is sanitised with nh3 against an explicit allowlist.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

import markdown
import nh3

Profile = Literal["post", "comment"]

POST_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
COMMENT_TAGS = {"a", "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "del"}
URL_SCHEMES = {"http", "https", "mailto"}

_CLASS_OK = re.compile(r"^[\w\-: ]{1,200}$")


def _post_attributes() -> dict[str, set[str]]:
    return {
        "a": {"href", "title", "id", "class"},
        "abbr": {"title"},
        "img": {"src", "alt", "title", "width", "height", "loading"},
        "h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
        "code": {"class"}, "pre": {"class"}, "span": {"class"}, "div": {"class", "id"},
        "li": {"id", "class"}, "sup": {"id", "class"}, "ol": {"start", "class"}, "ul": {"class"},
        "td": {"align", "colspan", "rowspan"}, "th": {"align", "colspan", "rowspan", "scope"},
        "input": {"type", "checked", "disabled"},
    }  # fmt: skip


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    # Classes only from the renderer's own vocabulary (pygments, footnotes), never free-form.
    if attr == "class" and not _CLASS_OK.match(value):
        return None
    if tag == "input" and attr == "type" and value != "checkbox":
        return None
    if attr == "id" and not _CLASS_OK.match(value):
        return None
    return value


@cache
def _md(profile: Profile) -> markdown.Markdown:
    if profile == "comment":
        return markdown.Markdown(extensions=["pymdownx.tilde", "sane_lists", "nl2br"], output_format="html")
    return markdown.Markdown(
        extensions=[
            "tables",
            "footnotes",
            "sane_lists",
            "toc",
            "pymdownx.superfences",
            "pymdownx.highlight",
            "pymdownx.tilde",
            "pymdownx.tasklist",
            "pymdownx.magiclink",
        ],
        extension_configs={
            "toc": {"permalink": "#", "permalink_class": "heading-anchor", "permalink_title": "Link to this section"},
            "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
            "pymdownx.tasklist": {"custom_checkbox": False},
        },
        output_format="html",
    )


def sanitize(html: str, *, profile: Profile = "post") -> str:
    """Keep only allowlisted tags/attributes/URL schemes; links get rel=nofollow noopener (+ugc)."""
    if profile == "comment":
        return nh3.clean(
            html,
            tags=COMMENT_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes=URL_SCHEMES,
            link_rel="nofollow ugc noopener",
        )
    return nh3.clean(
        html,
        tags=POST_TAGS,
        attributes=_post_attributes(),
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )


def render_markdown(text: str, *, profile: Profile = "post") -> str:
    md = _md(profile)
    md.reset()
    return sanitize(md.convert(text or ""), profile=profile)


@dataclass(frozen=True)
class Rendered:
    html: str
    word_count: int
    reading_time: int  # minutes, at least 1 for any text


_WORD = re.compile(r"\w+", re.UNICODE)


def render_post(content: str) -> Rendered:
    html = render_markdown(content, profile="post")
    words = len(_WORD.findall(content or ""))
    return Rendered(html=html, word_count=words, reading_time=max(1, math.ceil(words / 230)) if words else 0)
