"""docker/: compose.yaml and the Dockerfile refer to real code and settings, and their commands run here.

Docker does not run on the development and CI machines, so the files are parsed and the commands
they give the containers are run outside them (see production.py for the mapping of paths and hosts).
"""

import ast
import importlib
import importlib.util
import json
import re
import socket
import sqlite3
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest
from celery import Celery
from celery.app.utils import find_app
from packaging.requirements import Requirement

from tests.celery_worker import BackgroundProcess, dedicated_broker_url

from .production import (
    APP_SERVICES,
    DOCKER_DIR,
    OPERATOR_ENV,
    REPO,
    Dockerfile,
    effective_command,
    interpolate,
    production_env,
    project_env_names,
    run,
    run_python,
    service_environment,
    to_host_path,
)

# One xdist worker runs this module: the static files are collected once (about 15 s with brotli).
pytestmark = pytest.mark.xdist_group("docker_files")

# TLS ends at the reverse proxy in front of the web container (see the header of compose.yaml): the
# proxy redirects HTTP to HTTPS and sends Strict-Transport-Security, so Django's own redirect
# (security.W008, SECURE_SSL_REDIRECT) and HSTS header (security.W004, SECURE_HSTS_SECONDS) stay off.
ACCEPTED_DEPLOY_WARNINGS: set[str] = set()
CHECK_ID = re.compile(r"\(((?:\w+\.)+[CEWID]\d{3})\)")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def image_argv(argv: list[str], var_dir: Path) -> list[str]:
    return [to_host_path(argument, var_dir) for argument in argv]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- compose.yaml -------------------------------------------------------------------------------------


def test_it_defines_the_production_services(compose):
    services = compose["services"]

    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "elasticsearch"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert re.fullmatch(r"docker\.elastic\.co/elasticsearch/elasticsearch:8\.\d+\.\d+", services["elasticsearch"]["image"])
    assert services["elasticsearch"]["environment"]["discovery.type"] == "single-node"
    assert services["elasticsearch"]["environment"]["xpack.security.enabled"] == "false"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_the_image_of_the_dockerfile(compose, name):
    build = compose["services"][name]["build"]

    assert (DOCKER_DIR / build["context"]).resolve() == REPO
    assert (REPO / build["dockerfile"]).resolve() == DOCKER_DIR / "Dockerfile"


def test_web_serves_the_project_wsgi_application(compose, dockerfile):
    argv = effective_command(compose["services"]["web"], dockerfile)
    entrypoint, command = argv[:2], argv[2:]

    assert entrypoint == ["sh", "/app/docker/entrypoint.sh"]
    assert command[0] == "gunicorn"
    module_name, _, attribute = command[-1].partition(":")
    assert (module_name, attribute) == ("config.wsgi", "application")
    # Importing it builds the middleware (WhiteNoise wants STATIC_ROOT): the slow test below does.
    module = ast.parse(Path(importlib.util.find_spec(module_name).origin).read_text())
    assert attribute in {target.id for node in module.body if isinstance(node, ast.Assign) for target in node.targets}
    config_file = command[command.index("--config") + 1]
    assert (REPO / config_file).is_file()


@pytest.mark.parametrize(("name", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_run_the_project_app(compose, dockerfile, name, subcommand):
    command = effective_command(compose["services"][name], dockerfile)[2:]

    assert command[:4] == ["celery", "-A", "config", subcommand]
    app = find_app("config")
    assert isinstance(app, Celery)
    assert app is importlib.import_module("config.celery").app


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_names_are_read_by_the_project(compose, name):
    names = set(service_environment(compose["services"][name]))

    assert names - project_env_names() == set()
    assert names >= {"DATABASE_URL", "CELERY_BROKER_URL", "SEARCH_BACKEND", "ELASTICSEARCH_URL", "SECRET_KEY",
                     "DEBUG", "ALLOWED_HOSTS", "PUBLIC_BASE_URL"}


def test_app_environment_is_production_and_points_at_the_stack(compose):
    services = compose["services"]
    env = service_environment(services["web"])
    postgres = service_environment(services["postgres"])
    database = dj_database_url.parse(env["DATABASE_URL"])

    assert env["DEBUG"] == "false"
    assert env["SEARCH_BACKEND"] == "elasticsearch"
    assert env["SECRET_KEY"] == OPERATOR_ENV["SECRET_KEY"]
    assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")  # the host the web healthcheck asks for
    assert (database["ENGINE"], database["HOST"], database["PORT"], database["NAME"], database["USER"],
            database["PASSWORD"]) == ("django.db.backends.postgresql", "postgres", 5432, postgres["POSTGRES_DB"],
                                      postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"])
    assert urlsplit(env["CELERY_BROKER_URL"])[:2] == ("redis", "redis:6379")
    assert urlsplit(env["ELASTICSEARCH_URL"])[:2] == ("http", "elasticsearch:9200")
    assert env["MEDIA_ROOT"] in [volume.split(":")[1] for volume in services["web"]["volumes"]]


def test_only_web_migrates(compose):
    services = compose["services"]
    web = service_environment(services["web"])

    assert "MIGRATE_ON_START" not in web
    assert service_environment(services["worker"]) == {**web, "MIGRATE_ON_START": "false"}
    assert service_environment(services["beat"]) == {**web, "MIGRATE_ON_START": "false"}
    assert services["worker"]["depends_on"]["web"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_it_refuses_to_start_without_a_secret(compose, missing):
    shell = {name: value for name, value in OPERATOR_ENV.items() if name != missing}

    with pytest.raises(KeyError, match=missing):
        service_environment(compose["services"]["web"], shell)


def test_services_others_wait_for_have_healthchecks(compose):
    services = compose["services"]
    # beat has no port and no control channel to ask; it restarts on failure.
    assert {name for name, service in services.items() if "healthcheck" not in service} == {"beat"}
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, name
            assert services[dependency]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")


def test_named_volumes_are_declared(compose):
    used = {volume.split(":")[0] for service in compose["services"].values() for volume in service.get("volumes", [])}

    assert used == set(compose["volumes"]) == {"media", "postgres-data", "redis-data", "elasticsearch-data"}


# --- Dockerfile -----------------------------------------------------------------------------------------


def test_dockerfile_builds_on_python_311_slim(dockerfile):
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", dockerfile.all("FROM")[0])


def test_dockerfile_installs_chinese_fonts_and_weasyprint_libraries(dockerfile):
    packages = {word for step in dockerfile.all("RUN") if "apt-get install" in step for word in step.split()}

    assert {"fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"} <= packages


def test_dockerfile_installs_the_project_collects_static_and_drops_root(dockerfile):
    steps = " && ".join(dockerfile.all("RUN"))

    assert "pip install -r /tmp/requirements.txt" in steps
    assert "pip install --no-deps ." in steps
    assert dockerfile.build_step("collectstatic")[1] == ["python", "manage.py", "collectstatic", "--noinput"]
    assert dockerfile.all("USER") == ["zjip"]
    assert dockerfile.all("WORKDIR") == ["/app"]


def test_dockerfile_environment_names_are_read_by_the_project(dockerfile):
    python_runtime = {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR",
                      "PIP_DISABLE_PIP_VERSION_CHECK", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"}

    assert set(dockerfile.env()) - python_runtime <= project_env_names()
    assert dockerfile.env()["VAR_DIR"] == "/var/lib/zjip"


def test_dockerfile_requirements_are_the_projects_dependencies(dockerfile, tmp_path):
    _, argv = dockerfile.build_step("tomllib")
    (tmp_path / "pyproject.toml").write_bytes((REPO / "pyproject.toml").read_bytes())

    result = run([sys.executable, *argv[1:argv.index(">")]], env={}, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    requirements = [Requirement(line) for line in result.stdout.splitlines()]
    assert {requirement.name.lower() for requirement in requirements} >= {"django", "celery", "weasyprint", "gunicorn"}
    assert all(str(requirement.specifier).startswith("==") for requirement in requirements)


def test_build_context_keeps_the_code_and_drops_local_state():
    ignored = {line for line in (DOCKER_DIR / "Dockerfile.dockerignore").read_text().splitlines()
               if line and not line.startswith("#")}

    assert {".git", ".venv", "var"} <= ignored
    needed = {"config", "market", "search", "valuation", "frontend", "manage.py", "pyproject.toml", "docker"}
    assert not needed & ignored


# --- the production commands, run outside containers ---------------------------------------------------


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    """VAR_DIR of the image (/var/lib/zjip) for this module: static files, media, an SQLite database."""
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="module")
def collected_static(var_dir) -> Path:
    """Run the Dockerfile's collectstatic step into ``var_dir``/static."""
    step_env, argv = Dockerfile.read().build_step("collectstatic")
    result = run(image_argv(argv, var_dir), production_env(var_dir, **step_env), timeout=300)
    assert result.returncode == 0, result.stderr
    return var_dir / "static"


@pytest.mark.slow
def test_check_deploy_prints_no_warning(var_dir):
    result = run(["python", "manage.py", "check", "--deploy"], production_env(var_dir))

    assert result.returncode == 0, result.stderr
    assert set(CHECK_ID.findall(result.stdout + result.stderr)) == ACCEPTED_DEPLOY_WARNINGS
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_flags_insecure_cookies(var_dir):
    result = run(["python", "manage.py", "check", "--deploy"], production_env(var_dir, SECURE_COOKIES="false"))

    assert result.returncode == 0, result.stderr
    assert {"security.W012", "security.W016"} <= set(CHECK_ID.findall(result.stdout + result.stderr))


@pytest.mark.slow
def test_collectstatic_writes_the_manifest_and_compressed_files(collected_static):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())["paths"]

    hashed = manifest["admin/css/base.css"]
    assert re.fullmatch(r"admin/css/base\.[0-9a-f]{12}\.css", hashed)
    assert (collected_static / hashed).is_file()
    assert (collected_static / f"{hashed}.gz").is_file()
    assert "rest_framework/css/bootstrap.min.css" in manifest


@pytest.mark.slow
def test_wsgi_application_imports_with_production_settings(var_dir):
    code = ("import config.wsgi; from django.conf import settings; "
            "print(type(config.wsgi.application).__name__, settings.DEBUG, settings.SESSION_COOKIE_SECURE, "
            "settings.STORAGES['staticfiles']['BACKEND'])")

    result = run_python(code, production_env(var_dir))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "WSGIHandler", "False", "True", "whitenoise.storage.CompressedManifestStaticFilesStorage"]


@pytest.mark.slow
def test_celery_report_loads_the_app_with_production_settings(var_dir):
    result = run(["celery", "-A", "config", "report"], production_env(var_dir, service="worker"))

    assert result.returncode == 0, result.stderr
    report = result.stdout.splitlines()
    assert "CELERY_BROKER_URL: 'redis://127.0.0.1:6379/15'" in report
    assert "CELERY_TASK_ALWAYS_EAGER: False" in report
    assert "DEBUG: False" in report
    assert OPERATOR_ENV["SECRET_KEY"] not in result.stdout  # the report masks secrets


@pytest.mark.slow
def test_web_container_migrates_then_serves_pages_and_static_files(compose, dockerfile, collected_static,
                                                                   var_dir, tmp_path):
    port = free_port()
    env = production_env(var_dir, GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    argv = image_argv(effective_command(compose["services"]["web"], dockerfile), var_dir)
    healthcheck = compose["services"]["web"]["healthcheck"]["test"]
    assert healthcheck[0] == "CMD" and "127.0.0.1:8000" in healthcheck[-1]
    healthcheck = [*healthcheck[1:-1], healthcheck[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")]
    hashed = json.loads((collected_static / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]

    web = BackgroundProcess.start(argv, env=env, log_path=tmp_path / "web.log", cwd=REPO)
    try:
        web.wait_for(lambda: run(healthcheck, env).returncode == 0, what="web healthcheck", timeout=120)
        # what the TLS proxy forwards: static files, and pages with HSTS and the Content-Security-Policy
        def behind_proxy(path: str) -> urllib.request.Request:
            return urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})

        with urllib.request.urlopen(behind_proxy(f"/static/{hashed}"), timeout=10) as response:
            assert response.status == 200
            assert "immutable" in response.headers["Cache-Control"]
        with urllib.request.urlopen(behind_proxy("/admin/login/"), timeout=10) as response:
            assert f"/static/{hashed}" in response.read().decode()
            assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        # plain HTTP that did not come through the proxy is sent to HTTPS
        with pytest.raises(urllib.error.HTTPError) as redirected:
            urllib.request.build_opener(NoRedirect).open(f"http://127.0.0.1:{port}/admin/login/", timeout=10)
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"] == f"https://127.0.0.1:{port}/admin/login/"
    finally:
        web.stop()
        print(web.log())

    with sqlite3.connect(var_dir / "db.sqlite3") as database:
        applied = {app for (app,) in database.execute("SELECT DISTINCT app FROM django_migrations")}
    assert {"market", "auth", "sessions"} <= applied


@pytest.mark.slow
@pytest.mark.celery_worker
def test_worker_container_answers_its_healthcheck(compose, dockerfile, var_dir, tmp_path):
    env = production_env(var_dir, service="worker", CELERY_BROKER_URL=dedicated_broker_url(),
                         HOSTNAME=socket.gethostname())
    argv = image_argv(effective_command(compose["services"]["worker"], dockerfile), var_dir)
    kind, healthcheck = compose["services"]["worker"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"

    worker = BackgroundProcess.start(argv, env=env, log_path=tmp_path / "worker.log", cwd=REPO)
    try:
        worker.wait_for(lambda: run(["sh", "-c", interpolate(healthcheck, {})], env).returncode == 0,
                        what="worker healthcheck", timeout=60)
        assert "config.tasks.healthcheck" in worker.log()  # the worker lists the tasks it registered
    finally:
        worker.stop()
        print(worker.log())


@pytest.mark.slow
def test_beat_container_starts_with_its_schedule_in_var_dir(compose, dockerfile, var_dir, tmp_path):
    env = production_env(var_dir, service="beat")
    argv = image_argv(effective_command(compose["services"]["beat"], dockerfile), var_dir)

    beat = BackgroundProcess.start(argv, env=env, log_path=tmp_path / "beat.log", cwd=REPO)
    try:
        beat.wait_for(lambda: "beat: Starting..." in beat.log() and list(var_dir.glob("celerybeat-schedule*")),
                      what="celery beat")
    finally:
        beat.stop()
        print(beat.log())
