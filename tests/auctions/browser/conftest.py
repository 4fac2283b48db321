"""The browser fixtures of tests/browser (Debian's Chromium, eager tasks, a temporary media folder)."""

from tests.browser.conftest import _needs_chromium, browser_type_launch_args, eager_tasks, media  # noqa: F401
