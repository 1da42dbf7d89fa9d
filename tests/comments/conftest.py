import pytest

from tests.posts.factories import PostFactory


@pytest.fixture
def post(alice):
    """Alice's published post, comments open."""
    return PostFactory(creator=alice, published=True, title="Spring planting", slug="spring-planting")
