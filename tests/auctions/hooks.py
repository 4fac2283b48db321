"""Settlement hooks the tests register for an auction's source (they record their calls)."""

CALLS: list[tuple] = []


def settled(*, source_id, proceeds_to_creditor, actor):
    CALLS.append(("settled", source_id, proceeds_to_creditor, actor))


def failed(*, source_id, actor, proceeds_to_creditor=None):
    CALLS.append(("failed", source_id, proceeds_to_creditor, actor))


def refuse(*, source_id, proceeds_to_creditor, actor):
    from market.rules import Reason, RuleViolation

    raise RuleViolation(Reason("loan_closed", "test", "贷款已结案 / The loan is closed"))
