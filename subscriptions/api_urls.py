from django.urls import path

from subscriptions import api

urlpatterns = [
    path("creators/<uuid:creator_id>/subscribe", api.SubscribeView.as_view(), name="creator-subscribe"),
    path("creators/<uuid:creator_id>/unsubscribe", api.UnsubscribeView.as_view(), name="creator-unsubscribe"),
    path("creators/<uuid:creator_id>/subscribers", api.CreatorSubscribersView.as_view(), name="creator-subscribers"),
    path("users/<uuid:user_id>/subscriptions", api.UserSubscriptionsView.as_view(), name="user-subscriptions"),
    path("feed", api.FeedView.as_view(), name="feed"),
]
