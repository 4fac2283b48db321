"""Checks of the production set-up (docker/, settings from the environment), run outside containers."""

import pytest

from .production import Dockerfile, load_compose


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: starts the project's production commands in subprocesses")


@pytest.fixture(scope="session")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="session")
def dockerfile() -> Dockerfile:
    return Dockerfile.read()
