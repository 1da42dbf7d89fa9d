"""Social connections of a creator, and what each post sends (or sent) to each network."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Connection(models.Model):
    """One creator's account on one network. Secrets live only in `credentials` (encrypted)."""

    class Status(models.TextChoices):
        OK = "ok", "Connected"
        NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections")
    network = models.CharField(max_length=20)
    handle = models.CharField(max_length=200, blank=True, help_text="The account's name on the network.")
    instance_url = models.URLField(blank=True, help_text="Mastodon instance or Bluesky PDS.")
    # Non-secret choices: the subreddit, the page or user id.
    options = models.JSONField(default=dict, blank=True)
    # Fernet ciphertext of a JSON object (crossposting.crypto); never the clear secret.
    credentials = models.TextField(editable=False)
    # Fernet ciphertext of a logged-in session the network gave us (Bluesky), reused between sends.
    session = models.TextField(blank=True, editable=False)
    # Last four characters of each secret, for "connected as … with ••••abcd".
    hint = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OK)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network"]
        constraints = [
            models.UniqueConstraint(fields=["creator", "network"], name="connection_one_per_network"),
        ]

    def __str__(self) -> str:
        return f"{self.network}: {self.handle}"

    @property
    def is_ok(self) -> bool:
        return self.status == self.Status.OK

    @property
    def network_label(self) -> str:
        from crossposting import networks

        return networks.label(self.network)


class CrossPost(models.Model):
    """A post on one network. Before publish it is the creator's plan (chosen, text);
    after, the record of what went out: exactly one row per (post, network)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        DELETED = "deleted", "Deleted from the network"

    # SET_NULL: a deleted post's remote copies stay listed until the creator decides.
    post = models.ForeignKey("posts.Post", on_delete=models.SET_NULL, null=True, related_name="crossposts")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crossposts")
    post_title = models.CharField(max_length=200, blank=True)
    network = models.CharField(max_length=20)
    connection = models.ForeignKey(Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    chosen = models.BooleanField(default=True)
    text = models.TextField(blank=True, help_text="Text for this network; empty: the default text.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    remote_id = models.CharField(max_length=300, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set just before the call that creates the remote post, cleared once its outcome is known. Still set
    # on the next try: the last call timed out or was cut off, so the network may have the post already,
    # and it is looked for there before posting again.
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network"]
        constraints = [
            models.UniqueConstraint(fields=["post", "network"], name="crosspost_one_per_network"),
        ]
        indexes = [models.Index(fields=["creator", "status"], name="crosspost_creator_status_idx")]

    def __str__(self) -> str:
        return f"{self.post_title} → {self.network} ({self.status})"

    @property
    def network_label(self) -> str:
        from crossposting import networks

        return networks.label(self.network)

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED
