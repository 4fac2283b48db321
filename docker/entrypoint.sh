#!/bin/sh
# Container entrypoint: apply database migrations, then run the command (gunicorn, celery worker, beat).
# Worker and beat set MIGRATE_ON_START=false and start after web is healthy, so only web migrates.
set -eu

if [ "${MIGRATE_ON_START:-true}" = "true" ]; then
    python manage.py migrate --noinput
fi

exec "$@"
