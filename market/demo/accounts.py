"""The demo organisations and accounts (invented, marked 演示), and the accounts table seed_demo prints."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from market.industries import Industry
from market.models import OrganisationKind
from market.regions import City

# One password for every demo account; printed by seed_demo (and so by `make run`). Never use in production.
DEMO_PASSWORD = "zjip-demo-2026"
# Names marked （演示） are invented; the credit codes of all demo organisations are generated.
DEMO_NOTE = "【演示数据】统一社会信用代码为生成值 / demo data: the credit code is generated"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    city: str
    is_public_institution: bool = False
    size: str = ""  # an enterprise's size as staff assessed it (EnterpriseSize)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    organisation: str       # DemoOrganisation.key
    display_name: str
    role: str               # what the account demonstrates, 中文 / English


E, B, U, RI = (OrganisationKind.ENTERPRISE, OrganisationKind.BANK, OrganisationKind.UNIVERSITY,
               OrganisationKind.RESEARCH_INSTITUTE)
DEMO_ORGANISATIONS = (
    DemoOrganisation("hz_tech", "杭州云栖智联科技有限公司（演示）", E, City.HANGZHOU, size="small"),
    DemoOrganisation("nb_buyer", "宁波甬江智造科技有限公司（演示）", E, City.NINGBO, size="medium"),
    DemoOrganisation("nb_materials", "宁波北仑新材料有限公司（演示）", E, City.NINGBO, size="small"),
    DemoOrganisation("wz_electric", "温州瓯江电气有限公司（演示）", E, City.WENZHOU, size="micro"),
    DemoOrganisation("sx_pharma", "绍兴越州生物医药有限公司（演示）", E, City.SHAOXING, size="medium"),
    DemoOrganisation("tz_machinery", "台州椒江机电股份有限公司（演示）", E, City.TAIZHOU, size="large"),
    DemoOrganisation("jx_energy", "嘉兴南湖新能源科技有限公司（演示）", E, City.JIAXING, size="small"),
    DemoOrganisation("jh_equipment", "金华婺城智能装备有限公司（演示）", E, City.JINHUA, size="medium"),
    DemoOrganisation("university", "浙江钱塘大学（演示）", U, City.HANGZHOU, is_public_institution=True),
    DemoOrganisation("institute", "浙江甬江材料研究院（演示）", RI, City.NINGBO, is_public_institution=True),
    DemoOrganisation("bank_hz", "钱塘银行杭州分行（演示）", B, City.HANGZHOU),
    DemoOrganisation("bank_nb", "甬江农商银行宁波分行（演示）", B, City.NINGBO),
    DemoOrganisation("centre", "浙江知识产权交易中心", OrganisationKind.TRADING_CENTRE, City.HANGZHOU),
    DemoOrganisation("valuation", "之江资产评估有限公司（演示）", OrganisationKind.VALUATION_AGENCY, City.HANGZHOU),
    # IP finance (finance/demo.py): a risk-sharing scheme's participants and a pool's investor
    DemoOrganisation("insurer", "之江财产保险浙江分公司（演示）", E, City.HANGZHOU, size="large"),
    DemoOrganisation("guarantor", "浙江知识产权融资担保有限公司（演示）", E, City.HANGZHOU, size="large"),
)

DEMO_ACCOUNTS = (
    DemoAccount("holder", "hz_tech", "张经理", "权利人（企业） / Rights holder"),
    DemoAccount("holder_nb", "nb_materials", "陈工", "权利人（企业） / Rights holder"),
    DemoAccount("holder_wz", "wz_electric", "林总", "权利人（企业） / Rights holder"),
    DemoAccount("holder_sx", "sx_pharma", "周博士", "权利人（企业） / Rights holder"),
    DemoAccount("holder_tz", "tz_machinery", "潘经理", "权利人（企业） / Rights holder"),
    DemoAccount("holder_jx", "jx_energy", "沈主管", "权利人（企业） / Rights holder"),
    DemoAccount("holder_jh", "jh_equipment", "吴经理", "权利人（企业） / Rights holder"),
    DemoAccount("buyer", "nb_buyer", "李总", "受让方 / 被许可方 / Buyer, licensee"),
    DemoAccount("university", "university", "钱老师", "高校（公立） / Public university"),
    DemoAccount("institute", "institute", "孙研究员", "科研院所（公立） / Public research institute"),
    DemoAccount("bank", "bank_hz", "王行长", "银行（质权人） / Bank, pledgee"),
    DemoAccount("bank2", "bank_nb", "郑经理", "银行（质权人） / Bank, pledgee"),
    DemoAccount("staff", "centre", "赵审核", "交易中心工作人员 / Trading-centre staff"),
    DemoAccount("valuation", "valuation", "胡评估师", "评估机构 / Valuation agency"),
)

# Which demo organisations hold the KPPatent records of each industry (chosen by a stable hash).
HOLDERS_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    Industry.DIGITAL_ECONOMY: ("hz_tech", "jh_equipment", "university"),
    Industry.NEW_MATERIALS: ("nb_materials", "jx_energy", "institute"),
    Industry.LIFE_HEALTH: ("sx_pharma", "university"),
    Industry.OTHER: ("tz_machinery", "wz_electric", "jh_equipment", "institute"),
}
# Organisations whose accounts list patents (every holder above).
LISTING_ORGANISATIONS = ("hz_tech", "nb_materials", "wz_electric", "sx_pharma", "tz_machinery", "jx_energy",
                         "jh_equipment", "university", "institute")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def accounts_table(rows: list[tuple[str, ...]]) -> str:
    """A plain-text table (CJK characters count double) of ``rows``, the first being the header."""
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
