"""Read docker/ (compose.yaml, Dockerfile) and run its commands outside containers.

Paths inside the image map to this checkout: /app is the repository, /var/lib/zjip (VAR_DIR) a
temporary directory. Hosts of the compose network map to services on this machine or to nothing.
"""

import ast
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO / "docker"
APP_DIR_IN_IMAGE = "/app"
VAR_DIR_IN_IMAGE = "/var/lib/zjip"
APP_SERVICES = ("web", "worker", "beat")
# Values for the variables compose.yaml requires (${NAME:?...}): secrets an operator supplies.
OPERATOR_ENV = {
    "SECRET_KEY": "test-only-3q9Zr7vK1mWc8xYp2LsT6nHb4DfJ0gAe5uRiOkVtQwEyXcN",
    "POSTGRES_PASSWORD": "test-only-password",
}

_INTERPOLATION = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        current = env.get(name)
        unset = current is None or (current == "" and op is not None and op.startswith(":"))
        if op and op.endswith("-") and unset:
            return arg
        if op and op.endswith("?") and unset:
            raise KeyError(f"compose.yaml requires {name}: {arg}")
        return current or ""

    return _INTERPOLATION.sub(replace, value)


def load_compose() -> dict:
    return yaml.safe_load((DOCKER_DIR / "compose.yaml").read_text(encoding="utf-8"))


def service_environment(service: dict, env: dict[str, str] | None = None) -> dict[str, str]:
    """A service's environment after substitution (by default with OPERATOR_ENV as the shell)."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    shell = OPERATOR_ENV if env is None else env
    return {name: interpolate(str(value), shell) for name, value in raw.items()}


@dataclass
class Dockerfile:
    """The instructions of docker/Dockerfile, continuation lines joined, comments dropped."""

    instructions: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path = DOCKER_DIR / "Dockerfile") -> "Dockerfile":
        logical, current = [], ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if not current and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.rstrip().endswith("\\"):
                current += line.rstrip()[:-1] + " "
                continue
            logical.append(current + line)
            current = ""
        instructions = []
        for line in logical:
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
        return cls(instructions)

    def all(self, keyword: str) -> list[str]:
        return [arguments for name, arguments in self.instructions if name == keyword]

    def exec_form(self, keyword: str) -> list[str]:
        """The last ENTRYPOINT or CMD, which must be in exec (JSON) form."""
        return json.loads(self.all(keyword)[-1])

    def build_step(self, needle: str) -> tuple[dict[str, str], list[str]]:
        """The ``&&``-separated RUN step containing ``needle``: its leading NAME=value pairs and argv."""
        for arguments in self.all("RUN"):
            for step in arguments.split("&&"):
                if needle in step:
                    words = shlex.split(step)
                    env = {}
                    while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):
                        name, value = words.pop(0).split("=", 1)
                        env[name] = value
                    return env, words
        raise LookupError(f"no RUN step of the Dockerfile contains {needle!r}")

    def env(self) -> dict[str, str]:
        values = {}
        for arguments in self.all("ENV"):
            values.update(pair.split("=", 1) for pair in shlex.split(arguments))
        return values


def effective_command(service: dict, dockerfile: Dockerfile) -> list[str]:
    """What the container runs: the Dockerfile's ENTRYPOINT followed by the command or CMD."""
    command = service.get("command", dockerfile.exec_form("CMD"))
    if isinstance(command, str):
        command = shlex.split(command)
    return [*dockerfile.exec_form("ENTRYPOINT"), *command]


def python_env_names(path: Path) -> set[str]:
    """Names a Python file reads with os.environ.get / os.environ[...] / os.getenv / env_bool / env_int."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in ("os.environ.get", "os.getenv", "env_bool", "env_int", "os.environ.setdefault"):
                names.add(node.args[0].value)
        elif (isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
              and isinstance(node.slice, ast.Constant)):
            names.add(node.slice.value)
    return names


def shell_env_names(path: Path) -> set[str]:
    return set(re.findall(r"\$\{?([A-Za-z_]\w*)", path.read_text(encoding="utf-8")))


def project_env_names() -> set[str]:
    """Every variable the image's processes read: settings, the entrypoint, gunicorn's config."""
    return (python_env_names(REPO / "config" / "settings.py")
            | python_env_names(DOCKER_DIR / "gunicorn.conf.py")
            | shell_env_names(DOCKER_DIR / "entrypoint.sh"))


def settings_env_names() -> set[str]:
    return python_env_names(REPO / "config" / "settings.py")


def to_host_path(value: str, var_dir: Path) -> str:
    """Map image paths in a value (an argument, a variable) onto this checkout and a temporary VAR_DIR."""
    value = value.replace(VAR_DIR_IN_IMAGE, str(var_dir))
    return re.sub(rf"(^|[=:\s]){re.escape(APP_DIR_IN_IMAGE)}(?=/|$|[:\s])", rf"\g<1>{REPO}", value)


# Set for the test run (browser tests need it), never in a deployment: `check --deploy` refuses it.
TEST_ONLY_ENV = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the settings' variables nor test-only ones, the venv first on PATH."""
    dropped = settings_env_names() | TEST_ONLY_ENV
    env = {name: value for name, value in os.environ.items() if name not in dropped}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def production_env(var_dir: Path, service: str = "web", **overrides: str) -> dict[str, str]:
    """The image's and the compose service's environment, paths and network hosts mapped onto this machine.

    The database becomes SQLite in ``var_dir``, the broker a local Redis and Elasticsearch a local
    address with nothing behind it: the commands checked here must start without reaching them.
    """
    env = clean_env()
    image_and_service = {**Dockerfile.read().env(), **service_environment(load_compose()["services"][service])}
    env.update({name: to_host_path(value, var_dir) for name, value in image_and_service.items()})
    env.update(
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/15",
        ELASTICSEARCH_URL="http://127.0.0.1:9",
    )
    env.update(overrides)
    return env


def run(argv: list[str], env: dict[str, str], timeout: float = 120, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run a command to completion from the repository root (or ``cwd``), output captured as text."""
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", code], env)
