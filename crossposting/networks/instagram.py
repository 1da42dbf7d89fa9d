"""An Instagram Business account, over the Graph API: the cover image with a caption.

Instagram posts are images, so a post without a cover is skipped with that reason.
Captions don't make links clickable; the link is in the caption for people to copy.
The Graph API cannot delete Instagram media, so remote posts must be deleted in the app.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from crossposting.networks import (
    Account,
    Field,
    NetworkError,
    Payload,
    PermanentError,
    RemoteResult,
    SkipError,
    Verified,
    is_recent,
    truncate,
)
from crossposting.networks._graph import call


class InstagramBusiness:
    name = "instagram"
    label = "Instagram"
    char_limit = 2_200
    can_delete = False
    fields = (
        Field("ig_user_id", "Instagram business account id"),
        Field("access_token", "Access token", secret=True),
    )

    def text_limit(self, *, account: Account | None, link: str) -> int:
        return self.char_limit - len(link) - 2

    def _call(self, account: Account, method: str, path: str, **params: object) -> dict:
        token = account.credentials["access_token"]
        return call(settings.CROSSPOST_GRAPH_URL, method, path, token=token, label=self.label, **params)

    def verify(self, *, account: Account) -> Verified:
        user_id = account.credentials["ig_user_id"]
        me = self._call(account, "GET", user_id, fields="id,username")
        return Verified(handle=f"@{me.get('username') or user_id}", options={"ig_user_id": user_id})

    def post(self, *, account: Account, payload: Payload) -> RemoteResult:
        if not payload.image_url:
            raise SkipError("Instagram posts need an image, and this post has no cover image.")
        user_id = account.credentials["ig_user_id"]
        text = truncate(payload.text, self.text_limit(account=account, link=payload.link))
        container = self._call(
            account,
            "POST",
            f"{user_id}/media",
            image_url=payload.image_url,
            caption=f"{text}\n\n{payload.link}" if text else payload.link,
        )
        published = self._call(account, "POST", f"{user_id}/media_publish", creation_id=container["id"])
        media_id = str(published["id"])
        try:
            permalink = self._call(account, "GET", media_id, fields="permalink").get("permalink", "")
        except NetworkError:
            permalink = ""  # the post is out: failing now would post it again on the retry
        return RemoteResult(remote_id=media_id, remote_url=str(permalink))

    def find(self, *, account: Account, payload: Payload, since: datetime) -> RemoteResult | None:
        """The account's media, newest first: one whose caption carries this link."""
        listing = self._call(
            account,
            "GET",
            f"{account.credentials['ig_user_id']}/media",
            fields="id,caption,permalink,timestamp",
            limit=25,
        )
        for item in listing.get("data") or []:
            if payload.link in (item.get("caption") or "") and is_recent(item.get("timestamp"), since):
                return RemoteResult(remote_id=str(item["id"]), remote_url=str(item.get("permalink") or ""))
        return None

    def delete(self, *, account: Account, remote_id: str) -> None:
        raise PermanentError("Instagram's API cannot delete posts: delete it in the Instagram app.")


adapter = InstagramBusiness()
