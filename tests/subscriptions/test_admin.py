"""Staff see each post's new-post email counts, and can send failed ones again."""

import pytest
from django.test import Client

from subscriptions.models import Delivery
from tests.accounts.factories import UserFactory
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _deliveries(post, **counts):
    for status, n in counts.items():
        for _ in range(n):
            Delivery.objects.create(post=post, subscriber=UserFactory(), status=status)


def test_per_post_counts_show_queued_sent_failed(admin, alice):
    post = PostFactory(creator=alice, published=True, title="Stalled one")
    _deliveries(post, queued=2, sent=5, failed=1)
    PostFactory(creator=alice, published=True, title="Never emailed")
    r = admin.get("/admin/subscriptions/postdeliverystats/")
    assert r.status_code == 200
    rows = list(r.context["cl"].result_list)
    assert [(p.title, p.queued, p.sent, p.failed) for p in rows] == [("Stalled one", 2, 5, 1)]
    link = f"/admin/subscriptions/delivery/?post__id__exact={post.pk}&amp;status__exact=failed"
    assert link in r.content.decode()
    r = admin.get(link.replace("&amp;", "&"))
    assert r.status_code == 200
    assert [d.status for d in r.context["cl"].result_list] == ["failed"]


def test_readers_cannot_open_the_admin(client, bob):
    client.force_login(bob)
    assert client.get("/admin/subscriptions/postdeliverystats/").status_code == 302


def test_send_again_requeues_failed_deliveries(admin, alice, django_capture_on_commit_callbacks):
    post = PostFactory(creator=alice, published=True)
    _deliveries(post, failed=2, sent=1)
    ids = list(Delivery.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as callbacks:
        r = admin.post("/admin/subscriptions/delivery/", {"action": "send_again", "_selected_action": ids}, follow=True)
    assert "2 deliveries queued again." in r.content.decode()
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["queued", "queued", "sent"]
    assert len(callbacks) == 1
