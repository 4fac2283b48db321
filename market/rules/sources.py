"""The legal source of each refusal, by the rule that gives it and the reason's code.

A reason shows its source beside its message (``Reason.source``: the API's 409 answers and the pages).
Refusals of the platform's own procedure (a step taken twice, out of turn, by the wrong side) have none.
docs/rules.md explains each rule, where the code enforces it and which test proves it.
"""

REGISTRATION = "专利权质押登记办法（2021）不予登记情形第{}项 / Patent Pledge Registration Measures 2021, refusal ground {}"


def _ground(number: int, also: str = "") -> str:
    return REGISTRATION.format(number, number) + (f"; {also}" if also else "")


TERM = "专利法第四十二条 / Patent Law art. 42"
LAPSE = "专利法第四十四条 / Patent Law art. 44"
INVALID = "专利法第四十七条 / Patent Law art. 47"
CO_OWNERS = "专利法第十四条 / Patent Law art. 14"
PLEDGED_RIGHT = "民法典第四百四十四条 / Civil Code art. 444"
SUSPENSION = "专利法实施细则（2023）中止程序、保全 / Implementing Regulations 2023: suspended procedures, preservation"
OPEN_LICENCE = "专利法第五十条、第五十一条，专利法实施细则（2023）第八十六条 / Patent Law arts. 50-51, " \
               "Implementing Regulations 2023 art. 86"
LICENCE_RECORD = "专利实施许可合同备案办法 / Measures for Recording Patent Licence Contracts"
TRANSFER = "专利法第十条 / Patent Law art. 10"
RECEIVABLE_PLEDGE = ("民法典第四百四十条第六项、第四百四十五条第一款，动产和权利担保统一登记办法（2021） / Civil Code arts. "
                     "440(6), 445(1); Measures for the Unified Registration of Movable Property and Rights Security 2021")
RECEIVABLE_TAKEN = "民法典第四百一十四条、第四百四十五条第二款 / Civil Code arts. 414, 445(2)"
RECEIVABLE_SALE = "民法典第五百四十五条、第五百四十六条 / Civil Code arts. 545-546"

# (rule, code) first, then code alone.
LEGAL_SOURCES: dict[tuple[str, str] | str, str] = {
    # the patent's own state, for every act
    "expired": TERM,
    "lapsed": LAPSE,
    "abandoned": LAPSE,
    "invalidated": INVALID,
    "already_terminated": LAPSE,
    "annual_fee_unpaid": "专利法第四十三条，专利法实施细则（2023）年费滞纳期 / Patent Law art. 43, Implementing "
                         "Regulations 2023 (annual fees, grace period)",
    "ownership_dispute": SUSPENSION,
    "court_preservation": SUSPENSION,
    "not_registered_holder": TRANSFER,
    ("abandonment", "not_registered_holder"): LAPSE,
    "co_owner_consent_missing": CO_OWNERS,
    ("transfer", "deposit_after_signing"): PLEDGED_RIGHT,
    "pledged_without_consent": PLEDGED_RIGHT,
    # open licence
    ("open_licence", "not_granted"): OPEN_LICENCE,
    ("open_licence", "not_registered_holder"): OPEN_LICENCE,
    ("open_licence", "annual_fee_unpaid"): OPEN_LICENCE,
    ("open_licence", "ownership_dispute"): OPEN_LICENCE,
    ("open_licence", "court_preservation"): OPEN_LICENCE,
    ("open_licence", "exclusive_licence_in_force"): OPEN_LICENCE,
    ("open_licence", "exclusive_licence_registered"): OPEN_LICENCE,
    "evaluation_report_missing": "专利法第五十条第二款 / Patent Law art. 50(2)",
    # licence by contract
    "open_licence_declared": "专利法第五十一条第三款 / Patent Law art. 51(3)",
    ("licence", "exclusive_licence_in_force"): LICENCE_RECORD,
    ("licence", "exclusive_licence_registered"): LICENCE_RECORD,
    "ordinary_licence_in_force": LICENCE_RECORD,
    "term_past_expiry": f"{LICENCE_RECORD}; {TERM}",
    ("licence", "not_registered_holder"): LICENCE_RECORD,
    # transfer
    "publicity_running": "浙江省促进科技成果转化条例（2021）第十七条 / Zhejiang Regulations on Promoting the "
                         "Transformation of Scientific and Technological Achievements 2021, art. 17",
    "export_registration_missing": "技术进出口管理条例 / Regulations on Technology Import and Export",
    "fee_unpaid": "专利法实施细则（2023）专利费用 / Implementing Regulations 2023: fees",
    # pledge registration: the twelve grounds
    ("pledge", "not_registered_holder"): _ground(1),
    ("pledge", "expired"): _ground(2),
    ("pledge", "lapsed"): _ground(2),
    ("pledge", "invalidated"): _ground(2),
    ("pledge", "abandoned"): _ground(2),
    ("pledge", "not_granted"): _ground(3),
    ("pledge", "annual_fee_unpaid"): _ground(4),
    ("pledge", "ownership_dispute"): _ground(5),
    ("pledge", "court_preservation"): _ground(5),
    "debt_past_expiry": _ground(6),
    "contract_item_missing": _ground(7),
    "forfeiture_clause": _ground(7, "民法典第四百二十八条 / Civil Code art. 428"),
    ("pledge", "co_owner_consent_missing"): _ground(8, CO_OWNERS),
    "already_pledged": _ground(9),
    "same_day_filing": _ground(10),
    "invalidation_pending": _ground(11),
    "other_ground": _ground(12),
    # auctions of pledged patents
    "debtor_cannot_bid": "民法典第四百三十六条 / Civil Code art. 436",
    # licence royalties as collateral, and sold to a securitisation pool
    ("receivable_pledge", "not_licensor"): RECEIVABLE_PLEDGE,
    ("receivable_pledge", "licence_not_in_force"): RECEIVABLE_PLEDGE,
    ("receivable_pledge", "no_future_royalties"): RECEIVABLE_PLEDGE,
    ("receivable_pledge", "receivable_taken"): RECEIVABLE_TAKEN,
    ("pool", "receivable_taken"): RECEIVABLE_TAKEN,
    ("pool", "licence_not_in_force"): RECEIVABLE_SALE,
    ("pool", "no_future_royalties"): RECEIVABLE_SALE,
}


# A registered trademark's reasons (rule ``trademark_<act>``: market/rules/trademark.py).
TM_TERM = "商标法第三十九条、第四十条 / Trademark Law arts. 39-40"
TM_TRANSFER = "商标法第四十二条 / Trademark Law art. 42"
TM_LICENCE = "商标法第四十三条 / Trademark Law art. 43"
TM_PLEDGE = ("民法典第四百四十条、第四百四十四条，注册商标专用权质押登记程序规定（2020） / Civil Code arts. 440, "
             "444; Procedure for Registering Pledges of Registered Trademarks 2020")
TM_CO_OWNERS = "民法典第三百零一条；商标审查审理指南（2021）共有商标（verify） / Civil Code art. 301; Trademark " \
               "Examination Guidelines 2021, co-owned marks (verify)"
TM_SEIZED = "民事诉讼法（查封、冻结）；注册商标专用权质押登记程序规定（2020） / Civil Procedure Law (seizure, " \
            "freezing); Procedure for Registering Pledges of Registered Trademarks 2020"

TRADEMARK_SOURCES: dict[tuple[str, str] | str, str] = {
    "not_registered": TM_TERM,
    "mark_expired": TM_TERM,
    "renewal_too_early": TM_TERM,
    "renewal_too_late": TM_TERM,
    "not_a_mark": TM_TERM,
    "mark_cancelled": "商标法第四十条，商标法实施条例第七十三条 / Trademark Law art. 40, Implementing Regulations art. 73",
    "mark_revoked": "商标法第四十九条 / Trademark Law art. 49",
    "invalidated": "商标法第四十四条、第四十五条 / Trademark Law arts. 44-45",
    "ownership_dispute": TM_SEIZED,
    "court_preservation": TM_SEIZED,
    "co_owner_consent_missing": TM_CO_OWNERS,
    "pledged_without_consent": PLEDGED_RIGHT,
    "not_registered_holder": TM_TRANSFER,
    ("trademark_licence", "not_registered_holder"): TM_LICENCE,
    ("trademark_pledge", "not_registered_holder"): TM_PLEDGE,
    ("trademark_pledge", "mark_expired"): f"{TM_PLEDGE}; {TM_TERM}",
    ("trademark_pledge", "mark_cancelled"): TM_PLEDGE,
    ("trademark_pledge", "mark_revoked"): TM_PLEDGE,
    ("trademark_pledge", "invalidated"): f"{TM_PLEDGE}; 商标法第四十四条、第四十五条 / Trademark Law arts. 44-45",
    ("trademark_pledge", "not_registered"): f"{TM_PLEDGE}; {TM_TERM}",
    ("trademark_pledge", "court_preservation"): TM_PLEDGE,
    ("trademark_pledge", "already_pledged"): "",  # the platform's own procedure: one pledge at a time
    ("trademark_transfer", "companion_mark_missing"): TM_TRANSFER,
    ("trademark_transfer", "mark_similarity_undecided"): TM_TRANSFER,
    ("trademark_pledge", "companion_mark_missing"): TM_PLEDGE,
    ("trademark_pledge", "mark_similarity_undecided"): TM_PLEDGE,
    ("trademark_licence", "exclusive_licence_in_force"): TM_LICENCE,
    ("trademark_licence", "exclusive_licence_registered"): TM_LICENCE,
    ("trademark_licence", "ordinary_licence_in_force"): TM_LICENCE,
    ("trademark_licence", "term_past_expiry"): f"{TM_LICENCE}; {TM_TERM}",
    ("trademark_open_licence", "not_for_marks"): OPEN_LICENCE,
    ("trademark_abandonment", "not_for_marks"): LAPSE,
}


def legal_source(rule: str, code: str) -> str:
    """The law a refusal (``rule``, ``code``) rests on; empty for the platform's own procedure."""
    if rule.startswith("trademark"):
        found = TRADEMARK_SOURCES.get((rule, code))
        return found if found is not None else TRADEMARK_SOURCES.get(code, "")
    return LEGAL_SOURCES.get((rule, code)) or LEGAL_SOURCES.get(code, "")
