"""What the editor's cross-post panel shows for one post (shared by the template tag and the views)."""

from __future__ import annotations

from dataclasses import dataclass

from crossposting import networks, selectors, services
from crossposting.models import Connection, CrossPost
from posts.models import Post


@dataclass
class PanelRow:
    network: str
    label: str
    connection: Connection | None
    crosspost: CrossPost | None
    chosen: bool
    text: str
    limit: int
    can_delete: bool = False

    @property
    def editable(self) -> bool:
        return self.crosspost is None or self.crosspost.status in (
            CrossPost.Status.PLANNED,
            CrossPost.Status.FAILED,
            CrossPost.Status.SKIPPED,
        )


def panel_context(*, post: Post) -> dict[str, object]:
    """Two queries whatever the number of networks: connections, then this post's cross-posts."""
    connections = {c.network: c for c in selectors.connections_of(creator=post.creator)}
    crossposts = {c.network: c for c in selectors.crossposts_of(post=post)}
    link = post.full_url
    rows: list[PanelRow] = []
    for name, adapter in networks.registry().items():
        connection, crosspost = connections.get(name), crossposts.get(name)
        if connection is None and crosspost is None:
            continue
        # Limits depend only on public options (a Mastodon instance's maximum): no secret is decrypted here.
        account = (
            networks.Account(credentials={}, options=dict(connection.options), instance_url=connection.instance_url)
            if connection
            else None
        )
        rows.append(
            PanelRow(
                network=name,
                label=adapter.label,
                connection=connection,
                crosspost=crosspost,
                chosen=crosspost.chosen if crosspost else True,
                text=crosspost.text if crosspost and crosspost.text else services.default_text(post),
                limit=adapter.text_limit(account=account, link=link),
                can_delete=adapter.can_delete,
            )
        )
    in_flight = any(
        r.crosspost is not None and r.crosspost.status in (CrossPost.Status.PENDING, CrossPost.Status.SENDING)
        for r in rows
    )
    return {"post": post, "crosspost_rows": rows, "crosspost_published": post.is_published, "in_flight": in_flight}
