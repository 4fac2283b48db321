"""The OpenAPI schema is the truth: schemathesis generates requests for every operation, as every demo role,
an unverified "bank" and an anonymous visitor, and each answer must be no server error and exactly what the
schema documents (status code, content type, body).

Bounded and repeatable: a fixed number of examples per operation and role, derandomised (Hypothesis derives
its seed from the test), run in process against the demo marketplace inside one rolled-back transaction.
"""

from __future__ import annotations

import collections
import contextlib

from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import headers_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Demo accounts (market/demo/accounts.py) and two outsiders: anonymous, and a "bank" nobody verified.
ROLES = ["anonymous", "holder", "buyer", "university", "bank", "bank2", "staff", "valuation", "unverified_bank"]
POSITIVE_EXAMPLES = 3
# Invalid input is checked as three roles: an anonymous visitor, a member and staff.
NEGATIVE_ROLES = ("anonymous", "holder", "staff")
NEGATIVE_EXAMPLES = 3


def run_operation(operation, *, mode: GenerationMode, examples: int, headers: dict, failures: dict,
                  label: str) -> int:
    """Run ``examples`` generated cases of ``operation``; record each distinct failure; return the cases run."""
    calls = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def check(case):
        nonlocal calls
        calls += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as failure:
            key = (label, operation.label)
            failures.setdefault(key, f"{response.status_code} {case.method} {case.formatted_path}: "
                                     f"{str(failure).splitlines()[0:12]}")

    with contextlib.suppress(Unsatisfiable):  # negative mode: the operation has nothing that can be made invalid
        check()
    return calls


def test_every_operation_answers_what_the_schema_says(api_schema, capsys):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    failures: dict[tuple[str, str], str] = {}
    cases = collections.Counter()
    for role in ROLES:
        headers = headers_for(role)
        for operation in operations:
            cases[role] += run_operation(operation, mode=GenerationMode.POSITIVE, examples=POSITIVE_EXAMPLES,
                                         headers=headers, failures=failures, label=role)
            if role in NEGATIVE_ROLES:
                cases[role] += run_operation(operation, mode=GenerationMode.NEGATIVE, examples=NEGATIVE_EXAMPLES,
                                             headers=headers, failures=failures, label=f"{role} (invalid)")

    with capsys.disabled():
        print(f"\nschemathesis: {len(operations)} operations, {sum(cases.values())} cases "
              f"({', '.join(f'{role} {n}' for role, n in cases.items())}), {len(failures)} failures")
    assert len(operations) >= 150
    assert not failures, "\n".join(f"{key}: {value}" for key, value in failures.items())
