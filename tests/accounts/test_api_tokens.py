"""API tokens: refresh rotation, replay detection, logout, expired and forged tokens."""

from __future__ import annotations

import time

import jwt
import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/users/login"
REFRESH = "/api/v1/users/token/refresh"
LOGOUT = "/api/v1/users/logout"
ME = "/api/v1/users/me"


def log_in(user) -> dict:
    r = APIClient().post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert r.status_code == 200, r.content
    return r.json()


def me_status(access_token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    return client.get(ME).status_code


def refresh(refresh_token: str):
    return APIClient().post(REFRESH, {"refresh_token": refresh_token}, format="json")


def assert_401(r, code: str) -> None:
    assert r.status_code == 401, r.content
    assert r.json()["code"] == code
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


class TestRefresh:
    def test_a_refresh_token_gives_a_new_working_pair(self, alice) -> None:
        first = log_in(alice)
        r = refresh(first["refresh_token"])
        assert r.status_code == 200, r.content
        second = r.json()
        assert second["token_type"] == "bearer"
        assert second["refresh_token"] != first["refresh_token"]
        assert me_status(second["access_token"]) == 200
        # Rotation keeps the session: the old access token works until it expires.
        assert me_status(first["access_token"]) == 200

    def test_the_rotated_refresh_token_can_be_refreshed_again(self, alice) -> None:
        second = refresh(log_in(alice)["refresh_token"]).json()
        r = refresh(second["refresh_token"])
        assert r.status_code == 200

    def test_replaying_a_used_refresh_token_ends_the_whole_session(self, alice) -> None:
        first = log_in(alice)
        second = refresh(first["refresh_token"]).json()

        replay = refresh(first["refresh_token"])

        assert_401(replay, "token_reused")
        # The thief and the owner are both out: new and old tokens stop working.
        assert me_status(second["access_token"]) == 401
        assert me_status(first["access_token"]) == 401
        assert_401(refresh(second["refresh_token"]), "token_not_valid")

    def test_replay_leaves_the_users_other_sessions_alone(self, alice) -> None:
        phone = log_in(alice)
        laptop = log_in(alice)
        refresh(phone["refresh_token"])
        refresh(phone["refresh_token"])
        assert me_status(laptop["access_token"]) == 200

    def test_an_access_token_is_not_a_refresh_token(self, alice) -> None:
        assert_401(refresh(log_in(alice)["access_token"]), "token_not_valid")

    def test_a_garbage_refresh_token_is_401(self, db) -> None:
        assert_401(refresh("not-a-token"), "token_not_valid")

    def test_an_expired_refresh_token_is_401(self, alice, settings) -> None:
        settings.HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = -1
        assert_401(refresh(log_in(alice)["refresh_token"]), "token_not_valid")

    def test_a_missing_refresh_token_is_a_field_error(self, db) -> None:
        r = APIClient().post(REFRESH, {}, format="json")
        assert r.status_code == 400
        assert "refresh_token" in r.json()["field_errors"]


class TestLogout:
    def test_logout_stops_the_access_token_at_once(self, alice) -> None:
        tokens = log_in(alice)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")

        assert client.post(LOGOUT).status_code == 204

        assert_401(client.get(ME), "token_not_valid")

    def test_logout_also_stops_the_refresh_token(self, alice) -> None:
        tokens = log_in(alice)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
        client.post(LOGOUT)
        assert_401(refresh(tokens["refresh_token"]), "token_not_valid")

    def test_logout_ends_only_that_session(self, alice) -> None:
        phone, laptop = log_in(alice), log_in(alice)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {phone['access_token']}")
        client.post(LOGOUT)
        assert me_status(laptop["access_token"]) == 200

    def test_logout_without_a_token_is_401(self, api) -> None:
        assert_401(api.post(LOGOUT), "not_authenticated")


class TestBadAccessTokens:
    def test_no_token_is_401_with_www_authenticate(self, api) -> None:
        r = api.get(ME)
        assert_401(r, "not_authenticated")
        assert r.json()["detail"]

    def test_an_expired_access_token_is_401(self, alice, settings) -> None:
        settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = -1
        assert_401(self._get_me(log_in(alice)["access_token"]), "token_not_valid")

    def test_a_token_signed_with_another_key_is_401(self, alice) -> None:
        real = log_in(alice)["access_token"]
        claims = jwt.decode(real, options={"verify_signature": False})
        forged = jwt.encode(claims, "attacker-key-" + "x" * 40, algorithm="HS256")
        assert_401(self._get_me(forged), "token_not_valid")

    def test_an_unsigned_token_is_401(self, alice) -> None:
        claims = jwt.decode(log_in(alice)["access_token"], options={"verify_signature": False})
        claims["exp"] = int(time.time()) + 3600
        unsigned = jwt.encode(claims, None, algorithm="none")
        assert_401(self._get_me(unsigned), "token_not_valid")

    def test_a_tampered_payload_is_401(self, alice, bob) -> None:
        header, _, signature = log_in(alice)["access_token"].split(".")
        bob_claims = jwt.decode(log_in(bob)["access_token"], options={"verify_signature": False})
        payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(bob_claims).encode()).decode()
        assert_401(self._get_me(f"{header}.{payload}.{signature}"), "token_not_valid")

    def test_a_bad_token_is_401_even_on_a_public_read(self, alice) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
        assert_401(client.get(f"/api/v1/users/{alice.pk}"), "token_not_valid")

    def test_a_deactivated_users_token_stops_working(self, alice) -> None:
        tokens = log_in(alice)
        alice.is_active = False
        alice.save()
        assert me_status(tokens["access_token"]) == 401

    def test_changing_the_password_ends_api_sessions(self, alice) -> None:
        tokens = log_in(alice)
        alice.set_password("a whole new passphrase 42")
        alice.save()
        assert me_status(tokens["access_token"]) == 401
        assert refresh(tokens["refresh_token"]).status_code == 401

    @staticmethod
    def _get_me(token: str):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client.get(ME)
