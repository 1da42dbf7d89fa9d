"""Threads, over the Threads Graph API: a text container with a link attachment, then publish."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from crossposting.networks import Account, Field, NetworkError, Payload, RemoteResult, Verified, is_recent, truncate
from crossposting.networks._graph import call


class ThreadsNetwork:
    name = "threads"
    label = "Threads"
    char_limit = 500
    can_delete = True
    fields = (
        Field("user_id", "Threads user id"),
        Field("access_token", "Access token", secret=True, help="A long-lived Threads user token."),
    )

    def text_limit(self, *, account: Account | None, link: str) -> int:
        return self.char_limit - len(link) - 2

    def _call(self, account: Account, method: str, path: str, **params: object) -> dict:
        token = account.credentials["access_token"]
        return call(settings.CROSSPOST_THREADS_URL, method, path, token=token, label=self.label, **params)

    def verify(self, *, account: Account) -> Verified:
        user_id = account.credentials["user_id"]
        me = self._call(account, "GET", user_id, fields="id,username")
        return Verified(handle=f"@{me.get('username') or user_id}", options={"user_id": user_id})

    def post(self, *, account: Account, payload: Payload) -> RemoteResult:
        user_id = account.credentials["user_id"]
        text = truncate(payload.text, self.text_limit(account=account, link=payload.link))
        container = self._call(
            account,
            "POST",
            f"{user_id}/threads",
            media_type="TEXT",
            text=f"{text}\n\n{payload.link}" if text else payload.link,
            link_attachment=payload.link,
        )
        published = self._call(account, "POST", f"{user_id}/threads_publish", creation_id=container["id"])
        media_id = str(published["id"])
        try:
            permalink = self._call(account, "GET", media_id, fields="permalink").get("permalink", "")
        except NetworkError:
            permalink = ""  # the post is out: failing now would post it again on the retry
        return RemoteResult(remote_id=media_id, remote_url=str(permalink))

    def find(self, *, account: Account, payload: Payload, since: datetime) -> RemoteResult | None:
        """GET /{threads-user-id}/threads, newest first: a post with this link attached (or in its text)."""
        listing = self._call(
            account,
            "GET",
            f"{account.credentials['user_id']}/threads",
            fields="id,text,permalink,timestamp,link_attachment_url",
            limit=25,
        )
        for item in listing.get("data") or []:
            linked = item.get("link_attachment_url") == payload.link or payload.link in (item.get("text") or "")
            if linked and is_recent(item.get("timestamp"), since):
                return RemoteResult(remote_id=str(item["id"]), remote_url=str(item.get("permalink") or ""))
        return None

    def delete(self, *, account: Account, remote_id: str) -> None:
        self._call(account, "DELETE", remote_id)


adapter = ThreadsNetwork()
