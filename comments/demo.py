"""Demo comments for `make run`: a few conversations, with replies, under the demo posts.

Idempotent: a comment whose writer already left the same text on that post is not posted again.
Each writer posts at most five here, inside the comment rate limit.
"""

from __future__ import annotations

from typing import TextIO

from accounts.models import User
from comments import services
from comments.models import Comment
from posts.models import Post

# Per post title: (key, writer, key of the comment replied to or None, text).
THREADS: dict[str, list[tuple[str, str, str | None, str]]] = {
    "The boring parts win": [
        ("b1", "rita", None, "The line about runbooks hit home. We wrote ours after the third outage, not the first."),
        ("b2", "ada", "b1", "Third is better than never! Five lines written the same night beat fifty written later."),
        ("b3", "rita", "b2", "Agreed. I printed yours and pinned it next to the on-call phone."),
        ("b4", "grace", None, "Swap *software* for *soil* and this is my gardening philosophy too."),
    ],
    "Caches are promises": [
        ("c1", "linus", None, "Versioned keys saved our little travel site when a bad page got cached at midnight."),
        ("c2", "ada", "c1", "That is exactly the case: one increment and the bad page is gone everywhere."),
        ("c3", "admin", None, "We use this very approach on Inkwell for logged-out readers."),
    ],
    "Tomatoes in a small city plot": [
        ("t1", "rita", None, "Which variety would you pick for a balcony that gets sun only in the afternoon?"),
        ("t2", "grace", "t1", "Gardener's Delight: small fruit, forgiving, and it ripens with half a day of sun."),
        ("t3", "linus", None, "I ate San Marzanos straight off the vine in Campania once. Nothing compares."),
    ],
    "A pot of beans on Sunday": [
        ("p1", "rita", None, "Made this yesterday. Salting at the end really does keep the skins tender."),
        ("p2", "grace", "p1", "So glad it worked! Save the cooking liquid for the soup on Wednesday."),
    ],
    "The night train south": [
        ("n1", "rita", None, "Lower berth, always. Learned that the hard way on a very bumpy line."),
        ("n2", "linus", "n1", "The upper berth has the better view, though, if you can sleep through the bends."),
        ("n3", "ada", None, "This made me book a sleeper for the spring. Thank you for the timetable table!"),
        ("n4", "linus", "n3", "Bring a paper map, and tell me how the border at dawn looks to you."),
    ],
}


def seed(stdout: TextIO) -> list[Comment]:
    users = {u.username: u for u in User.objects.filter(username__in={w for t in THREADS.values() for _, w, _, _ in t})}
    posts = {p.title: p for p in Post.objects.filter(title__in=THREADS, status=Post.Status.PUBLISHED)}
    created: list[Comment] = []
    for title, thread in THREADS.items():
        post = posts.get(title)
        if post is None:
            continue
        by_key: dict[str, Comment] = {}
        for key, writer, parent_key, text in thread:
            user = users.get(writer)
            if user is None:
                continue
            parent = by_key.get(parent_key) if parent_key else None
            if parent_key and parent is None:
                continue
            comment = Comment.objects.filter(post=post, user=user, content=text).first()
            if comment is None:
                comment = services.post_comment(post=post, user=user, content=text, parent=parent)
                created.append(comment)
            by_key[key] = comment
    total = Comment.objects.filter(post__in=posts.values()).count()
    stdout.write(f"Demo comments: {len(created)} added, {total} on the demo posts.")
    return created
