"""The environment every benchmark runs Django in: the production settings (DEBUG off: no query log),
a throwaway secret key, and plain HTTP for the test client (as behind the TLS-terminating proxy)."""

import os


def prepare_django_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB: the memory map's high-water mark (VmHWM), which starts
    afresh at exec. ``ru_maxrss`` does not on Linux: a benchmark started from a large process (a test
    worker) would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _on_server(server: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def recreate_database(server: str, name: str) -> None:
    """An empty database ``name`` on the PostgreSQL ``server`` (a URL without the database), dropped first."""
    _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database(server: str, name: str) -> None:
    _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
