import factory
from django.utils import timezone

from posts.models import Post
from posts.rendering import render_post
from tests.accounts.factories import UserFactory


class PostFactory(factory.django.DjangoModelFactory):
    """A post row. Use posts.services in tests of behaviour; this is for building scenery."""

    class Meta:
        model = Post

    creator = factory.SubFactory(UserFactory, role="creator")
    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    subtitle = "A subtitle"
    content = "Some **Markdown** text.\n\nA second paragraph."
    content_html = factory.LazyAttribute(lambda p: render_post(p.content).html)
    status = Post.Status.DRAFT

    class Params:
        published = factory.Trait(status=Post.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now))
