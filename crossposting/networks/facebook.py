"""A Facebook Page, over the Graph API: a feed post with the link (Facebook builds the card)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from crossposting.networks import Account, Field, Payload, RemoteResult, Verified, is_recent, truncate
from crossposting.networks._graph import call


class FacebookPage:
    name = "facebook"
    label = "Facebook Page"
    char_limit = 63_206
    can_delete = True
    fields = (
        Field("page_id", "Page id"),
        Field("access_token", "Page access token", secret=True, help="A long-lived Page token."),
    )

    def text_limit(self, *, account: Account | None, link: str) -> int:
        return self.char_limit

    def verify(self, *, account: Account) -> Verified:
        page_id = account.credentials["page_id"]
        page = call(
            settings.CROSSPOST_GRAPH_URL,
            "GET",
            page_id,
            token=account.credentials["access_token"],
            label=self.label,
            fields="id,name",
        )
        return Verified(handle=str(page.get("name") or page_id), options={"page_id": page_id})

    def post(self, *, account: Account, payload: Payload) -> RemoteResult:
        page_id = account.credentials["page_id"]
        created = call(
            settings.CROSSPOST_GRAPH_URL,
            "POST",
            f"{page_id}/feed",
            token=account.credentials["access_token"],
            label=self.label,
            message=truncate(payload.text, self.char_limit),
            link=payload.link,
        )
        post_id = str(created["id"])
        return RemoteResult(remote_id=post_id, remote_url=f"https://www.facebook.com/{post_id}")

    def find(self, *, account: Account, payload: Payload, since: datetime) -> RemoteResult | None:
        """The Page's published posts, newest first: one whose link attachment is this link.

        (A post's own `link` field was deprecated in v3.3; the attachment keeps the original URL.)
        """
        listing = call(
            settings.CROSSPOST_GRAPH_URL,
            "GET",
            f"{account.credentials['page_id']}/published_posts",
            token=account.credentials["access_token"],
            label=self.label,
            fields="id,message,created_time,permalink_url,attachments{unshimmed_url,url}",
            limit=25,
        )
        for item in listing.get("data") or []:
            attachments = (item.get("attachments") or {}).get("data") or []
            links = {a.get("unshimmed_url") or a.get("url") for a in attachments}
            if payload.link in links and is_recent(item.get("created_time"), since):
                post_id = str(item["id"])
                return RemoteResult(
                    remote_id=post_id, remote_url=item.get("permalink_url") or f"https://www.facebook.com/{post_id}"
                )
        return None

    def delete(self, *, account: Account, remote_id: str) -> None:
        call(
            settings.CROSSPOST_GRAPH_URL,
            "DELETE",
            remote_id,
            token=account.credentials["access_token"],
            label=self.label,
        )


adapter = FacebookPage()
