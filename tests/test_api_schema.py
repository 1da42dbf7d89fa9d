"""The OpenAPI schema at /api/v1/schema/ and the Swagger UI at /api/v1/docs/, with local assets only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

USER_OPERATIONS = {
    ("/api/v1/users/register", "post"): {"201", "400", "409", "429"},
    ("/api/v1/users/login", "post"): {"200", "400", "401", "429"},
    ("/api/v1/users/token/refresh", "post"): {"200", "400", "401", "429"},
    ("/api/v1/users/logout", "post"): {"204", "401"},
    ("/api/v1/users/me", "get"): {"200", "401"},
    ("/api/v1/users/{id}", "get"): {"200", "401", "404"},
    ("/api/v1/users/{id}", "put"): {"200", "400", "401", "403", "404", "409"},
    ("/api/v1/users/{id}", "patch"): {"200", "400", "401", "403", "404", "409"},
}


@pytest.fixture
def schema(client) -> dict:
    r = client.get("/api/v1/schema/", {"format": "json"})
    assert r.status_code == 200
    return r.json()


class TestSchema:
    def test_the_generator_finds_no_warnings_or_errors(self, tmp_path: Path) -> None:
        # Same as `manage.py spectacular --validate --fail-on-warn`: any warning fails.
        out = tmp_path / "schema.yml"
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
        assert out.read_text().startswith("openapi: 3.")

    def test_every_users_operation_documents_its_errors_as_the_envelope(self, schema) -> None:
        for (path, method), statuses in USER_OPERATIONS.items():
            responses = schema["paths"][path][method]["responses"]
            assert statuses <= set(responses), (path, method, set(responses))
            for status in statuses:
                if status.startswith("4"):
                    ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorEnvelope", (path, method, status)

    def test_the_envelope_has_detail_code_and_field_errors(self, schema) -> None:
        envelope = schema["components"]["schemas"]["ErrorEnvelope"]
        assert set(envelope["required"]) == {"detail", "code", "field_errors"}

    def test_tokens_are_documented_as_bearer_jwt(self, schema) -> None:
        assert schema["components"]["securitySchemes"]["bearerAuth"] == {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
        }
        assert {"bearerAuth": []} in schema["paths"]["/api/v1/users/me"]["get"]["security"]


def _local_asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


class TestDocsPage:
    def test_swagger_ui_loads_only_local_static_files(self, client) -> None:
        r = client.get("/api/v1/docs/")
        assert r.status_code == 200
        html = r.content.decode()
        assert "swagger-ui" in html
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html), "no CDN or other host"
        urls = _local_asset_urls(html)
        static = [u for u in urls if u.startswith("/static/")]
        assert {"swagger-ui-bundle.js", "swagger-ui.css"} <= {u.rsplit("/", 1)[-1] for u in static}
        for url in static:
            assert finders.find(url.removeprefix("/static/")), f"{url} is not a packaged static file"
        # Everything else is the page's own start-up script on the same path.
        assert [u for u in urls if not u.startswith("/static/")] == ["/api/v1/docs/?script="]

    def test_the_page_needs_no_inline_script_under_the_csp(self, client) -> None:
        r = client.get("/api/v1/docs/")
        assert "script-src 'self'" in r["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.content.decode()), "inline <script> is blocked"
        script = client.get("/api/v1/docs/?script=")
        assert script.status_code == 200
        assert script["Content-Type"].startswith("application/javascript")
        assert "/api/v1/schema/" in script.content.decode()


@pytest.mark.browser
def test_swagger_ui_renders_the_operations_in_a_real_browser(live_server, page) -> None:
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("requestfailed", lambda req: problems.append(f"failed: {req.url}"))
    outside: list[str] = []
    page.on("request", lambda req: req.url.startswith(live_server.url) or outside.append(req.url))

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.get_by_text("/api/v1/users/login").first.wait_for(timeout=15_000)

    assert outside == []
    assert problems == []
