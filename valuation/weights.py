"""The versioned weights of the indicator score.

A version's weights never change once published: a new table is a new version. Each version's
weights sum to 1; the score is Σ weight × indicator score (0-100). Every valuation records the
version it used (``WeightsVersion`` row, seeded by a data migration).

Version 2026.1 follows the three first-level indicators of GB/T 42748-2023 (legal 40%, technical
30%, economic 30%) with the second-level indicators the platform can read from its register.
"""

WEIGHTS: dict[str, dict[str, float]] = {
    "2026.1": {
        # legal value (0.40)
        "legal_status": 0.12,
        "remaining_life": 0.10,
        "claims": 0.06,
        "co_ownership": 0.04,
        "disputes": 0.05,
        "encumbrances": 0.03,
        # technical value (0.30)
        "ipc_breadth": 0.06,
        "forward_citations": 0.08,
        "backward_citations": 0.03,
        "family": 0.06,
        "foreign_filing": 0.03,
        "inventors": 0.04,
        # economic value (0.30)
        "industry": 0.08,
        "licences_transfers": 0.10,
        "implemented": 0.07,
        "holder_record": 0.05,
    },
}


def weights_for(version: str) -> dict[str, float]:
    """The weights of ``version``; KeyError names the known versions."""
    try:
        return WEIGHTS[version]
    except KeyError:
        raise KeyError(f"未知的权重版本 {version!r}（已有：{', '.join(WEIGHTS)}） / "
                       f"Unknown weights version {version!r} (known: {', '.join(WEIGHTS)})") from None
