"""A Facebook Page, over the Graph API: a feed post with the link (Facebook builds the card)."""

from __future__ import annotations

from django.conf import settings

from crossposting.networks import Account, Field, Payload, RemoteResult, Verified, truncate
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

    def delete(self, *, account: Account, remote_id: str) -> None:
        call(
            settings.CROSSPOST_GRAPH_URL,
            "DELETE",
            remote_id,
            token=account.credentials["access_token"],
            label=self.label,
        )


adapter = FacebookPage()
