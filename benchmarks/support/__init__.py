"""The environment every benchmark runs Django in: the production settings (DEBUG off: no query log),
a throwaway secret key, and plain HTTP for the test client (as behind the TLS-terminating proxy)."""

import os


def prepare_django_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
