"""What the pledge services share: who acts, money and term parsing, notifications of a loan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from market.models import Organisation, User
from market.money import ZERO, cny
from market.pledges.models import PledgeLoan
from market.services.errors import ActionForbidden
from notifications.services import notify

MAX_AMOUNT = Decimal("1e13")
MAX_TERM_MONTHS = 360


def require_party(loan: PledgeLoan, actor: User, *parties: str) -> str:
    """The actor's side ('applicant' or 'bank'); refused unless it is one of ``parties``."""
    party = loan.party_of(actor.organisation)
    if party == "bank" and not actor.organisation.is_bank:
        party = None  # a bank whose verification was withdrawn has no bank powers
    if party is None or party not in parties:
        who = {"applicant": "出质人（申请人）", "bank": "贷款银行"}
        names = "或".join(who[p] for p in parties)
        raise ActionForbidden(f"只有{names}可以执行此操作 / Only the {' or '.join(parties)} may do this")
    return party


def require_staff(actor: User) -> None:
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以执行此操作 / Only trading-centre staff may do this")


def money(value, field: str) -> Decimal:
    """A positive CNY amount, or a field error."""
    try:
        amount = cny(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError({field: ["金额格式不正确 / The amount is not a number"]}) from exc
    if amount <= ZERO:
        raise ValidationError({field: ["金额必须大于0 / The amount must be above 0"]})
    if amount >= MAX_AMOUNT:
        raise ValidationError({field: ["金额超出范围 / The amount is too large"]})
    return amount


def months(value, field: str = "term_months") -> int:
    """A term of 1 to 360 months, or a field error."""
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: ["期限须为整数月 / The term is a whole number of months"]}) from exc
    if not 1 <= number <= MAX_TERM_MONTHS:
        raise ValidationError({field: [f"期限须为1至{MAX_TERM_MONTHS}个月 / The term is 1 to {MAX_TERM_MONTHS} months"]})
    return number


def debt_end(start: dt.date, term_months: int) -> dt.date:
    """End of the debt's performance period: ``term_months`` months after ``start`` (month ends clamp)."""
    return start + relativedelta(months=term_months)


def term_errors(patents, start: dt.date, term_months: int) -> list[str]:
    """Messages for each patent whose term ends before the debt would (registry ground 6, checked as input)."""
    end = debt_end(start, term_months)
    return [f"{p.application_number}：期限届满日 {end:%Y-%m-%d} 晚于专利权期限 {p.expiry_date:%Y-%m-%d} / "
            f"the term would end after the patent expires ({p.expiry_date:%Y-%m-%d})"
            for p in patents if end > p.expiry_date]


def apply_url(*, bank_id: int, listing_id: int) -> str:
    """The application page with a bank and a listing's rights chosen (empty if the frontend is not installed)."""
    try:
        return f"{reverse('frontend:pledges')}?bank={bank_id}&listing={listing_id}"
    except NoReverseMatch:
        return ""


def loan_url(loan: PledgeLoan) -> str:
    """The loan's page (empty if the frontend is not installed)."""
    try:
        return reverse("frontend:pledge_detail", args=[loan.pk])
    except NoReverseMatch:
        return ""


def loan_notify(loan: PledgeLoan, *, event: str, title: str, body: str = "",
                to: list[Organisation] | tuple[Organisation, ...] = ()) -> None:
    """Tell the users of ``to`` about event ``event`` of the loan (once per event key)."""
    notify(key=f"pledge:{loan.pk}:{event}", kind="pledge", title=f"{title}（{loan.number}）", body=body,
           url=loan_url(loan), organisations=to)
