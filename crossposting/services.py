"""Every write to cross-posting: connections, each post's plan, sending, retries, remote deletion.

Callers have checked ownership (crossposting.selectors). Network calls happen in adapters
(crossposting.networks); only `connect_network` and `test_connection` call out from a
request, because the creator is waiting to know whether the credentials work.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from crossposting import crypto, networks, tasks, urlsafety
from crossposting.models import Connection, CrossPost
from posts.models import Post
from publishing.errors import DomainError

log = logging.getLogger(__name__)

# A row left "sending" this long was interrupted (worker killed mid-call): its outcome is unknown.
STALE_CLAIM = timedelta(minutes=10)
# Looking for a post whose answer was lost: how far before our own clock's attempt time its
# timestamp (the network's clock) may be.
LOOKUP_SLACK = timedelta(minutes=5)
INTERRUPTED = (
    "Sending was interrupted, so it may already be on the network; retrying looks for it there first "
    "and will not post it twice."
)
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class CrossPostError(DomainError):
    pass


def account_for(connection: Connection) -> networks.Account:
    connection_id = connection.pk
    return networks.Account(
        credentials=crypto.decrypt(connection.credentials),
        options=dict(connection.options),
        instance_url=connection.instance_url,
        handle=connection.handle,
        session=crypto.decrypt(connection.session).get("session", ""),
        save_session=lambda session: save_session(connection_id=connection_id, session=session),
    )


def save_session(*, connection_id: int, session: str) -> None:
    """Keep a network's login session (encrypted, like the credentials) for the next call to reuse."""
    Connection.objects.filter(pk=connection_id).update(session=crypto.encrypt({"session": session}))


# --- Connections ---------------------------------------------------------------


def _clean_instance_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and "://" not in value:
        value = f"https://{value}"
    return value


def connect_network(*, creator: User, network: str, values: dict[str, str]) -> Connection:
    """Check the credentials with a real call to the network, then store them encrypted.

    Connecting again to the same network replaces the old credentials (reconnecting).
    """
    if not creator.is_creator:
        raise CrossPostError("Only creators can connect social accounts.", code="not_creator", status=403)
    try:
        adapter = networks.get(network)
    except networks.PermanentError:
        raise CrossPostError("Unknown network.", code="unknown_network", field="network") from None
    clean = {f.name: (values.get(f.name) or "").strip() for f in adapter.fields}
    for f in adapter.fields:
        if f.required and not clean[f.name]:
            raise CrossPostError(f"{f.label} is required.", code="required", field=f.name)
    instance_url = _clean_instance_url(clean.pop("instance_url", ""))
    if instance_url:
        try:
            urlsafety.check_public_url(instance_url)
        except urlsafety.UnsafeURL as e:
            raise CrossPostError(str(e), code="unsafe_url", field="instance_url") from None
    account = networks.Account(credentials=clean, instance_url=instance_url)
    try:
        verified = adapter.verify(account=account)
    except networks.AuthError as e:
        raise CrossPostError(f"{adapter.label} did not accept these credentials: {e.message}", code="auth") from e
    except networks.NetworkError as e:
        raise CrossPostError(f"Could not check the account on {adapter.label}: {e.message}", code="unreachable") from e
    secrets = {f.name: clean[f.name] for f in adapter.fields if f.secret}
    public = {k: v for k, v in clean.items() if k not in secrets}
    with transaction.atomic():
        connection, _ = Connection.objects.update_or_create(
            creator=creator,
            network=network,
            defaults={
                "handle": verified.handle[:200],
                "instance_url": verified.instance_url or instance_url,
                "options": {**public, **verified.options},
                "credentials": crypto.encrypt(clean),
                "session": "",  # made with the old credentials
                "hint": " ".join(crypto.mask(v) for v in secrets.values())[:40],
                "status": Connection.Status.OK,
                "last_error": "",
            },
        )
    log.info("crossposting.connected", extra={"network": network, "creator_id": creator.pk})
    return connection


def test_connection(*, connection: Connection) -> bool:
    """Try the stored credentials; records and returns whether they still work."""
    adapter = networks.get(connection.network)
    try:
        verified = adapter.verify(account=account_for(connection))
    except networks.AuthError as e:
        mark_needs_reauth(connection=connection, reason=e.message)
        return False
    except networks.NetworkError as e:
        Connection.objects.filter(pk=connection.pk).update(last_error=e.message, updated_at=timezone.now())
        connection.last_error = e.message
        return False
    connection.status, connection.last_error = Connection.Status.OK, ""
    connection.options = {**connection.options, **verified.options}
    connection.save(update_fields=["status", "last_error", "options", "updated_at"])
    return True


def disconnect(*, connection: Connection) -> None:
    """Forget the credentials. Cross-posts already sent stay listed (with their links)."""
    connection.delete()


def mark_needs_reauth(*, connection: Connection, reason: str) -> bool:
    """Mark the connection as needing re-authorisation and tell the creator, once per breakage."""
    from notifications import services as notifications

    changed = Connection.objects.filter(pk=connection.pk, status=Connection.Status.OK).update(
        status=Connection.Status.NEEDS_REAUTH, last_error=reason, session="", updated_at=timezone.now()
    )
    connection.status, connection.last_error = Connection.Status.NEEDS_REAUTH, reason
    if changed:
        from django.urls import reverse

        notifications.notify(
            recipient=connection.creator,
            kind="connection",
            title=f"Reconnect your {networks.label(connection.network)} account",
            body=(
                f"{networks.label(connection.network)} no longer accepts the access we were given ({reason}). "
                "Posts will not go there until you connect it again."
            ),
            url=reverse("crossposting:connections"),
        )
    return bool(changed)


# --- The per-post plan -------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    chosen: bool
    text: str = ""


def save_plan(*, post: Post, choices: dict[str, Choice]) -> list[CrossPost]:
    """Record which networks this post goes to and the text for each. Sent ones are not touched."""
    rows: list[CrossPost] = []
    with transaction.atomic():
        existing = {c.network: c for c in CrossPost.objects.select_for_update().filter(post=post)}
        for network, choice in choices.items():
            networks.get(network)  # unknown names are refused
            row = existing.get(network)
            if row is None:
                row = CrossPost(post=post, creator_id=post.creator_id, network=network, post_title=post.title[:200])
            elif row.status not in (CrossPost.Status.PLANNED, CrossPost.Status.FAILED, CrossPost.Status.SKIPPED):
                rows.append(row)
                continue
            row.chosen, row.text = choice.chosen, choice.text.strip()
            row.save()
            rows.append(row)
    return rows


def default_text(post: Post) -> str:
    return post.title.strip()


# --- Publishing ----------------------------------------------------------------------


def start_crossposts(*, post: Post) -> list[CrossPost]:
    """On publish: one CrossPost per chosen network (default: every connected one), one task each.

    Safe to run twice: only rows moving from planned to pending are sent to the worker.
    """
    to_send: list[int] = []
    with transaction.atomic():
        connections = {c.network: c for c in Connection.objects.filter(creator_id=post.creator_id)}
        rows = {c.network: c for c in CrossPost.objects.select_for_update().filter(post=post)}
        for network in connections:
            if network not in rows:
                # get_or_create: a concurrent run of this same event may have just made the row.
                rows[network], _ = CrossPost.objects.get_or_create(
                    post=post, network=network, defaults={"creator_id": post.creator_id, "post_title": post.title[:200]}
                )
        for row in rows.values():
            if row.status != CrossPost.Status.PLANNED or not row.chosen:
                continue
            connection = connections.get(row.network)
            row.post_title = post.title[:200]
            row.connection = connection
            if connection is None:
                row.status, row.error = CrossPost.Status.SKIPPED, "Not connected to this network any more."
            else:
                row.status, row.error = CrossPost.Status.PENDING, ""
                to_send.append(row.pk)
            row.save(update_fields=["post_title", "connection", "status", "error", "updated_at"])
    for pk in to_send:
        transaction.on_commit(lambda pk=pk: tasks.send_crosspost.send(pk))
    return list(rows.values())


def _payload(row: CrossPost, post: Post, adapter: networks.Network) -> networks.Payload:
    image, image_type, image_url = None, "", ""
    if post.cover_image:
        image_url = post.cover_image.url
        if image_url.startswith("/"):
            image_url = f"{settings.SITE_URL}{image_url}"
        try:
            if post.cover_image.size <= MAX_IMAGE_BYTES:
                with post.cover_image.open("rb") as fh:
                    image = fh.read()
                image_type = "image/" + (post.cover_image.name.rsplit(".", 1)[-1].lower().replace("jpg", "jpeg"))
        except OSError:
            image = None
    return networks.Payload(
        text=row.text or default_text(post),
        link=post.full_url,
        title=post.title,
        description=post.subtitle or post.content[:300],
        image_url=image_url,
        image=image,
        image_type=image_type,
        key=f"inkwell-crosspost-{row.pk}",
    )


def backoff_seconds(*, attempts: int, retry_after: float | None) -> float:
    delay = settings.CROSSPOST_RETRY_BASE_SECONDS * (2 ** max(attempts - 1, 0))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, settings.CROSSPOST_RETRY_MAX_SECONDS)


def _finish(row_id: int, **fields: object) -> None:
    """Record the outcome. After a network call this write must land, so brief lock errors are retried."""
    for attempt in range(5):
        try:
            CrossPost.objects.filter(pk=row_id).update(updated_at=timezone.now(), **fields)
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))


def send_crosspost(*, crosspost_id: int) -> float | None:
    """Send one cross-post, at most once. Returns seconds to wait before retrying, or None.

    The row is claimed with one conditional UPDATE (pending → sending) before calling out,
    so a redelivered or duplicated task finds it claimed or sent and does nothing.
    """
    now = timezone.now()
    claimed = (
        CrossPost.objects.filter(pk=crosspost_id, status=CrossPost.Status.PENDING, remote_id="")
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=1)))
        .update(status=CrossPost.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    if not claimed:
        # Interrupted mid-call: the post may be out. Never guess by posting again; let the creator look.
        CrossPost.objects.filter(
            pk=crosspost_id, status=CrossPost.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
        ).update(
            status=CrossPost.Status.FAILED,
            error=INTERRUPTED,
            updated_at=now,
        )
        return None
    row = CrossPost.objects.select_related("post", "connection", "connection__creator").get(pk=crosspost_id)
    post, connection = row.post, row.connection
    if post is None or not post.is_published:
        _finish(row.pk, status=CrossPost.Status.SKIPPED, error="The post is no longer published.")
        return None
    if connection is None:
        _finish(row.pk, status=CrossPost.Status.SKIPPED, error="Not connected to this network any more.")
        return None
    adapter = networks.get(row.network)
    if not connection.is_ok:
        _finish(row.pk, status=CrossPost.Status.FAILED, error=f"Reconnect {adapter.label}, then retry.")
        return None
    # An earlier try's outcome is unknown (timed out, cut off, interrupted): look for the post before posting.
    unknown_since = row.attempted_at
    attempt_at = unknown_since or timezone.now()
    if unknown_since is None:
        _finish(row.pk, attempted_at=attempt_at)  # committed before the call: a killed worker leaves it set
    looked = False

    def marker(*, maybe_posted: bool) -> datetime | None:
        """attempted_at after a failure: kept while some try may have posted and nobody has looked since."""
        if maybe_posted or (unknown_since is not None and not looked):
            return attempt_at
        return None

    try:
        if connection.instance_url:
            urlsafety.check_public_url(connection.instance_url)
        account, payload = account_for(connection), _payload(row, post, adapter)
        result = None
        if unknown_since is not None:
            result = adapter.find(account=account, payload=payload, since=unknown_since - LOOKUP_SLACK)
            looked = True
            if result is not None:
                log.info("crossposting.found_after_lost_answer", extra={"crosspost_id": row.pk, "network": row.network})
        if result is None:
            result = adapter.post(account=account, payload=payload)
    except urlsafety.UnsafeURL as e:
        _finish(
            row.pk,
            status=CrossPost.Status.FAILED,
            error=f"{adapter.label}: {e}",
            attempted_at=marker(maybe_posted=False),
        )
        return None
    except networks.SkipError as e:
        _finish(row.pk, status=CrossPost.Status.SKIPPED, error=e.message, attempted_at=marker(maybe_posted=False))
        return None
    except networks.AuthError as e:
        _finish(
            row.pk,
            status=CrossPost.Status.FAILED,
            error=f"{e.message} Reconnect {adapter.label}, then retry.",
            attempted_at=marker(maybe_posted=False),
        )
        mark_needs_reauth(connection=connection, reason=e.message)
        return None
    except networks.TemporaryError as e:
        attempted = marker(maybe_posted=e.outcome_unknown)
        if row.attempts >= settings.CROSSPOST_MAX_ATTEMPTS:
            _finish(
                row.pk,
                status=CrossPost.Status.FAILED,
                error=f"{e.message} Gave up after {row.attempts} tries.",
                attempted_at=attempted,
            )
            return None
        delay = backoff_seconds(attempts=row.attempts, retry_after=e.retry_after)
        _finish(
            row.pk,
            status=CrossPost.Status.PENDING,
            error=f"{e.message} Trying again.",
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            attempted_at=attempted,
        )
        return delay
    except networks.NetworkError as e:
        _finish(row.pk, status=CrossPost.Status.FAILED, error=e.message, attempted_at=marker(maybe_posted=False))
        return None
    except Exception:
        log.exception("crossposting.unexpected_error", extra={"crosspost_id": row.pk, "network": row.network})
        _finish(row.pk, status=CrossPost.Status.FAILED, error="Something went wrong on our side.")
        return None  # attempted_at stays: whatever broke, the post may be out
    _finish(
        row.pk,
        status=CrossPost.Status.SENT,
        remote_id=result.remote_id[:300],
        remote_url=result.remote_url[:500],
        error="",
        sent_at=timezone.now(),
        next_attempt_at=None,
        attempted_at=None,
    )
    return None


def sweep_crossposts(*, now: datetime | None = None) -> tuple[int, int]:
    """Periodic repair: fail rows stuck "sending" (worker killed mid-call), resend overdue pending ones.

    A pending row whose retry message was lost (in-process broker restarted) is sent again;
    the claim in send_crosspost keeps that from ever posting twice. Returns (failed, resent).
    """
    now = now or timezone.now()
    failed = CrossPost.objects.filter(status=CrossPost.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=CrossPost.Status.FAILED,
        error=INTERRUPTED,
        updated_at=now,
    )
    overdue = list(
        CrossPost.objects.filter(status=CrossPost.Status.PENDING, updated_at__lt=now - STALE_CLAIM)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - STALE_CLAIM))
        .values_list("pk", flat=True)[:500]
    )
    for pk in overdue:
        transaction.on_commit(lambda pk=pk: tasks.send_crosspost.send(pk))
    return failed, len(overdue)


def retry_crosspost(*, crosspost: CrossPost) -> CrossPost:
    """Send a failed cross-post again (after the creator fixed the cause)."""
    if crosspost.status != CrossPost.Status.FAILED:
        raise CrossPostError("Only a failed cross-post can be retried.", code="not_failed", status=409)
    if crosspost.post is None or not crosspost.post.is_published:
        raise CrossPostError("Publish the post again first.", code="not_published", status=409)
    connection = Connection.objects.filter(creator_id=crosspost.creator_id, network=crosspost.network).first()
    if connection is None:
        raise CrossPostError(f"Connect {crosspost.network_label} first.", code="not_connected", status=409)
    with transaction.atomic():
        moved = CrossPost.objects.filter(pk=crosspost.pk, status=CrossPost.Status.FAILED).update(
            status=CrossPost.Status.PENDING,
            connection=connection,
            attempts=0,
            next_attempt_at=None,
            error="",
            updated_at=timezone.now(),
        )
        if moved:
            pk = crosspost.pk
            transaction.on_commit(lambda: tasks.send_crosspost.send(pk))
    crosspost.refresh_from_db()
    return crosspost


# --- Remote posts of unpublished or deleted posts ----------------------------------------


def request_remote_delete(*, crosspost: CrossPost) -> CrossPost:
    """Ask the worker to delete the remote copy (where the network's API allows it)."""
    adapter = networks.get(crosspost.network)
    if crosspost.status != CrossPost.Status.SENT or not crosspost.remote_id:
        raise CrossPostError("Only a sent cross-post can be deleted.", code="not_sent", status=409)
    if not adapter.can_delete:
        raise CrossPostError(
            f"{adapter.label}'s API cannot delete posts: delete it on {adapter.label} itself.", code="cannot_delete"
        )
    pk = crosspost.pk
    transaction.on_commit(lambda: tasks.delete_remote_crosspost.send(pk))
    return crosspost


def delete_remote(*, crosspost_id: int) -> float | None:
    """Delete one remote copy. Returns seconds to wait before retrying, or None."""
    row = CrossPost.objects.select_related("connection").filter(pk=crosspost_id).first()
    if row is None or row.status != CrossPost.Status.SENT:
        return None
    connection = row.connection or Connection.objects.filter(creator_id=row.creator_id, network=row.network).first()
    if connection is None:
        _finish(row.pk, error="Connect this network again to delete the remote post.")
        return None
    try:
        networks.get(row.network).delete(account=account_for(connection), remote_id=row.remote_id)
    except networks.TemporaryError as e:
        return backoff_seconds(attempts=1, retry_after=e.retry_after)
    except networks.AuthError as e:
        mark_needs_reauth(connection=connection, reason=e.message)
        _finish(row.pk, error=e.message)
        return None
    except networks.NetworkError as e:
        _finish(row.pk, error=e.message)
        return None
    _finish(row.pk, status=CrossPost.Status.DELETED, error="")
    return None
