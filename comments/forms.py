from __future__ import annotations

from django import forms


class CommentForm(forms.Form):
    # Emptiness and length are the service's rules (one place for web and API); the form only parses.
    content = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    parent = forms.UUIDField(required=False)


class ReportForm(forms.Form):
    reason = forms.CharField(required=False)
