"""Every page each demo role can reach by following links: no link answers 4xx, no page fails, and a
Chinese page holds no English sentence.

The crawl starts at the role's start page and the header's links and follows every ``<a href>`` of the
site (forms are actions, not links). Pages of one route are visited a few times each (a route with
another query is another page), which keeps the crawl within a minute per role over the demo.
"""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from market.models import User

from ..demo_marketplace import seeded_demo

# One account per kind of user of the demo (market/demo/accounts.py); None is the anonymous visitor.
ROLES = [None, "holder", "buyer", "university", "bank", "staff", "valuation"]
# Visits per route and query keys: enough to meet each state of the demo's objects, bounded
# (CRAWL_PER_ROUTE=100000 crawls every page: about 1,500 a role, some minutes each).
PER_ROUTE = int(os.environ.get("CRAWL_PER_ROUTE", "6"))
NOT_PAGES = ("/admin/", "/api/", "/i18n/", "/static/", "/media/", "/healthz/")
# Two English words in a row: a phrase or a sentence of the English interface.
ENGLISH = re.compile(r"\b[A-Za-z]+(?:'[a-z]+)?\b(?:[ ,;:]+\b[A-Za-z]+(?:'[a-z]+)?\b(?![-\d]))+")
SKIP_TEXT_IN = {"script", "style", "code", "pre", "textarea"}


class Page(HTMLParser):
    """The links and the visible text of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TEXT_IN:
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in SKIP_TEXT_IN and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def route_key(url: str) -> tuple:
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


def crawl(client: Client, starts: list[str]) -> tuple[dict[str, int], dict[str, list[str]], int]:
    """Follow the site's links from ``starts``: (failed links → status, page → English found, pages seen)."""
    queue, seen, per_route = deque(starts), set(starts), Counter()
    failures: dict[str, int] = {}
    english: dict[str, list[str]] = {}
    referrer: dict[str, str] = {}
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code >= 400:
            failures[f"{url} (from {referrer.get(url, 'start')})"] = response.status_code
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = Page()
        page.feed(response.content.decode())
        found = [match for text in page.text for match in ENGLISH.findall(text)]
        if found:
            english[url] = found
        for href in page.links:
            link = urldefrag(href).url
            if not link.startswith("/") or link.startswith("//") or link.startswith(NOT_PAGES) or link in seen:
                continue
            key = route_key(link)
            if per_route[key] >= PER_ROUTE:
                continue
            per_route[key] += 1
            seen.add(link)
            referrer[link] = url
            queue.append(link)
    return failures, english, len(seen)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with seeded_demo(django_db_blocker):
        yield


@pytest.mark.skipif(connection.vendor == "postgresql",
                    reason="pages do not depend on the database engine: the crawl runs once, in the SQLite pass")
@pytest.mark.parametrize("username", ROLES, ids=lambda name: name or "anonymous")
def test_every_reachable_page_opens_and_speaks_chinese_only(demo, db, settings, username):
    settings.LANGUAGE_CODE = "zh-hans"
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if username:
        client.force_login(User.objects.get(username=username))
    starts = ["/", "/me/"] if username else ["/", "/login/"]
    failures, english, pages = crawl(client, starts)
    assert pages > 20
    assert failures == {}
    phrases = {phrase: url for url, found in english.items() for phrase in found}
    assert not phrases, "English on Chinese pages:\n" + "\n".join(f"{url}: {phrase}" for phrase, url in phrases.items())


@pytest.mark.skipif(connection.vendor == "postgresql",
                    reason="pages do not depend on the database engine: checked once, in the SQLite pass")
def test_every_notification_link_of_the_demo_opens_for_its_recipient(demo, db):
    from notifications.models import Notification

    notes = list(Notification.objects.exclude(url="").select_related("recipient"))
    assert len(notes) > 10
    failures = {}
    for note in notes:
        client = Client()
        client.force_login(note.recipient)
        status = client.get(note.url).status_code
        if status >= 400:
            failures[f"{note.recipient.username}: {note.url} ({note.title})"] = status
    assert failures == {}
