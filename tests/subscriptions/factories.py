import factory
from django.utils import timezone

from subscriptions.models import Subscription
from tests.accounts.factories import UserFactory


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """Scenery only; behaviour tests go through subscriptions.services."""

    class Meta:
        model = Subscription

    subscriber = factory.SubFactory(UserFactory)
    creator = factory.SubFactory(UserFactory, role="creator")
    subscribed_at = factory.LazyFunction(timezone.now)
