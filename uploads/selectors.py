"""Reads of uploaded images that carry rules: which narrower copies a page may offer."""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.html import escape

from uploads.models import Image

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\ssrc="([^"]+)"')
SIZES = "(max-width: 46rem) 100vw, 46rem"  # the article column (site.css) is at most 46rem wide


def with_srcset(html: str) -> str:
    """Give each uploaded image in sanitised post HTML a `srcset` of its narrower copies.

    One query, and only when the HTML has images. Images from elsewhere, and uploads whose
    copies the worker has not made yet, are left as they are (the post is rendered again
    when the copies exist: uploads.tasks.make_image_variants).
    """
    srcs = {m.group(1) for tag in _IMG.findall(html) if (m := _SRC.search(tag))}
    if not srcs:
        return html
    basenames = {src.rsplit("/", 1)[-1].split("?", 1)[0] for src in srcs}
    query = reduce(or_, (Q(file__endswith=f"/{name}") | Q(file=name) for name in basenames if name))
    srcset = {}
    for image in Image.objects.filter(query).exclude(variants={}):
        url = image.url
        widths = sorted(int(w) for w in image.variants)
        candidates = [f"{image.variant_url(w)} {w}w" for w in widths] + [f"{url} {image.width}w"]
        srcset[escape(url)] = escape(", ".join(candidates))
    if not srcset:
        return html

    def add(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = _SRC.search(tag)
        if src is None or src.group(1) not in srcset or " srcset=" in tag:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return f'{tag[:end].rstrip()} srcset="{srcset[src.group(1)]}" sizes="{SIZES}"{tag[end:]}'

    return _IMG.sub(add, html)
