"""Demo posts for `make run`: long, real-looking articles by ada, grace and linus.

Idempotent: a post whose title its creator already has is skipped. Text is assembled
from per-author sentence banks with a fixed random seed, so every run writes the same.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from typing import TextIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import User
from posts import services
from posts.models import Post

BANKS = {
    "ada": [
        "Software that lasts is rarely clever; it is mostly legible.",
        "Every system I have maintained for more than five years taught me the same lesson: the boring parts win.",
        "A good test suite is a letter to the person who will change this code after you have left.",
        "We argued about frameworks for a week and fixed the real bottleneck, a missing index, in an afternoon.",
        "The cheapest performance work is the query you never send.",
        "Readable error messages are a feature, and they deserve the same review as any other feature.",
        "When a migration goes wrong at three in the morning, nobody remembers how elegant the abstraction was.",
        "I have come to treat every cache as a promise I must be able to break on purpose.",
        "Most outages I have seen started as a small, reasonable change that nobody could roll back quickly.",
        "The on-call rotation is where architecture diagrams meet reality.",
        "Write the runbook while the incident is fresh, even if it is only five lines long.",
        "Dependencies are loans: they pay out today and charge interest every upgrade cycle.",
        "A queue is a way of admitting that some work does not need to happen right now.",
        "Idempotency turns a scary retry into a boring one, and boring is what we want at scale.",
        "Logging everything is easy; logging the one line you will need during an incident is a craft.",
        "The best code review comment I ever received was a question, not an instruction.",
        "Measure before you optimise, and write down what you measured so the next person can repeat it.",
        "Feature flags are wonderful until there are two hundred of them and nobody knows which are still alive.",
        "A single well-named function can save a team a month of confusion.",
        "The database is usually faster than you think and the network is usually slower.",
    ],
    "grace": [
        "The first warm week of spring always tempts me to plant too early.",
        "Good soil smells sweet and earthy; if it smells sour, it needs air more than fertiliser.",
        "I keep a notebook by the back door and write down every sowing date, every frost, every failure.",
        "Tomatoes forgive a great deal, but they never forgive cold nights in their first month.",
        "A small city plot rewards the gardener who plants what the family actually eats.",
        "Compost is patience made visible: kitchen scraps, leaves, time and a little turning.",
        "My grandmother never measured salt; she tasted, waited, and tasted again.",
        "A pot of beans on a Sunday afternoon turns into three lunches and one very good soup.",
        "Herbs want less water and more sun than most beginners give them.",
        "The best tool in my shed is an old kitchen knife that has forgotten it was ever for cooking.",
        "Slugs arrive the night after you plant lettuce, as if they read the calendar too.",
        "Preserving is simply deciding that August should last until February.",
        "I grow a row of flowers between the vegetables, because bees are the real farmers here.",
        "Mulch keeps the moisture in and the weeds down, and it makes the beds look cared for.",
        "Cooking with what is ripe this week is cheaper, tastier and far less work than following a recipe.",
        "The neighbours trade courgettes every August because nobody can eat that many.",
        "Bread rewards attention more than skill: watch the dough, not the clock.",
        "Every failed crop teaches something about light, water or timing.",
        "A cold frame made from an old window extends the season by a month on either side.",
        "Seeds saved from last year carry a little of last summer into this one.",
    ],
    "linus": [
        "The night train left on time, which in this part of the world is worth writing home about.",
        "Small towns reveal themselves slowly, usually through their bakeries and their bus timetables.",
        "I have learned to carry a paper map, because the signal disappears exactly where the road gets interesting.",
        "The conductor checked our tickets with the seriousness of a border guard and the smile of an old friend.",
        "Every station café serves the same coffee, and somehow it always tastes better at dawn.",
        "The valley opened up below the tracks, green and quiet, with a single church spire in the middle.",
        "Travelling slowly means arriving as the same person who left, only a little more curious.",
        "The guesthouse owner drew me a map of the walking paths on the back of a receipt.",
        "Market day turns the square into a theatre of cheese, gossip and argument about the weather.",
        "I wrote this letter on a ferry, with salt on the window and a child asleep across the aisle.",
        "Local buses are the best guided tours, and they cost less than a sandwich.",
        "A town's museum is often one room, one enthusiast and a hundred years of careful labels.",
        "The mountain pass was closed, so we spent an unplanned day playing cards with the innkeeper.",
        "Rain in a foreign city makes every café window an invitation.",
        "I keep my luggage small so that changing plans never feels like a burden.",
        "Timetables tell you when the train leaves; people tell you which seat has the view.",
        "The border crossing took four minutes and a stamp that I will keep forever.",
        "Some of the best meals I have eaten were served in railway station waiting rooms.",
        "Walking into a town at dusk, you see it exactly as the people who live there do.",
        "Slow travel is not a luxury; it is simply choosing to notice the distance.",
    ],
}


@dataclass
class DemoPost:
    author: str
    title: str
    subtitle: str
    tags: list[str]
    sections: list[str]
    code: tuple[str, str] | None = None
    table: list[list[str]] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    cover: tuple[tuple[int, int, int], tuple[int, int, int]] | None = None


POSTS = [
    DemoPost(
        "ada", "The boring parts win", "Notes from a decade of maintaining production systems",
        ["Software", "Operations"],
        ["Why boring wins", "Legibility over cleverness", "The cost of dependencies", "Advice to my younger self"],
        code=("python", 'def retry(fn, attempts=3):\n    """Run fn, retrying on failure; fn must be idempotent."""\n'
              "    for n in range(attempts):\n        try:\n            return fn()\n"
              "        except TimeoutError:\n            if n == attempts - 1:\n                raise\n"),
        table=[["Practice", "Cost", "Pays off after"], ["Runbooks", "An hour", "The first incident"],
               ["Indexes", "Minutes", "The first busy day"], ["Tests", "Days", "The first refactor"]],
        bullets=["Prefer one obvious way", "Keep rollbacks cheap", "Write down what you measured"],
        cover=((33, 80, 140), (120, 200, 220)),
    ),
    DemoPost(
        "ada", "Queues, retries and idempotency", "Turning scary retries into boring ones",
        ["Software", "Architecture"],
        ["What a queue promises", "At-least-once delivery", "Designing idempotent jobs", "Observability"],
        code=("sql", "CREATE UNIQUE INDEX delivery_once\n    ON deliveries (notification_id, recipient_id);\n"),
        table=[["Guarantee", "Meaning", "You must"], ["At most once", "May be lost", "Accept loss"],
               ["At least once", "May repeat", "Be idempotent"]],
        bullets=["Pass ids, not objects", "Enqueue after commit", "Make every job safe to run twice"],
    ),
    DemoPost(
        "ada", "Caches are promises", "How to invalidate with confidence",
        ["Software", "Performance"],
        ["Why we cache", "The invalidation problem", "Versioned keys", "Measuring the win"],
        code=("python", "def invalidate():\n    cache.incr(\"pagecache:version\")\n"),
        bullets=["Measure first", "Cache whole pages for anonymous readers", "Never serve one user's page to another"],
        cover=((90, 40, 120), (230, 160, 90)),
    ),
    DemoPost(
        "grace", "Tomatoes in a small city plot", "A season of sowing, staking and too many sauces",
        ["Gardening", "Food"],
        ["Choosing varieties", "Sowing indoors", "Planting out", "Feeding and watering", "The harvest"],
        table=[["Variety", "Days to harvest", "Best for"], ["Gardener's Delight", "65", "Salads"],
               ["San Marzano", "80", "Sauce"], ["Black Krim", "75", "Slicing"]],
        bullets=["Sow in early March indoors", "Harden off for a week", "Plant deep, stake early", "Pinch side shoots"],
        cover=((180, 40, 40), (250, 200, 80)),
    ),
    DemoPost(
        "grace", "Compost, patiently", "Kitchen scraps, leaves and time",
        ["Gardening"],
        ["Greens and browns", "Turning the heap", "When it is ready", "Using it well"],
        bullets=["Two parts brown to one part green", "Keep it as damp as a wrung-out sponge", "Turn it monthly"],
        table=[["Ingredient", "Type"], ["Vegetable peelings", "Green"], ["Autumn leaves", "Brown"],
               ["Cardboard", "Brown"], ["Grass clippings", "Green"]],
    ),
    DemoPost(
        "grace", "A pot of beans on Sunday", "Three lunches and one very good soup",
        ["Food", "Cooking"],
        ["Soaking and not soaking", "The pot", "Seasoning", "What to do with leftovers"],
        bullets=["500 g dried beans", "1 onion, halved", "2 bay leaves", "Olive oil, salt, patience"],
        code=("text", "Soak overnight → simmer 90 min → salt at the end → rest 20 min\n"),
    ),
    DemoPost(
        "linus", "The night train south", "Letters from a slow journey across three borders",
        ["Travel", "Trains"],
        ["Departure", "The sleeper car", "Dawn at the border", "Arrival"],
        table=[["Leg", "Departs", "Arrives"], ["City → Border", "21:40", "05:10"],
               ["Border → Coast", "06:05", "11:30"]],
        bullets=["Bring a paper map", "Book the lower berth", "Carry small change for the café car"],
        cover=((20, 30, 60), (200, 120, 160)),
    ),
    DemoPost(
        "linus", "Market day in a valley town", "Cheese, gossip and the weather",
        ["Travel", "Food"],
        ["Getting there", "The square", "Conversations", "Leaving"],
        bullets=["Arrive early", "Bring a bag", "Ask before you photograph"],
        code=("text", "Bus 42 · every 2 hours · last one back at 18:15\n"),
    ),
]  # fmt: skip

# How long ago each post (same order as POSTS) came out, in days and hours: a few weeks of writing,
# so the home page, feeds and the analytics chart look lived in.
AGES = [(26, 3), (15, 6), (4, 2), (22, 5), (11, 4), (1, 7), (19, 9), (7, 1)]


def _paragraph(rng: random.Random, bank: list[str]) -> str:
    return " ".join(rng.sample(bank, k=rng.randint(5, 7)))


def _markdown(post: DemoPost, rng: random.Random, image_url: str | None) -> str:
    bank = BANKS[post.author]
    parts = [_paragraph(rng, bank), _paragraph(rng, bank)]
    for i, heading in enumerate(post.sections):
        parts.append(f"## {heading}")
        parts.extend(_paragraph(rng, bank) for _ in range(4))
        if i == 0 and post.bullets:
            parts.append("\n".join(f"- {b}" for b in post.bullets))
        if i == 1 and post.code:
            parts.append(f"```{post.code[0]}\n{post.code[1]}```")
        if i == 1 and image_url:
            parts.append(f"![A picture from “{post.title}”]({image_url})")
        if i == 2 and post.table:
            header, *rows = post.table
            lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(r) + " |" for r in rows]
            parts.append("\n".join(lines))
        if i == 2:
            parts.append(f"> {rng.choice(bank)}")
        parts.append(f"### A note on {heading.lower()}")
        parts.extend(_paragraph(rng, bank) for _ in range(2))
    parts.append("## Thanks for reading")
    parts.append(_paragraph(rng, bank) + " Subscribe if you would like the next one in your inbox.")
    return "\n\n".join(parts) + "\n"


def cover_image(name: str, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> str:
    """A 1200×630 gradient with a few soft shapes, stored through default_storage; returns its name."""
    width, height = 1200, 630
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / (height - 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    rng = random.Random(name)
    for _ in range(6):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(40, 180)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    path = f"covers/demo/{name}.jpg"
    if default_storage.exists(path):
        return path
    return default_storage.save(path, ContentFile(buffer.getvalue()))


def seed(stdout: TextIO) -> list[Post]:
    created: list[Post] = []
    users = {u.username: u for u in User.objects.filter(username__in=BANKS)}
    for number, demo in enumerate(POSTS):
        author = users.get(demo.author)
        if author is None or Post.objects.filter(creator=author, title=demo.title).exists():
            continue
        rng = random.Random(f"{demo.author}-{number}")
        cover = cover_image(f"{demo.author}-{number}", *demo.cover) if demo.cover else None
        inline = default_storage.url(cover) if cover and number % 2 == 0 else None
        post = services.create_post(
            creator=author,
            title=demo.title,
            subtitle=demo.subtitle,
            content=_markdown(demo, rng, inline),
            tags=demo.tags,
        )
        if cover:
            post = services.update_post(post=post, by=author, cover_image=cover)
        days, hours = AGES[number % len(AGES)]
        at = timezone.now() - dt.timedelta(days=days, hours=hours)
        created.append(services.publish_post(post=post, by=author, at=at))
    total = Post.objects.filter(creator__username__in=BANKS, status=Post.Status.PUBLISHED).count()
    stdout.write(f"Demo posts: {len(created)} added, {total} published by {', '.join(BANKS)}.")
    return created
