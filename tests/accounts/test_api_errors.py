"""Every API error answers the envelope {"detail", "code", "field_errors"} with the right status."""

from __future__ import annotations

import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/users/register"
LOGIN = "/api/v1/users/login"
ME = "/api/v1/users/me"
SECRET = "db password is hunter2"


# A test-only urlconf (this module, via @pytest.mark.urls): the site plus two views that fail.
@api_view(["GET"])
@permission_classes([AllowAny])
def _drf_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


def _django_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET)


urlpatterns = [
    path("api/v1/test-boom", _drf_boom),
    path("api/v1/test-django-boom", _django_boom),
    path("", include("publishing.urls")),
]
handler404 = "publishing.views.page_not_found"
handler500 = "publishing.views.server_error"


def assert_envelope(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"detail", "code", "field_errors"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["field_errors"], dict)
    if code is not None:
        assert body["code"] == code
    return body


def register(api: APIClient, **overrides):
    data = {"email": "dana@example.com", "password": PASSWORD, "username": "dana", "role": "creator"} | overrides
    return api.post(REGISTER, data, format="json")


class TestBadInput:
    def test_malformed_json_is_400(self, api) -> None:
        r = api.post(REGISTER, '{"email": "dana@example.com",', content_type="application/json")
        assert_envelope(r, 400, "parse_error")

    def test_a_missing_field_is_named(self, api) -> None:
        r = api.post(REGISTER, {"email": "dana@example.com", "password": PASSWORD}, format="json")
        body = assert_envelope(r, 400, "invalid")
        assert set(body["field_errors"]) == {"username"}
        assert "username" in body["detail"]

    def test_every_invalid_field_is_named(self, api) -> None:
        r = register(api, email="not-an-email", username="no spaces!", role="admin")
        body = assert_envelope(r, 400)
        assert set(body["field_errors"]) == {"email", "username", "role"}
        assert "letters, digits" in body["field_errors"]["username"]

    def test_a_weak_password_is_a_password_error(self, api) -> None:
        body = assert_envelope(register(api, password="123"), 400, "weak_password")
        assert set(body["field_errors"]) == {"password"}

    def test_a_too_long_bio_is_named(self, api_as, alice) -> None:
        r = api_as(alice).patch(f"/api/v1/users/{alice.pk}", {"bio": "x" * 2001}, format="json")
        assert set(assert_envelope(r, 400)["field_errors"]) == {"bio"}

    def test_login_without_email_names_the_field(self, api) -> None:
        body = assert_envelope(api.post(LOGIN, {"password": "x"}, format="json"), 400)
        assert set(body["field_errors"]) == {"email"}

    def test_a_non_json_body_is_415(self, api) -> None:
        r = api.post(REGISTER, "email=x", content_type="text/plain")
        assert_envelope(r, 415, "unsupported_media_type")


class TestDuplicates:
    """A clash with an existing account is 409 `duplicate`, naming the field."""

    @pytest.mark.parametrize("email", ["alice@example.com", "ALICE@Example.COM"])
    def test_an_email_already_registered(self, api, alice, email) -> None:
        body = assert_envelope(register(api, email=email), 409, "duplicate")
        assert set(body["field_errors"]) == {"email"}

    @pytest.mark.parametrize("username", ["alice", "ALICE"])
    def test_a_username_already_taken(self, api, alice, username) -> None:
        body = assert_envelope(register(api, username=username), 409, "duplicate")
        assert set(body["field_errors"]) == {"username"}

    def test_renaming_to_a_taken_username(self, api_as, alice, bob) -> None:
        r = api_as(bob).patch(f"/api/v1/users/{bob.pk}", {"username": "Alice"}, format="json")
        body = assert_envelope(r, 409, "duplicate")
        assert set(body["field_errors"]) == {"username"}
        bob.refresh_from_db()
        assert bob.username == "bob"


class TestAuthAndPermission:
    def test_wrong_password_is_401(self, api, alice) -> None:
        r = api.post(LOGIN, {"email": "alice@example.com", "password": "wrong"}, format="json")
        assert_envelope(r, 401, "invalid_credentials")
        assert r["WWW-Authenticate"].startswith("Bearer")

    def test_an_unknown_email_answers_like_a_wrong_password(self, api, alice) -> None:
        wrong = api.post(LOGIN, {"email": "alice@example.com", "password": "wrong"}, format="json").json()
        unknown = api.post(LOGIN, {"email": "nobody@example.com", "password": "wrong"}, format="json").json()
        assert wrong == unknown

    def test_editing_without_a_token_is_401(self, api, alice) -> None:
        r = api.patch(f"/api/v1/users/{alice.pk}", {"bio": "x"}, format="json")
        assert_envelope(r, 401, "not_authenticated")
        assert r["WWW-Authenticate"].startswith("Bearer")

    def test_editing_someone_else_is_403(self, api_as, alice, bob) -> None:
        r = api_as(bob).put(f"/api/v1/users/{alice.pk}", {"bio": "x"}, format="json")
        assert_envelope(r, 403, "permission_denied")


class TestNotFound:
    def test_an_unknown_id_is_404(self, api) -> None:
        assert_envelope(api.get("/api/v1/users/00000000-0000-4000-8000-000000000000"), 404, "not_found")

    def test_a_non_uuid_id_is_404(self, api) -> None:
        assert_envelope(api.get("/api/v1/users/42"), 404, "not_found")

    def test_an_unknown_api_url_is_404(self, api) -> None:
        assert_envelope(api.get("/api/v1/no/such/thing"), 404, "not_found")

    def test_a_web_404_stays_a_page(self, client) -> None:
        r = client.get("/no/such/page")
        assert r.status_code == 404
        assert r["Content-Type"].startswith("text/html")


class TestMethodNotAllowed:
    @pytest.mark.parametrize(
        ("method", "url"),
        [("get", LOGIN), ("get", REGISTER), ("delete", ME), ("post", ME), ("get", "/api/v1/users/logout")],
    )
    def test_a_wrong_method_is_405(self, api_as, alice, method, url) -> None:
        r = getattr(api_as(alice), method)(url)
        assert_envelope(r, 405, "method_not_allowed")

    def test_deleting_a_user_is_405(self, api_as, alice) -> None:
        assert_envelope(api_as(alice).delete(f"/api/v1/users/{alice.pk}"), 405)


class TestThrottling:
    @pytest.fixture
    def login_rate(self, settings):
        def set_rates(**rates: str) -> None:
            rf = settings.REST_FRAMEWORK
            settings.REST_FRAMEWORK = {**rf, "DEFAULT_THROTTLE_RATES": {**rf["DEFAULT_THROTTLE_RATES"], **rates}}

        return set_rates

    def test_too_many_logins_from_one_address_is_429_with_retry_after(self, api, alice, login_rate) -> None:
        login_rate(login="2/min")
        for _ in range(2):
            assert (
                api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json").status_code == 200
            )
        r = api.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
        assert_envelope(r, 429, "throttled")
        assert 0 < int(r["Retry-After"]) <= 60

    def test_another_address_is_not_throttled(self, alice, login_rate) -> None:
        login_rate(login="1/min")
        first, second = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
        first.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
        assert first.post(LOGIN, {"email": "a@b.c", "password": "x"}, format="json").status_code == 429
        assert (
            second.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json").status_code == 200
        )

    def test_too_many_registrations_is_429(self, api, login_rate) -> None:
        login_rate(register="1/hour")
        assert register(api).status_code == 201
        r = register(api, email="eve@example.com", username="eve")
        assert_envelope(r, 429, "throttled")
        assert int(r["Retry-After"]) > 60

    def test_failed_guesses_from_many_addresses_lock_the_account(self, alice, bob, settings) -> None:
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "100/m/ip,3/5m/key"}
        for n in range(3):
            guess = APIClient(REMOTE_ADDR=f"10.0.1.{n}")
            r = guess.post(LOGIN, {"email": "alice@example.com", "password": f"guess{n}"}, format="json")
            assert r.status_code == 401
        owner = APIClient(REMOTE_ADDR="10.0.2.1")
        r = owner.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
        assert_envelope(r, 429, "throttled")
        assert r["Retry-After"] == "300"
        assert owner.post(LOGIN, {"email": "bob", "password": PASSWORD}, format="json").status_code == 200


@pytest.mark.urls(__name__)
class TestServerError:
    def test_an_unhandled_error_in_an_api_view_is_a_500_envelope_without_internals(self, caplog) -> None:
        with caplog.at_level(logging.ERROR):
            r = APIClient().get("/api/v1/test-boom")
        body = assert_envelope(r, 500, "server_error")
        assert SECRET not in r.content.decode()
        assert "Traceback" not in r.content.decode()
        assert body["field_errors"] == {}
        logged = [rec for rec in caplog.records if rec.exc_info and SECRET in str(rec.exc_info[1])]
        assert logged, "the error and its stack trace are logged"

    def test_an_error_outside_drf_under_api_is_a_500_envelope(self, db) -> None:
        client = APIClient(raise_request_exception=False)
        r = client.get("/api/v1/test-django-boom")
        assert_envelope(r, 500, "server_error")
        assert SECRET not in r.content.decode()
