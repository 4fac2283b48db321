"""Demo IP finance, made once: a risk-sharing scheme (a public compensation pool, an insurer, a guarantor), a
royalty pledge of a demo licence contract registered with the Hangzhou demo bank, and a securitisation pool
of the other demo licences issued to two investors. Idempotent: what exists is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from market.licensing.models import Licence, LicenceState
from market.models import EnterpriseSize, Organisation, PatentKind, User

from . import pools, receivable_pledges
from .models import ParticipantRole, ReceivablePledge, RiskScheme, SecuritisationPool
from .risk_sharing import scheme_create

SCHEME = "浙江省知识产权质押融资风险补偿（演示）"
POOL = "浙江知识产权许可收益资产支持专项计划1号（演示）"


def _org(name_part: str) -> Organisation | None:
    return Organisation.objects.filter(name__contains=name_part).first()


def seed_scheme(users: dict[str, User]) -> RiskScheme | None:
    if RiskScheme.objects.filter(name=SCHEME).exists():
        return None
    insurer, guarantor = _org("之江财产保险"), _org("知识产权融资担保")
    centre = users["staff"].organisation
    if insurer is None or guarantor is None:
        return None
    terms = settings.FINANCE["RISK_SCHEME_DEFAULTS"]
    members = {ParticipantRole.PUBLIC_POOL: centre, ParticipantRole.INSURER: insurer,
               ParticipantRole.GUARANTOR: guarantor}
    return scheme_create(
        actor=users["staff"], name=SCHEME, max_amount=Decimal(terms["max_amount"]),
        max_rate_percent=Decimal(terms["max_rate_percent"]), industries=[],
        right_kinds=[PatentKind.INVENTION, PatentKind.UTILITY_MODEL],
        holder_sizes=[EnterpriseSize.MICRO, EnterpriseSize.SMALL, EnterpriseSize.MEDIUM],
        premium_rate=Decimal(terms["premium_rate_percent"]) / 100,
        participants=[{"organisation": org.pk, "role": role, "share": Decimal(terms["shares"][role]),
                       "yearly_cap": Decimal(terms["yearly_caps"][role])} for role, org in members.items()])


def seed_receivable_pledge(users: dict[str, User]) -> ReceivablePledge | None:
    """The first demo licence contract's royalties pledged to the Hangzhou demo bank, registered."""
    if ReceivablePledge.objects.exists():
        return None
    licence = (Licence.objects.filter(state=LicenceState.ACTIVE, contract__isnull=False)
               .select_related("licensor").order_by("pk").first())
    licensor = next((u for u in users.values() if licence and u.organisation_id == licence.licensor_id), None)
    if licence is None or licensor is None:
        return None
    with transaction.atomic():
        pledge = receivable_pledges.receivable_pledge_apply(
            actor=licensor, bank_id=users["bank"].organisation_id, licence_ids=[licence.pk], amount="200000",
            rate_percent="4.2", end_date=timezone.localdate() + dt.timedelta(days=730))
        return receivable_pledges.receivable_pledge_register(pledge_id=pledge.pk, actor=users["bank"])


def seed_pool(users: dict[str, User]) -> SecuritisationPool | None:
    """The other demo licences in a pool of 8 quarters, issued: senior to the Ningbo bank, subordinated to the
    insurer."""
    if SecuritisationPool.objects.filter(name=POOL).exists():
        return None
    staff, senior, junior = users["staff"], users["bank2"].organisation, _org("之江财产保险")
    free = list(receivable_pledges.free_licences().order_by("pk")[:5])
    if not free or junior is None:
        return None
    with transaction.atomic():
        pool = pools.pool_create(actor=staff, name=POOL, periods=8, period_months=3, fee_per_period="500")
        pool = pools.pool_add_licences(pool_id=pool.pk, actor=staff, licence_ids=[lic.pk for lic in free])
        value = pools.pool_value(pool)
        pools.pool_set_tranches(pool_id=pool.pk, actor=staff, tranches=[
            {"name": "优先级", "size": str((value * Decimal("0.6")).quantize(Decimal("1"))), "coupon_percent": "3.2",
             "investor": str(senior.pk)},
            {"name": "次级", "size": str((value * Decimal("0.2")).quantize(Decimal("1"))), "coupon_percent": "0",
             "investor": str(junior.pk)}])
        pools.pool_simulate(pool_id=pool.pk, actor=staff)
        return pools.pool_issue(pool_id=pool.pk, actor=staff)


def seed_finance_demo(users: dict[str, User]) -> None:
    seed_scheme(users)
    seed_receivable_pledge(users)
    seed_pool(users)
