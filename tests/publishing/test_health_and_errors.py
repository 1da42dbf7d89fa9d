"""Health probes, the request id, and error pages for people and for the API."""

from __future__ import annotations

import logging
import uuid

import dramatiq
import pytest
from django.http import HttpRequest
from django.urls import include, path
from dramatiq.brokers.redis import RedisBroker

from tests.conftest import free_port

pytestmark = pytest.mark.django_db


def boom(request: HttpRequest):
    raise RuntimeError("secret internals: db password is hunter2")


handler404 = "publishing.views.page_not_found"
handler500 = "publishing.views.server_error"
urlpatterns = [path("boom/", boom), path("api/v1/boom/", boom), path("", include("publishing.urls"))]


class TestHealth:
    def test_healthz_answers_without_touching_anything(self, client, django_assert_num_queries) -> None:
        with django_assert_num_queries(0):
            response = client.get("/healthz")
        assert response.json() == {"status": "ok"}

    def test_readyz_reports_every_part_ok(self, client) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert {name: part["status"] for name, part in body["checks"].items()} == {
            "database": "ok",
            "cache": "ok",
            "broker": "ok",
            "storage": "ok",
        }

    def test_a_stopped_cache_makes_readyz_503_and_names_it(self, client, settings) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            }
        }
        response = client.get("/readyz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["cache"]["status"] == "down"
        assert "Connection" in checks["cache"]["error"]
        assert checks["database"]["status"] == "ok"

    def test_a_stopped_broker_makes_readyz_503_and_names_it(self, client) -> None:
        original = dramatiq.get_broker()
        dramatiq.set_broker(RedisBroker(url=f"redis://127.0.0.1:{free_port()}/0"))
        try:
            response = client.get("/readyz")
        finally:
            dramatiq.set_broker(original)
        assert response.status_code == 503
        assert response.json()["checks"]["broker"]["status"] == "down"


class TestRequestId:
    def test_every_response_carries_a_request_id(self, client) -> None:
        first, second = client.get("/"), client.get("/")
        assert uuid.UUID(first["X-Request-ID"]) != uuid.UUID(second["X-Request-ID"])

    def test_a_request_id_from_our_proxy_is_kept(self, client, settings) -> None:
        settings.DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True  # what BEHIND_PROXY=1 sets
        response = client.get("/", headers={"X-Request-ID": "edge-1234"})
        assert response["X-Request-ID"] == "edge-1234"


@pytest.mark.urls("tests.publishing.test_health_and_errors")
class TestErrors:
    def test_a_missing_page_is_friendly_and_in_the_site_design(self, client) -> None:
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        content = response.content.decode()
        assert 'class="nav"' in content  # the site's header and navigation
        assert "Page not found" in content

    def test_a_crash_shows_a_friendly_page_and_hides_internals(self, client, caplog) -> None:
        client.raise_request_exception = False
        with caplog.at_level(logging.ERROR):
            response = client.get("/boom/")
        assert response.status_code == 500
        assert b"hunter2" not in response.content
        assert b"<html" in response.content
        # logged with its stack trace and the request id
        failed = [r for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "request_failed"]
        assert [r.msg["request_id"] for r in failed] == [response["X-Request-ID"]]
        assert failed[0].exc_info[0] is RuntimeError

    def test_an_api_crash_is_the_envelope_without_internals(self, client) -> None:
        client.raise_request_exception = False
        response = client.get("/api/v1/boom/")
        assert response.status_code == 500
        body = response.json()
        assert set(body) == {"detail", "code", "field_errors"}
        assert "hunter2" not in response.content.decode()

    def test_an_unknown_api_url_is_the_envelope(self, client) -> None:
        response = client.get("/api/v1/nothing-here/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
