from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from accounts.models import User


class SignupForm(AllauthSignupForm):
    role = forms.ChoiceField(
        label="I want to",
        choices=[(User.Role.READER, "Read and follow creators"), (User.Role.CREATOR, "Write and publish")],
        initial=User.Role.READER,
        widget=forms.RadioSelect,
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "bio", "avatar"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"bio": "A few lines readers see on your page."}

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.exclude(pk=self.instance.pk).filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username

    def clean_avatar(self):
        from uploads.images import ImageError, verify_image_upload

        avatar = self.cleaned_data.get("avatar")
        if avatar and hasattr(avatar, "content_type"):
            try:
                verify_image_upload(avatar, field="avatar")
            except ImageError as e:
                raise forms.ValidationError(e.message, code=e.code) from e
        return avatar
