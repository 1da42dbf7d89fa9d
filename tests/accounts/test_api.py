"""The accounts API table: register, log in, read and edit profiles (/api/v1/users)."""

from __future__ import annotations

import pytest

from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/users/register"
LOGIN = "/api/v1/users/login"
ME = "/api/v1/users/me"


def user_url(user: User) -> str:
    return f"/api/v1/users/{user.pk}"


class TestRegister:
    def test_a_new_creator_gets_201_with_the_public_fields(self, api) -> None:
        r = api.post(
            REGISTER,
            {"email": "dana@example.com", "password": PASSWORD, "username": "dana", "role": "creator"},
            format="json",
        )
        assert r.status_code == 201, r.content
        body = r.json()
        assert set(body) == {"id", "email", "username", "role", "created_at"}
        assert (body["email"], body["username"], body["role"]) == ("dana@example.com", "dana", "creator")
        user = User.objects.get(pk=body["id"])
        assert user.check_password(PASSWORD)
        assert user.role == User.Role.CREATOR

    def test_role_defaults_to_reader(self, api) -> None:
        r = api.post(REGISTER, {"email": "eve@example.com", "password": PASSWORD, "username": "eve"}, format="json")
        assert r.status_code == 201
        assert r.json()["role"] == "reader"

    def test_the_new_account_can_log_in_at_once(self, api) -> None:
        api.post(REGISTER, {"email": "fay@example.com", "password": PASSWORD, "username": "fay"}, format="json")
        r = api.post(LOGIN, {"email": "fay@example.com", "password": PASSWORD}, format="json")
        assert r.status_code == 200


class TestLogin:
    def test_email_and_password_give_a_bearer_token_pair(self, api, alice) -> None:
        r = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["token_type"] == "bearer"
        assert body["access_token"]
        assert body["refresh_token"]
        assert body["expires_in"] > 0
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
        assert api.get(ME).json()["username"] == "alice"

    @pytest.mark.parametrize("login", ["ALICE@Example.com", "alice", "Alice"])
    def test_email_or_username_in_any_case_works(self, api, alice, login) -> None:
        r = api.post(LOGIN, {"email": login, "password": PASSWORD}, format="json")
        assert r.status_code == 200, r.content

    def test_a_deactivated_account_cannot_log_in(self, api, alice) -> None:
        alice.is_active = False
        alice.save()
        r = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
        assert r.status_code == 401
        assert r.json()["code"] == "invalid_credentials"


class TestReadProfile:
    def test_me_returns_my_profile_with_my_email(self, api_as, alice) -> None:
        body = api_as(alice).get(ME).json()
        assert body["id"] == str(alice.pk)
        assert body["email"] == "alice@example.com"
        assert body["bio"] == "I write about gardens."
        assert body["role"] == "creator"
        assert {"created_at", "updated_at"} <= set(body)

    def test_anyone_can_read_a_profile_but_not_its_email(self, api, alice) -> None:
        r = api.get(user_url(alice))
        assert r.status_code == 200
        body = r.json()
        assert (body["username"], body["bio"], body["role"]) == ("alice", "I write about gardens.", "creator")
        assert body["email"] is None
        assert "created_at" in body

    def test_another_user_does_not_see_the_email(self, api_as, alice, bob) -> None:
        assert api_as(bob).get(user_url(alice)).json()["email"] is None

    def test_the_user_themself_and_staff_see_the_email(self, api_as, alice, staff) -> None:
        assert api_as(alice).get(user_url(alice)).json()["email"] == "alice@example.com"
        assert api_as(staff).get(user_url(alice)).json()["email"] == "alice@example.com"

    def test_a_deactivated_user_is_not_found(self, api, alice) -> None:
        alice.is_active = False
        alice.save()
        assert api.get(user_url(alice)).status_code == 404


class TestEditProfile:
    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_i_can_change_my_username_and_bio(self, api_as, alice, method) -> None:
        r = getattr(api_as(alice), method)(user_url(alice), {"username": "alice2", "bio": "Now roses."}, format="json")
        assert r.status_code == 200, r.content
        body = r.json()
        assert {"id", "email", "username", "bio", "role", "updated_at"} <= set(body)
        assert (body["username"], body["bio"], body["email"]) == ("alice2", "Now roses.", "alice@example.com")
        alice.refresh_from_db()
        assert (alice.username, alice.bio) == ("alice2", "Now roses.")

    def test_fields_left_out_are_kept(self, api_as, alice) -> None:
        r = api_as(alice).patch(user_url(alice), {"bio": "Only the bio."}, format="json")
        assert r.json()["username"] == "alice"
        alice.refresh_from_db()
        assert alice.bio == "Only the bio."

    def test_i_may_change_the_case_of_my_own_username(self, api_as, alice) -> None:
        r = api_as(alice).patch(user_url(alice), {"username": "Alice"}, format="json")
        assert r.status_code == 200
        assert r.json()["username"] == "Alice"

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_another_user_gets_403_and_nothing_changes(self, api_as, alice, bob, method) -> None:
        r = getattr(api_as(bob), method)(user_url(alice), {"bio": "hacked"}, format="json")
        assert r.status_code == 403
        assert r.json()["code"] == "permission_denied"
        alice.refresh_from_db()
        assert alice.bio == "I write about gardens."

    def test_staff_cannot_edit_someone_elses_profile_through_the_api(self, api_as, alice, staff) -> None:
        assert api_as(staff).patch(user_url(alice), {"bio": "x"}, format="json").status_code == 403

    def test_the_role_cannot_be_changed_here(self, api_as, bob) -> None:
        r = api_as(bob).patch(user_url(bob), {"role": "creator"}, format="json")
        assert r.status_code == 200
        bob.refresh_from_db()
        assert bob.role == User.Role.READER


class TestQueryCounts:
    @pytest.mark.parametrize("others", [1, 20])
    def test_reading_a_profile_costs_the_same_however_many_users_exist(
        self, api_as, alice, bob, others, django_assert_max_num_queries
    ) -> None:
        UserFactory.create_batch(others)
        client = api_as(bob)
        # The token's session, its user, and the profile: nothing grows with the data.
        with django_assert_max_num_queries(3):
            assert client.get(user_url(alice)).status_code == 200
        with django_assert_max_num_queries(3):
            assert client.get(ME).status_code == 200
