import factory

from comments.models import Comment
from posts.rendering import render_markdown
from tests.accounts.factories import UserFactory
from tests.posts.factories import PostFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment row, for scenery (threads, query counts). Behaviour tests go through comments.services."""

    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory, published=True)
    user = factory.SubFactory(UserFactory)
    parent = None
    content = factory.Sequence(lambda n: f"Comment number {n}, with *emphasis*.")
    content_html = factory.LazyAttribute(lambda c: render_markdown(c.content, profile="comment"))
    status = Comment.Status.VISIBLE
