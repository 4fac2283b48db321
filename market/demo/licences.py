"""Demo licensing: the demo's published open-licence listings get their declarations (checked and announced
by staff), the demo buyer takes one licence at once, and two licence contracts show the 备案 step (one
recorded, one in effect awaiting its filing). Idempotent: what exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from market.licensing.models import LicenceContract, OpenLicenceDeclaration, RoyaltyMethod
from market.licensing.services import licence_contracts as contracts
from market.licensing.services import open_licences
from market.models import Listing, ListingMode, ListingState, User
from market.rules import open_licence_blockers

DEMO_KEY = "demo-seed-open-licence"
CONTRACT_TARGETS = ("recorded", "effective")


def _owner(users: dict[str, User], organisation_id: int) -> User | None:
    return next((u for u in users.values() if u.organisation_id == organisation_id), None)


def seed_open_licences(users: dict[str, User]) -> int:
    """Declare, check and announce an open licence for each published open-licence listing that has none."""
    staff, made = users["staff"], 0
    listings = (Listing.objects.filter(mode=ListingMode.OPEN_LICENCE, state=ListingState.PUBLISHED,
                                       open_licence_declaration__isnull=True)
                .prefetch_related("patents").order_by("pk"))
    for listing in listings:
        patents = list(listing.patents.all())
        holder = _owner(users, listing.organisation_id)
        if len(patents) != 1 or holder is None or open_licence_blockers(patents[0], holder=listing.organisation):
            continue
        if OpenLicenceDeclaration.objects.filter(patent=patents[0]).exists():
            continue
        with transaction.atomic():
            declaration = open_licences.open_licence_create(
                actor=holder, patent_id=patents[0].pk, royalty_method=RoyaltyMethod.ANNUAL,
                annual_fee=listing.asking_price or Decimal("30000"), licence_years=3,
                scope_note="演示数据：许可条件为示例（演示）")
            open_licences.open_licence_submit(declaration_id=declaration.pk, actor=holder)
            open_licences.open_licence_publish(declaration_id=declaration.pk, actor=staff)
        made += 1
    first = OpenLicenceDeclaration.objects.filter(state="published").order_by("pk").first()
    buyer = users["buyer"]
    if first is not None and not first.licences.filter(licensee=buyer.organisation).exists():
        open_licences.open_licence_take_up(declaration_id=first.pk, actor=buyer, idempotency_key=DEMO_KEY,
                                           notice_confirmed=True)
    return made


def seed_licence_contracts(users: dict[str, User]) -> int:
    """Two negotiated ordinary licences by the demo buyer: one recorded (备案), one awaiting its filing."""
    buyer, staff, made = users["buyer"], users["staff"], 0
    listings = list(Listing.objects.filter(mode=ListingMode.LICENCE, state=ListingState.PUBLISHED)
                    .prefetch_related("patents").order_by("pk")[:len(CONTRACT_TARGETS)])
    for listing, target in zip(listings, CONTRACT_TARGETS, strict=False):
        patent = listing.patents.order_by("pk").first()
        licensor = _owner(users, listing.organisation_id)
        if licensor is None or LicenceContract.objects.filter(patent=patent, licensee=buyer.organisation).exists():
            continue
        start = timezone.localdate()
        end = min(start + relativedelta(years=3) - dt.timedelta(days=1), patent.expiry_date)
        with transaction.atomic():
            contract = contracts.contract_open(
                listing_id=listing.pk, actor=buyer, patent_id=patent.pk, licence_kind="ordinary_licence",
                start_date=start, end_date=end, territory="浙江省", royalty_method=RoyaltyMethod.PERCENTAGE,
                entry_fee=Decimal("20000"), royalty_rate=Decimal("3.00"), period_months=3,
                message="拟在浙江省内实施，按季度结算提成。（演示）")
            contracts.contract_accept(contract_id=contract.pk, actor=licensor)
            contracts.contract_sign(contract_id=contract.pk, actor=licensor)
            contracts.contract_sign(contract_id=contract.pk, actor=buyer)
            contracts.contract_pay(contract_id=contract.pk, actor=buyer, idempotency_key=f"demo-contract-{listing.pk}")
            if target == "recorded":
                contracts.contract_file_record(contract_id=contract.pk, actor=licensor)
                contracts.contract_record(contract_id=contract.pk, actor=staff)
        made += 1
    return made


def seed_licensing(users: dict[str, User]) -> tuple[int, int]:
    """Both of the above; returns (declarations, contracts) created this run."""
    return seed_open_licences(users), seed_licence_contracts(users)
