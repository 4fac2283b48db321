"""An HTTP node for Elasticsearch-compatible servers that refuse Elasticsearch's versioned media types.

The 8.x client sends ``application/vnd.elasticsearch+json; compatible-with=8`` (``+x-ndjson`` for
bulk) in Accept and Content-Type; osmem-server, the in-memory OpenSearch-compatible server the tests
use, answers 406 to any request with a body, and passing ``headers=`` to the client does not replace
them. This node rewrites them to ``application/json`` / ``application/x-ndjson``. Opt-in only, by
``ELASTICSEARCH_COMPATIBILITY_SERVER=true``: a real Elasticsearch 8 needs no rewriting.
"""

import re

from elastic_transport import Urllib3HttpNode

VERSIONED_MEDIA_TYPE = re.compile(r"application/vnd\.elasticsearch\+([\w-]+)\s*;\s*compatible-with=\d+")
REWRITTEN_HEADERS = ("accept", "content-type")


def plain_media_type(value: str) -> str:
    """``application/vnd.elasticsearch+json; compatible-with=8`` → ``application/json``."""
    return VERSIONED_MEDIA_TYPE.sub(r"application/\1", value)


class CompatibilityServerHttpNode(Urllib3HttpNode):
    """``Urllib3HttpNode`` sending plain JSON media types (for osmem-server and similar test servers)."""

    def perform_request(self, method, target, body=None, headers=None, **kwargs):
        if headers:
            headers = headers.copy()
            for name in REWRITTEN_HEADERS:
                if name in headers:
                    headers[name] = plain_media_type(headers[name])
        return super().perform_request(method, target, body=body, headers=headers, **kwargs)
