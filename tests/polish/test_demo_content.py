"""What `make run` shows a first-time visitor: conversations, subscriptions, a chart, weeks of posts."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from analytics.models import DailyCreatorStats, DailyPostStats, Event
from comments.models import Comment
from posts.models import Post
from subscriptions.models import Subscription


@pytest.mark.django_db
def test_seed_demo_fills_the_site_once(client):
    call_command("seed_demo", stdout=StringIO())

    comments = Comment.objects.filter(status=Comment.Status.VISIBLE)
    assert comments.count() >= 10
    assert comments.filter(parent__isnull=False).count() >= 5, "a few replies"
    assert comments.values("post").distinct().count() >= 4

    rita_follows = set(
        Subscription.objects.filter(subscriber__username="rita", status="active").values_list(
            "creator__username", flat=True
        )
    )
    assert rita_follows == {"ada", "grace"}

    days = {p.published_at.date() for p in Post.objects.filter(status=Post.Status.PUBLISHED)}
    assert len(days) >= 6, "published over the past weeks, not all today"

    ada_days = DailyCreatorStats.objects.filter(creator__username="ada", views__gt=0)
    assert ada_days.count() >= 20

    def counts():
        return [m.objects.count() for m in (Event, DailyPostStats, Comment, Subscription)]

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before
    assert Post.objects.count() == 8


@pytest.mark.django_db
def test_the_demo_creator_sees_a_chart_and_the_reader_a_discussion(client):
    call_command("seed_demo", stdout=StringIO())
    client.login(username="ada", password="creator-demo-pass")
    html = client.get("/dashboard/analytics/").content.decode()
    bars = re.findall(r'<rect class="chart-bar"[^>]*height="([\d.]+)"', html)
    assert len([h for h in bars if float(h) > 0]) >= 20, "a bar for most of the last 30 days"
    assert "No views in this period yet." not in html

    client.logout()
    post = Post.objects.get(title="The night train south")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Lower berth, always." in html
    assert "The upper berth has the better view" in html
