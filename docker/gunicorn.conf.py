"""Gunicorn settings for the web container (the Dockerfile's CMD); each can be changed by environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Requests for documents render nothing (the worker does), so the default sync workers fit.
accesslog = "-"
errorlog = "-"
# The reverse proxy in front of the container terminates TLS and sets X-Forwarded-*.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
