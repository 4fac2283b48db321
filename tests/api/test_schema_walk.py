"""Every GET of the API over the demo's real objects, as every role: each answer matches the schema, and no
field prints a Python internal (a repr such as ``<… object at 0x…>``).

Fuzzing (test_schema_fuzz.py) rarely guesses an id that exists; this walk reads each list and opens the
first objects it shows, with every read-only action on them.
"""

from __future__ import annotations

import re

from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import headers_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["anonymous", "holder", "buyer", "university", "institute", "bank", "staff", "valuation", "unverified_bank"]
OBJECTS_PER_LIST = 4
INTERNALS = re.compile(r"<[\w.]+ object at 0x|<method-wrapper|<bound method|<function |\bNoneType\b")


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_every_read_of_the_demo_matches_the_schema(api_schema):
    reads = [result.ok() for result in api_schema.get_all_operations() if result.ok().method.upper() == "GET"]
    lists = [op for op in reads if "{" not in op.path]
    details = [op for op in reads if "{" in op.path]
    failures: dict[str, str] = {}
    opened = 0

    def check(operation, headers, **path_parameters):
        case = operation.Case(path_parameters=path_parameters or None)
        response = case.call(headers=headers)
        label = f"{operation.method.upper()} {case.formatted_path}"
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as failure:
            failures.setdefault(label, f"{response.status_code}: {str(failure).splitlines()[:12]}")
        if response.headers.get("Content-Type", [""])[0].startswith("application/json"):
            leaked = [text for text in strings(response.json()) if INTERNALS.search(text)]
            if leaked:
                failures.setdefault(label, f"Python internals in the answer: {leaked[:3]}")
        return response

    for role in ROLES:
        headers = headers_for(role)
        for listing in lists:
            response = check(listing, headers)
            if response.status_code != 200 or not isinstance(response.json(), dict):
                continue
            rows = response.json().get("results", [])[:OBJECTS_PER_LIST]
            for detail in details:
                base, _, rest = detail.path.partition("{")
                if base != listing.path or rest.count("{"):
                    continue
                key = rest.split("}", 1)[0]
                for row in rows:
                    if key in row:
                        check(detail, headers, **{key: row[key]})
                        opened += 1

    assert opened > 500
    assert not failures, "\n".join(f"{key}: {value}" for key, value in failures.items())
