"""The subscription rules: one row per pair, no self-subscription, creators only, signed unsubscribe."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from subscriptions import selectors, services
from subscriptions.models import Subscription
from tests.accounts.factories import UserFactory
from tests.posts.factories import PostFactory
from tests.subscriptions.factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_subscribing_creates_an_active_subscription(alice, bob):
    sub, created = services.subscribe(subscriber=bob, creator=alice)
    assert created
    assert sub.status == Subscription.Status.ACTIVE
    assert sub.email_enabled


def test_subscribing_twice_keeps_one_row(alice, bob):
    first, _ = services.subscribe(subscriber=bob, creator=alice)
    second, created = services.subscribe(subscriber=bob, creator=alice)
    assert not created
    assert first.pk == second.pk
    assert Subscription.objects.count() == 1


def test_subscribing_again_reactivates_the_cancelled_row(alice, bob):
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    services.unsubscribe(subscription=sub)
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CANCELLED
    assert sub.cancelled_at is not None
    again, created = services.subscribe(subscriber=bob, creator=alice)
    assert not created
    assert again.pk == sub.pk
    assert again.status == Subscription.Status.ACTIVE
    assert again.cancelled_at is None


def test_nobody_can_subscribe_to_themself(alice):
    with pytest.raises(services.SubscriptionError) as e:
        services.subscribe(subscriber=alice, creator=alice)
    assert e.value.status == 400
    assert e.value.code == "self_subscription"


def test_the_database_also_refuses_a_self_subscription(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(subscriber=alice, creator=alice, subscribed_at=timezone.now())


def test_a_reader_cannot_be_subscribed_to(bob, carol):
    with pytest.raises(services.SubscriptionError) as e:
        services.subscribe(subscriber=carol, creator=bob)
    assert e.value.status == 404


def test_unsubscribe_is_idempotent(alice, bob):
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    services.unsubscribe(subscription=sub)
    cancelled_at = Subscription.objects.get().cancelled_at
    services.unsubscribe(subscription=Subscription.objects.get())
    assert Subscription.objects.get().cancelled_at == cancelled_at


def test_email_can_be_turned_off_and_on(alice, bob):
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    services.set_email_enabled(subscription=sub, enabled=False)
    assert not Subscription.objects.get().email_enabled
    services.set_email_enabled(subscription=sub, enabled=True)
    assert Subscription.objects.get().email_enabled


def test_signed_token_unsubscribes_without_anything_else(alice, bob):
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    token = services.unsubscribe_token(sub)
    assert services.unsubscribe_by_token(token=token).status == Subscription.Status.CANCELLED


def test_a_tampered_token_is_refused(alice, bob):
    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    token = services.unsubscribe_token(sub)
    with pytest.raises(services.SubscriptionError):
        services.unsubscribe_by_token(token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    with pytest.raises(services.SubscriptionError):
        services.unsubscribe_by_token(token=str(sub.pk))
    assert Subscription.objects.get().status == Subscription.Status.ACTIVE


def test_feed_has_only_active_subscriptions_newest_first(alice, bob, carol):
    services.subscribe(subscriber=bob, creator=alice)
    sub_carol, _ = services.subscribe(subscriber=bob, creator=carol)
    old = PostFactory(creator=alice, published=True, published_at=timezone.now() - dt.timedelta(days=2))
    new = PostFactory(creator=alice, published=True)
    PostFactory(creator=alice)  # a draft
    PostFactory(creator=carol, published=True)
    services.unsubscribe(subscription=sub_carol)
    assert list(selectors.feed(user=bob)) == [new, old]


def test_count_over_time_follows_subscribes_and_cancels(alice):
    now = timezone.now()
    SubscriptionFactory(creator=alice, subscribed_at=now - dt.timedelta(weeks=5))
    SubscriptionFactory(
        creator=alice,
        subscribed_at=now - dt.timedelta(weeks=4),
        status=Subscription.Status.CANCELLED,
        cancelled_at=now - dt.timedelta(weeks=2),
    )
    counts = [n for _, n in selectors.count_over_time(creator=alice, weeks=8, now=now)]
    assert counts == [0, 0, 1, 2, 2, 1, 1, 1]


def test_deliveries_go_to_active_email_on_subscribers_who_want_new_posts_once(alice):
    from notifications import services as notifications
    from subscriptions.models import Delivery

    wants, email_off, cancelled, opted_out = (UserFactory() for _ in range(4))
    for u in (wants, email_off, cancelled, opted_out):
        services.subscribe(subscriber=u, creator=alice)
    services.set_email_enabled(subscription=Subscription.objects.get(subscriber=email_off), enabled=False)
    services.unsubscribe_from(subscriber=cancelled, creator=alice)
    notifications.update_preferences(user=opted_out, email_new_posts=False)
    post = PostFactory(creator=alice, published=True)
    assert services.prepare_deliveries(post_id=post.pk, creator_id=alice.pk) == 1
    assert services.prepare_deliveries(post_id=post.pk, creator_id=alice.pk) == 1  # again: nothing new
    assert list(Delivery.objects.values_list("subscriber", flat=True)) == [wants.pk]


def test_the_creator_hears_of_a_new_subscriber_once_in_app(alice, bob):
    from notifications.models import Notification

    sub, _ = services.subscribe(subscriber=bob, creator=alice)
    services.unsubscribe(subscription=sub)
    services.subscribe(subscriber=bob, creator=alice)
    notes = list(Notification.objects.filter(recipient=alice))
    assert [(n.kind, n.title) for n in notes] == [("new_subscriber", "bob subscribed to you")]
    assert notes[0].emailed_at is None
