"""The sides of a deal, named as a page's next-step line names them to the reader (贵方 for its own side)."""

from django.utils.translation import pgettext, pgettext_lazy

ROLE_LABELS = {
    "seller": pgettext_lazy("next step", "转让方"), "buyer": pgettext_lazy("next step", "受让方"),
    "licensor": pgettext_lazy("next step", "许可方"), "licensee": pgettext_lazy("next step", "被许可方"),
    "applicant": pgettext_lazy("next step", "出质人"), "bank": pgettext_lazy("next step", "银行"),
}


def who(roles: list[str] | str, party: str | None) -> str:
    """The sides ``roles`` as the reader of side ``party`` is told of them: 贵方 for its own, else by name."""
    roles = [roles] if isinstance(roles, str) else roles
    return "、".join(pgettext("next step", "贵方") if role == party else str(ROLE_LABELS[role]) for role in roles)
