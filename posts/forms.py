"""HTML input parsing for the editor (no logic: posts.services decides)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from django import forms
from django.urls import reverse
from django.utils.html import format_html_join

from posts.models import Post


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("UTC", "UTC"), *[(z, z.replace("_", " ")) for z in zones]]


@cache
def timezone_options_html() -> str:
    """The <option>s of the time-zone select, built once: Django's widget takes ~140 ms for 400+ zones."""
    return format_html_join("", '<option value="{}">{}</option>', timezone_choices())


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class EditorForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, widget=forms.TextInput(attrs={"class": "title-input"}))
    subtitle = forms.CharField(max_length=300, required=False)
    content = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 20}), label="Text (Markdown)")
    tags = forms.CharField(
        max_length=500,
        required=False,
        help_text="Separate tags with commas.",
        widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}),
    )
    comments_enabled = forms.BooleanField(required=False, label="Allow comments")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Autocomplete: HTMX fills the datalist with tags completing the one being typed.
        self.fields["tags"].widget.attrs.update(
            {
                "hx-get": reverse("posts:tag_suggest"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#tag-suggestions",
                "hx-swap": "innerHTML",
            }
        )

    @classmethod
    def for_post(cls, post: Post, data: object = None) -> EditorForm:
        initial = {
            "title": post.title,
            "subtitle": post.subtitle,
            "content": post.content,
            "tags": ", ".join(t.name for t in post.tags.all()),
            "comments_enabled": post.comments_enabled,
            "version": post.version,
        }
        return cls(data, initial=initial) if data is not None else cls(initial=initial)

    def service_kwargs(self) -> dict[str, object]:
        d = self.cleaned_data
        return {
            "title": d["title"].strip(),
            "subtitle": d["subtitle"].strip(),
            "content": d["content"],
            "comments_enabled": d["comments_enabled"],
            "tags": split_tags(d["tags"]),
            "expected_version": d["version"],
        }


class ScheduleForm(forms.Form):
    """A wall-clock time in a chosen zone (editor.js preselects the browser's); stored in UTC."""

    scheduled_for = forms.DateTimeField(
        label="Publish on", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    timezone = forms.ChoiceField(label="Time zone", choices=timezone_choices, initial="UTC")

    def clean(self) -> dict[str, object]:
        data = super().clean()
        when, zone = data.get("scheduled_for"), data.get("timezone")
        if isinstance(when, dt.datetime) and zone:
            data["when_utc"] = when.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)
        return data


class CoverForm(forms.Form):
    cover = forms.FileField(label="Cover image", help_text="JPEG, PNG, GIF or WebP.")
