"""config/settings.py read from the environment: the embedded default, production, and refused values.

Settings are loaded once per process, so every case but env_bool itself runs in a subprocess and
leaves the settings of this test process untouched.
"""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool

from .production import clean_env, run_python

SHOW_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
from config.celery import app
database = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": database["ENGINE"],
    "DATABASE_NAME": str(database["NAME"]),
    "CONN_MAX_AGE": database["CONN_MAX_AGE"],
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
    "app_task_always_eager": app.conf.task_always_eager,
    "SEARCH_BACKEND": settings.SEARCH_BACKEND,
    "STATIC_ROOT": str(settings.STATIC_ROOT),
    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "STATICFILES_BACKEND": settings.STORAGES["staticfiles"]["BACKEND"],
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_PROXY_SSL_HEADER": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "PASSWORD_VALIDATORS": len(settings.AUTH_PASSWORD_VALIDATORS),
}))
"""


def load_settings(var_dir, **env: str):
    return run_python(SHOW_SETTINGS, clean_env(DJANGO_SETTINGS_MODULE="config.settings", VAR_DIR=str(var_dir), **env))


def settings_with(var_dir, **env: str) -> dict:
    result = load_settings(var_dir, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        pytest.param("true", False, True, id="true_case"),
        pytest.param("TRUE", False, True, id="upper_case"),
        pytest.param("1", False, True, id="one_case"),
        pytest.param("false", True, False, id="false_case"),
        pytest.param("False", True, False, id="capitalised_case"),
        pytest.param("0", True, False, id="zero_case"),
        pytest.param("", True, True, id="empty_gives_default_case"),
        pytest.param("", False, False, id="empty_gives_default_false_case"),
    ],
)
def test_env_bool_accepts_true_and_false(monkeypatch, value, default, expected):
    monkeypatch.setenv("ZJIP_TEST_FLAG", value)

    assert env_bool("ZJIP_TEST_FLAG", default) is expected


def test_env_bool_gives_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("ZJIP_TEST_FLAG", raising=False)

    assert env_bool("ZJIP_TEST_FLAG", True) is True
    assert env_bool("ZJIP_TEST_FLAG", False) is False


@pytest.mark.parametrize("value", ["yes", "no", "on", "off", "2", "t"])
def test_env_bool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("ZJIP_TEST_FLAG", value)

    with pytest.raises(ImproperlyConfigured, match=f"^ZJIP_TEST_FLAG must be true or false, not '{value}'$"):
        env_bool("ZJIP_TEST_FLAG", False)


@pytest.mark.slow
def test_nothing_set_is_not_debug_and_asks_for_a_secret_key(tmp_path):
    result = load_settings(tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is false" in result.stderr


@pytest.mark.slow
def test_embedded_default_needs_no_service(tmp_path):
    loaded = settings_with(tmp_path, DEBUG="true")

    assert loaded == {
        "DEBUG": True,
        "ENGINE": "django.db.backends.sqlite3",
        "DATABASE_NAME": str(tmp_path / "db.sqlite3"),
        "CONN_MAX_AGE": 0,
        "CELERY_TASK_ALWAYS_EAGER": True,
        "CELERY_RESULT_BACKEND": None,
        "app_task_always_eager": True,
        "SEARCH_BACKEND": "database",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_PROXY_SSL_HEADER": None,
        "PASSWORD_VALIDATORS": 4,
    }


@pytest.mark.slow
def test_a_broker_turns_eager_tasks_off(tmp_path):
    loaded = settings_with(tmp_path, DEBUG="true", CELERY_BROKER_URL="redis://127.0.0.1:6379/3")

    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False
    assert loaded["app_task_always_eager"] is False
    assert loaded["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/3"


@pytest.mark.slow
def test_production_settings(tmp_path):
    loaded = settings_with(
        tmp_path, DEBUG="false", SECRET_KEY="a-long-production-secret-key-from-the-environment",
        DATABASE_URL="postgresql://zjip:secret@db.internal:5432/zjip", SEARCH_BACKEND="elasticsearch",
        MEDIA_ROOT=str(tmp_path / "shared-media"),
    )

    assert {key: loaded[key] for key in ("DEBUG", "ENGINE", "DATABASE_NAME", "SEARCH_BACKEND", "MEDIA_ROOT",
                                         "STATICFILES_BACKEND", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                                         "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")} == {
        "DEBUG": False,
        "ENGINE": "django.db.backends.postgresql",
        "DATABASE_NAME": "zjip",
        "SEARCH_BACKEND": "elasticsearch",
        "MEDIA_ROOT": str(tmp_path / "shared-media"),
        "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


@pytest.mark.slow
def test_the_proxy_header_is_trusted_only_when_configured(tmp_path):
    production = {"DEBUG": "false", "SECRET_KEY": "a-long-production-secret-key-from-the-environment"}

    assert settings_with(tmp_path, **production)["SECURE_PROXY_SSL_HEADER"] is None
    assert settings_with(tmp_path, **production, TRUST_X_FORWARDED_PROTO="true")["SECURE_PROXY_SSL_HEADER"] == [
        "HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = load_settings(tmp_path, DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is false" in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
def test_it_refuses_a_debug_value_that_is_not_true_or_false(tmp_path):
    result = load_settings(tmp_path, DEBUG="yes")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be true or false, not 'yes'" in result.stderr
