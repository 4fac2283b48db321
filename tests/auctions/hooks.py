"""Settlement hooks the tests register for an auction's source (they record their calls)."""

CALLS: list[tuple] = []


def settled(*, loan_id, proceeds_to_creditor, actor):
    CALLS.append(("settled", loan_id, proceeds_to_creditor, actor))


def failed(*, loan_id, actor, proceeds_to_creditor=None):
    CALLS.append(("failed", loan_id, proceeds_to_creditor, actor))


def refuse(*, loan_id, proceeds_to_creditor, actor):
    from market.rules import Reason, RuleViolation

    raise RuleViolation(Reason("loan_closed", "test", "贷款已结案 / The loan is closed"))
