"""Settings from the environment: safe refusals, a clean `check --deploy`, EMAIL_URL and the env helpers."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from publishing.env import env_bool, env_float, env_int, env_list, env_str, mailer_from_url

BASE_DIR = Path(django_settings.BASE_DIR)


def run(code_or_args: str | list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Run Python in a clean environment (nothing inherited but PATH), as a server would start."""
    full_env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "publishing.settings", "VAR_DIR": str(tmp_path)}
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=full_env | env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "example.com",
    "SITE_URL": "https://example.com",
    "EMAIL_URL": "smtp://mailer:s3cret@smtp.example.com:587?tls=1",
}


def production_env() -> dict[str, str]:
    return PRODUCTION | {"SECRET_KEY": secrets.token_urlsafe(50)}


class TestStartUp:
    def test_without_a_secret_key_and_debug_off_the_site_refuses_to_start(self, tmp_path) -> None:
        r = run("import django; django.setup()", {"DEBUG": "0"}, tmp_path)
        assert r.returncode != 0
        assert "ImproperlyConfigured" in r.stderr
        assert "SECRET_KEY" in r.stderr

    def test_manage_py_refuses_too(self, tmp_path) -> None:
        r = run(["manage.py", "check"], {}, tmp_path)
        assert r.returncode != 0
        assert "SECRET_KEY" in r.stderr

    def test_the_development_key_is_refused_with_debug_off(self, tmp_path) -> None:
        dev_key = django_settings.DEV_SECRET_KEY
        r = run("import django; django.setup()", {"DEBUG": "0", "SECRET_KEY": dev_key}, tmp_path)
        assert r.returncode != 0
        assert "SECRET_KEY" in r.stderr

    def test_with_debug_on_a_fresh_clone_starts_without_configuration(self, tmp_path) -> None:
        r = run("import django; django.setup()", {"DEBUG": "1"}, tmp_path)
        assert r.returncode == 0, r.stderr

    def test_the_secret_key_can_come_from_a_file(self, tmp_path) -> None:
        key = secrets.token_urlsafe(50)
        (tmp_path / "key").write_text(key + "\n")
        code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
        r = run(code, {"DEBUG": "0", "SECRET_KEY_FILE": str(tmp_path / "key")}, tmp_path)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == key

    def test_a_bad_value_stops_start_up_with_its_name(self, tmp_path) -> None:
        r = run("import django; django.setup()", production_env() | {"SECURE_HSTS_SECONDS": "a year"}, tmp_path)
        assert r.returncode != 0
        assert "SECURE_HSTS_SECONDS='a year' is not a whole number" in r.stderr


class TestDeployCheck:
    def test_check_deploy_is_clean_with_production_settings(self, tmp_path) -> None:
        r = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], production_env(), tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "System check identified no issues" in r.stdout
        assert "WARNING" not in r.stdout + r.stderr

    def test_check_deploy_is_clean_behind_a_tls_terminating_proxy(self, tmp_path) -> None:
        env = production_env() | {"BEHIND_PROXY": "1"}
        r = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], env, tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr

    def test_check_deploy_fails_when_security_is_switched_off(self, tmp_path) -> None:
        # The guard above can fail: turning HSTS off is reported.
        env = production_env() | {"SECURE_HSTS_SECONDS": "0"}
        r = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
        assert r.returncode != 0
        assert "security.W004" in r.stderr + r.stdout

    def test_production_values(self, tmp_path) -> None:
        code = (
            "import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.ALLAUTH_TRUSTED_PROXY_COUNT, "
            "s.REST_FRAMEWORK['NUM_PROXIES'], s.MAILERS['default']['OPTIONS']['host']]))"
        )
        r = run(code, production_env() | {"BEHIND_PROXY": "1"}, tmp_path)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == (
            '[false, true, true, true, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"], 1, 1, "smtp.example.com"]'
        )


class TestEmailUrl:
    def test_smtp_with_starttls_and_credentials(self, tmp_path) -> None:
        mailer = mailer_from_url(
            "smtp://me%40site.com:p%2Fss@mail.example.com:587?tls=1&timeout=5", default_file_path=tmp_path
        )
        assert mailer == {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "mail.example.com",
                "port": 587,
                "username": "me@site.com",
                "password": "p/ss",
                "use_tls": True,
                "use_ssl": False,
                "timeout": 5,
            },
        }

    def test_smtp_defaults_to_port_25_without_tls(self, tmp_path) -> None:
        options = mailer_from_url("smtp://relay.internal", default_file_path=tmp_path)["OPTIONS"]
        assert (options["port"], options["use_tls"], options["use_ssl"], options["username"]) == (25, False, False, "")

    def test_smtps_is_implicit_tls_on_465(self, tmp_path) -> None:
        options = mailer_from_url("smtps://u:p@mail.example.com", default_file_path=tmp_path)["OPTIONS"]
        assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)

    def test_console(self, tmp_path) -> None:
        assert mailer_from_url("console://", default_file_path=tmp_path) == {
            "BACKEND": "django.core.mail.backends.console.EmailBackend"
        }

    def test_file_with_a_path(self, tmp_path) -> None:
        mailer = mailer_from_url("file:///srv/mail%20out", default_file_path=tmp_path)
        assert mailer["BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
        assert mailer["OPTIONS"] == {"file_path": "/srv/mail out"}

    def test_unset_writes_files_a_developer_can_read(self, tmp_path) -> None:
        mailer = mailer_from_url("", default_file_path=tmp_path / "mail")
        assert mailer["OPTIONS"] == {"file_path": str(tmp_path / "mail")}

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("sendgrid://key@x", "not supported"),
            ("smtp://mail.example.com:notaport", "bad port"),
            ("smtp://mail.example.com?timeout=soon", "bad port or timeout"),
            ("smtps://mail.example.com?tls=1", "STARTTLS"),
        ],
    )
    def test_bad_urls_are_refused_at_start_up(self, tmp_path, url, message) -> None:
        with pytest.raises(ImproperlyConfigured, match=message):
            mailer_from_url(url, default_file_path=tmp_path)

    def test_an_smtp_url_delivers_to_a_real_smtp_server(self, settings, smtp_server, tmp_path) -> None:
        settings.MAILERS = {
            "default": mailer_from_url(f"smtp://{smtp_server.host}:{smtp_server.port}", default_file_path=tmp_path)
        }
        mail.send_mail("Hello", "Body", "site@example.com", ["reader@example.com"])
        [message] = smtp_server.to("reader@example.com")
        assert message["Subject"] == "Hello"

    def test_a_file_url_writes_the_message_there(self, settings, tmp_path) -> None:
        settings.MAILERS = {"default": mailer_from_url(f"file://{tmp_path}/out", default_file_path=tmp_path)}
        mail.send_mail("Filed", "Body", "site@example.com", ["reader@example.com"])
        [written] = list((tmp_path / "out").iterdir())
        assert "Subject: Filed" in written.read_text()


class TestEnvHelpers:
    @pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("", False)])
    def test_env_bool_reads_common_spellings(self, monkeypatch, raw, value) -> None:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", default=not value) is value

    def test_unset_values_take_the_default(self, monkeypatch) -> None:
        monkeypatch.delenv("X_UNSET", raising=False)
        assert env_bool("X_UNSET", default=True) is True
        assert env_int("X_UNSET", 7) == 7
        assert env_float("X_UNSET", 1.5) == 1.5
        assert env_list("X_UNSET", ["a"]) == ["a"]
        assert env_str("X_UNSET", "d") == "d"

    @pytest.mark.parametrize(
        ("reader", "raw"), [(env_bool, "maybe"), (env_int, "12.5"), (env_int, "ten"), (env_float, "fast")]
    )
    def test_bad_values_are_improperly_configured_and_named(self, monkeypatch, reader, raw) -> None:
        monkeypatch.setenv("X_BAD", raw)
        with pytest.raises(ImproperlyConfigured, match=f"X_BAD='{raw}'"):
            reader("X_BAD", 0)

    def test_env_list_splits_and_trims(self, monkeypatch) -> None:
        monkeypatch.setenv("X_HOSTS", " example.com, www.example.com ,,")
        assert env_list("X_HOSTS", []) == ["example.com", "www.example.com"]

    def test_a_file_variable_wins_and_is_stripped(self, monkeypatch, tmp_path) -> None:
        (tmp_path / "secret").write_text("from-file\n")
        monkeypatch.setenv("X_SECRET", "from-env")
        monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "secret"))
        assert env_str("X_SECRET") == "from-file"

    def test_an_unreadable_file_variable_is_improperly_configured(self, monkeypatch, tmp_path) -> None:
        monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
        with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
            env_str("X_SECRET")
