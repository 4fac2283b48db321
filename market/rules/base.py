"""Reasons a rule gives, and the exception a refused operation raises."""

from dataclasses import asdict, dataclass

from .sources import legal_source


@dataclass(frozen=True)
class Reason:
    """Why an act is refused: a stable code, the rule it comes from, and a bilingual message."""

    code: str
    rule: str
    message: str

    @property
    def source(self) -> str:
        """The law the refusal rests on (market/rules/sources.py); empty for the platform's own procedure."""
        return legal_source(self.rule, self.code)

    def as_dict(self) -> dict[str, str]:
        return {**asdict(self), "source": self.source}


def about_patent(patent, reasons: list[Reason]) -> list[Reason]:
    """The reasons, each message prefixed with the patent's application number (a deal may hold several)."""
    return [Reason(r.code, r.rule, f"{patent.application_number}：{r.message}") for r in reasons]


class RuleViolation(Exception):
    """A business rule refuses the operation; carries every reason (answered as HTTP 409)."""

    def __init__(self, reasons: list[Reason] | Reason):
        self.reasons = [reasons] if isinstance(reasons, Reason) else list(reasons)
        super().__init__("; ".join(r.message for r in self.reasons))
