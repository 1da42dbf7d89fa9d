"""Re-render every post's Markdown through posts.rendering (run after the renderer changes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from posts import services


class Command(BaseCommand):
    help = "Render every post's Markdown to sanitised HTML again, in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.rerender_all_posts(batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"Re-rendered {count} post{'s' if count != 1 else ''}."))
