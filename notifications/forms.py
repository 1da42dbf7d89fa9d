from __future__ import annotations

from django import forms

from notifications.models import NotificationPreference


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_comments", "email_replies", "email_new_posts", "email_account"]
