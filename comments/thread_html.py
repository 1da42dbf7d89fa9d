"""The markup of a comment thread, built in Python.

A post page may carry hundreds of comments; one template include per comment (and per
nesting level) made the thread the largest cost of rendering the page. This writes the
same markup as the template did (classes, ids, aria, hx- attributes, forms with their
CSRF token) in a fraction of the time. Everything but `content_html` (sanitised with
nh3 when the comment was saved) is escaped with `_esc`: the standard library's
`html.escape`, which is what `django.utils.html.escape` calls, without its lazy-string
wrapper (measurable at a few hundred calls a page).
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from comments.models import Comment
from comments.selectors import Node

_esc = html.escape

_PK_MARK = uuid.UUID(int=0)
VISIBLE, PENDING, HIDDEN = Comment.Status.VISIBLE.value, Comment.Status.PENDING.value, Comment.Status.HIDDEN.value


@dataclass
class Viewer:
    """What the markup depends on besides the comments: who looks, and what they may do."""

    user_id: Any  # None when logged out
    post_creator_id: Any
    can_comment: bool
    is_moderator: bool
    htmx_ok: bool
    back: str
    csrf_input: Any  # () -> the hidden CSRF input, called only when a form is written


def render_nodes(nodes: Iterable[Node], viewer: Viewer) -> SafeString:
    """`<li class="comment">` for each node and its replies, as comments/_comment.html wrote it."""
    # One reverse() for the whole thread: every comment URL is the same pattern around its pk.
    detail = reverse("comments:detail", kwargs={"pk": _PK_MARK})
    prefix, suffix = detail.split(str(_PK_MARK))
    out: list[str] = []
    _nodes(nodes, viewer, prefix, suffix, out)
    return mark_safe("".join(out))  # noqa: S308 (every part is escaped, or sanitised content_html)


def _nodes(nodes: Iterable[Node], viewer: Viewer, prefix: str, suffix: str, out: list[str]) -> None:
    for node in nodes:
        c = node.comment
        pk = str(c.pk)
        base = _esc(f"{prefix}{pk}{suffix}")
        out.append(
            f'<li class="comment{" comment-hidden" if node.moderator_view else ""}" id="comment-{pk}">\n'
            '  <article class="comment-card">\n'
        )
        if node.placeholder:
            out.append('      <p class="comment-placeholder muted">[removed]</p>\n')
        else:
            _card(node, c, pk, base, viewer, out)
        out.append("  </article>\n")
        if node.children:
            if node.continues:
                n = len(node.children)
                out.append(
                    f'      <p class="comment-continue"><a href="{base}">Continue this thread '
                    f"({n} repl{'y' if n == 1 else 'ies'}) →</a></p>\n"
                )
            else:
                out.append('      <ol class="comment-replies">\n        ')
                _nodes(node.children, viewer, prefix, suffix, out)
                out.append("\n      </ol>\n")
        out.append("</li>\n")


def _card(node: Node, c: Comment, pk: str, base: str, viewer: Viewer, out: list[str]) -> None:
    created = localtime(c.created_at)
    out.append(
        '      <header class="comment-meta">\n'
        f'        <strong class="comment-author">{_esc(c.user.display_name)}</strong>\n'
    )
    if c.user_id == viewer.post_creator_id:
        out.append('        <span class="badge" title="Wrote this post">Author</span>\n')
    out.append(
        f'        <a class="muted" href="{base}"><time datetime="{created.isoformat()}">'
        f"{_esc(naturaltime(created))}</time></a>\n"
    )
    if c.edited_at:
        edited = _esc(naturaltime(localtime(c.edited_at)))
        out.append(f'        <span class="muted comment-edited" title="Edited {edited}">(edited)</span>\n')
    if node.moderator_view:
        out.append('        <span class="badge badge-muted">Hidden from readers</span>\n')
    if c.status == PENDING:
        out.append('        <span class="badge badge-muted">Awaiting review</span>\n')
    out.append(f'      </header>\n      <div class="comment-body">{c.content_html}</div>\n')
    if viewer.user_id is None:
        return
    out.append('      <div class="comment-actions">\n')
    slot = f'hx-target="#slot-{pk}" hx-swap="innerHTML"'
    if viewer.can_comment and c.status == VISIBLE:
        out.append(_link(base, "reply/", "Reply", slot, viewer.htmx_ok))
    if c.user_id == viewer.user_id:
        out.append(_link(base, "edit/", "Edit", slot, viewer.htmx_ok))
        hx = f' hx-post="{base}delete/" hx-confirm="Delete this comment?"' if viewer.htmx_ok else ""
        out.append(
            f'          <form method="post" action="{base}delete/"{hx} class="inline">{viewer.csrf_input()}\n'
            f'            <input type="hidden" name="next" value="{_esc(viewer.back)}">\n'
            '            <button type="submit" class="link-button">Delete</button>\n'
            "          </form>\n"
        )
    elif c.status == VISIBLE:
        out.append(_link(base, "report/", "Report", slot, viewer.htmx_ok))
    if viewer.is_moderator:
        verb = {VISIBLE: "hide", PENDING: "approve", HIDDEN: "unhide"}.get(c.status)
        if verb:
            hx = f' hx-post="{base}{verb}/"' if viewer.htmx_ok else ""
            out.append(
                f'            <form method="post" action="{base}{verb}/"{hx} class="inline">{viewer.csrf_input()}'
                f'<input type="hidden" name="next" value="{_esc(viewer.back)}">'
                f'<button type="submit" class="link-button">{verb.capitalize()}</button></form>\n'
            )
    # Reply, edit and report forms load into the slot on demand, so a long thread stays light.
    out.append(f'      </div>\n      <div class="comment-slot" id="slot-{pk}"></div>\n')


def _link(base: str, verb: str, label: str, slot: str, htmx_ok: bool) -> str:
    hx = f' hx-get="{base}{verb}" {slot}' if htmx_ok else ""
    return f'          <a href="{base}{verb}"{hx}>{label}</a>\n'
