"""Reasons a rule gives, and the exception a refused operation raises."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Reason:
    """Why an act is refused: a stable code, the rule it comes from, and a bilingual message."""

    code: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class RuleViolation(Exception):
    """A business rule refuses the operation; carries every reason (answered as HTTP 409)."""

    def __init__(self, reasons: list[Reason] | Reason):
        self.reasons = [reasons] if isinstance(reasons, Reason) else list(reasons)
        super().__init__("; ".join(r.message for r in self.reasons))
