from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from posts import editor_urls, feeds, sitemaps, views
from publishing.pagecache import reader_page

app_name = "posts"
urlpatterns = [
    path("", views.home, name="home"),
    path("write/", views.post_write, name="write"),
    path("write/<uuid:pk>/", views.post_edit, name="edit"),
    *editor_urls.urlpatterns,
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        reader_page(sitemap_views.sitemap),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap",
    ),
    path("feed/rss/", reader_page(feeds.LatestPosts()), name="feed_rss"),
    path("feed/atom/", reader_page(feeds.LatestPostsAtom()), name="feed_atom"),
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("tags/<str:slug>/feed/rss/", reader_page(feeds.TagPosts()), name="tag_feed_rss"),
    path("tags/<str:slug>/feed/atom/", reader_page(feeds.TagPostsAtom()), name="tag_feed_atom"),
    path("@<str:username>/feed/rss/", reader_page(feeds.CreatorPosts()), name="creator_feed_rss"),
    path("@<str:username>/feed/atom/", reader_page(feeds.CreatorPostsAtom()), name="creator_feed_atom"),
    path("@<str:username>/<str:slug>/", views.post_detail, name="detail"),
]
