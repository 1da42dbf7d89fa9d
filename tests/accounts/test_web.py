"""The web side of accounts: sign up, log in, log out, the inline profile edit, becoming a creator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def signup(client, **overrides):
    data = {
        "email": "new@example.com",
        "username": "newbie",
        "password1": "a-long-Passphrase-42",
        "password2": "a-long-Passphrase-42",
        "role": "creator",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


class TestSignUp:
    def test_the_form_offers_the_reader_or_creator_choice_as_a_labelled_group(self, client) -> None:
        response = client.get(reverse("account_signup"))
        assert response.status_code == 200
        content = response.content.decode()
        assert 'value="creator"' in content
        assert 'value="reader"' in content
        assert "<legend>I want to</legend>" in content
        assert '<label for="id_email">' in content

    def test_signing_up_as_a_creator_logs_in_with_that_role(self, client) -> None:
        response = signup(client)
        assert response.status_code == 302
        user = User.objects.get(email="new@example.com")
        assert user.role == User.Role.CREATOR
        assert client.get("/").context["user"] == user

    def test_signing_up_as_a_reader(self, client) -> None:
        signup(client, role="reader")
        assert User.objects.get(username="newbie").role == User.Role.READER

    def test_a_taken_email_is_refused_whatever_its_case_and_the_input_is_kept(self, client, alice) -> None:
        response = signup(client, email="ALICE@example.com", username="someone")
        assert response.status_code == 200
        assert User.objects.filter(username="someone").count() == 0
        content = response.content.decode()
        assert "already" in content.lower()
        assert 'value="someone"' in content  # what the user typed is still there

    def test_a_taken_username_is_refused_whatever_its_case(self, client, alice) -> None:
        response = signup(client, username="ALICE")
        assert response.status_code == 200
        assert not User.objects.filter(email="new@example.com").exists()


class TestLogInAndOut:
    def test_log_in_by_email_or_by_username(self, client, alice) -> None:
        alice.set_password("pw-for-alice-123")
        alice.save()
        for login in ("alice@example.com", "alice"):
            response = client.post(reverse("account_login"), {"login": login, "password": "pw-for-alice-123"})
            assert response.status_code == 302, login
            assert client.get("/").context["user"] == alice
            client.post(reverse("account_logout"))
            assert not client.get("/").context["user"].is_authenticated

    def test_a_wrong_password_says_so_and_keeps_the_login(self, client, alice) -> None:
        response = client.post(reverse("account_login"), {"login": "alice", "password": "nope"})
        assert response.status_code == 200
        assert b"not correct" in response.content or b"incorrect" in response.content.lower()
        assert b'value="alice"' in response.content

    def test_web_login_is_rate_limited_per_account(self, client, alice) -> None:
        alice.set_password("pw-for-alice-123")
        alice.save()
        for _ in range(5):  # ACCOUNT_RATE_LIMITS: 5 failures per account in 5 minutes
            client.post(reverse("account_login"), {"login": "alice", "password": "wrong"})
        response = client.post(reverse("account_login"), {"login": "alice", "password": "pw-for-alice-123"})
        assert response.status_code == 200
        assert b"Too many failed login attempts" in response.content
        assert not client.get("/").context["user"].is_authenticated

    def test_password_reset_sends_a_link_by_email_from_the_worker(self, client, jobs, smtp_server) -> None:
        from tests.accounts.factories import UserFactory

        UserFactory(username="alice", email="alice@example.com")
        client.post(reverse("account_reset_password"), {"email": "alice@example.com"})
        jobs.drain()
        [message] = smtp_server.to("alice@example.com")
        assert "/accounts/password/reset/key/" in message.get_body(("plain",)).get_content()


class TestProfile:
    def test_the_public_profile_shows_bio_and_role(self, client, alice) -> None:
        response = client.get(f"/@{alice.username}/")
        assert response.status_code == 200
        assert b"I write about gardens." in response.content
        assert b"Creator" in response.content

    def test_an_unknown_profile_is_a_friendly_404(self, client) -> None:
        response = client.get("/@nobody-here/")
        assert response.status_code == 404
        assert b"<html" in response.content

    def test_the_htmx_edit_returns_only_the_form(self, client, alice) -> None:
        client.force_login(alice)
        response = client.get(reverse("accounts:profile_edit"), headers={"HX-Request": "true"})
        assert b'id="profile-card"' in response.content
        assert b"<html" not in response.content

    def test_saving_inline_swaps_in_the_updated_card(self, client, alice) -> None:
        client.force_login(alice)
        response = client.post(
            reverse("accounts:profile_edit"),
            {"username": "alice", "bio": "Now about trees."},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert b"Now about trees." in response.content
        assert b"<html" not in response.content
        alice.refresh_from_db()
        assert alice.bio == "Now about trees."

    def test_an_invalid_edit_shows_the_error_and_keeps_the_bio(self, client, alice, bob) -> None:
        client.force_login(alice)
        response = client.post(
            reverse("accounts:profile_edit"),
            {"username": "BOB", "bio": "Typed with care."},
            headers={"HX-Request": "true"},
        )
        content = response.content.decode()
        assert 'aria-invalid="true"' in content or "errorlist" in content
        assert "Typed with care." in content
        alice.refresh_from_db()
        assert alice.username == "alice"

    def test_editing_needs_a_login(self, client) -> None:
        response = client.get(reverse("accounts:profile_edit"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_forms_are_csrf_protected(self, alice) -> None:
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(alice)
        response = strict.post(reverse("accounts:profile_edit"), {"username": "alice", "bio": "x"})
        assert response.status_code == 403


class TestBecomeCreator:
    def test_a_reader_becomes_a_creator_from_settings(self, client, bob) -> None:
        client.force_login(bob)
        assert b"become" in client.get(reverse("accounts:settings")).content.lower()
        response = client.post(reverse("accounts:become_creator"), follow=True)
        bob.refresh_from_db()
        assert bob.role == User.Role.CREATOR
        assert b"You are now a creator" in response.content
