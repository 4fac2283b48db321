"""Open licences (开放许可; Patent Law arts. 50-52): declare, check, publish, take up in one step, withdraw.

The holder drafts a declaration (co-owners and pledgees record their consent to it), submits it;
trading-centre staff check it and publish it with a (simulated) CNIPA announcement. While it
stands, the register shows it, the annual fee is reduced, and any verified organisation takes an
ordinary licence in one step: confirm the written notice and pay. Withdrawal is announced and
leaves the licences already granted as they are. Take-up and withdrawal both lock the
declaration's row, so a take-up racing a withdrawal completes before it or is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from market import locks
from market.access import require_counterparty
from market.documents.pdf import pdf_has_pages, sha256_hex
from market.fees import AnnualFeeRow, annual_fee_schedule
from market.licensing import locks as licence_locks
from market.licensing.models import Licence, LicenceKind, LicenceState, OpenLicenceDeclaration, OpenLicenceState
from market.models import (
    Consent,
    ConsentPurpose,
    DocumentKind,
    Encumbrance,
    EncumbranceKind,
    Listing,
    ListingMode,
    ListingState,
    Patent,
    TransitionLog,
    User,
)
from market.money import format_cny
from market.rules import Reason, RuleViolation, about_patent, open_licence_blockers, open_licence_take_up_blockers
from market.services.consents import consent_give
from market.services.documents import document_request
from market.services.errors import ActionForbidden, IdempotencyConflict, require_reason, state_refusal
from market.services.transitions import apply_transition
from market.signals import listing_changed

from .royalties import clean_royalty_terms, initial_payment, licence_grant, pay_period_locked

RULE = "open_licence"
# Collected on the draft after it is saved (consents attach to the declaration), so a draft is not refused for them.
DRAFT_STAGE_CODES = {"co_owner_consent_missing", "pledged_without_consent", "evaluation_report_missing"}
# A declaration still being prepared or checked (at most one per patent).
IN_PROGRESS = (OpenLicenceState.DRAFT, OpenLicenceState.SUBMITTED, OpenLicenceState.REJECTED)
MAX_LICENCE_YEARS = 20


# -- checks ----------------------------------------------------------------------------------------
def declaration_blockers(declaration: OpenLicenceDeclaration) -> list[Reason]:
    """Every reason the declaration may not stand now (its own consents and report count)."""
    return open_licence_blockers(declaration.patent, holder=declaration.holder, deal=declaration,
                                 has_evaluation_report=bool(declaration.evaluation_report))


def evaluation_report_errors(upload: UploadedFile) -> list[str]:
    """Why ``upload`` is not an acceptable evaluation report: too large, or not a readable PDF with pages."""
    limit = int(settings.MARKET["EVALUATION_REPORT_MAX_BYTES"])
    if upload.size > limit:
        return [f"评价报告不得超过 {limit // (1024 * 1024)} MB / The report may not exceed {limit // (1024 * 1024)} MB"]
    return [] if pdf_has_pages(upload) else [
        "评价报告须为可读取的 PDF 文件（至少一页，未加密） / The evaluation report must be a readable, unencrypted PDF "
        "with at least one page"]


def _store_report(declaration: OpenLicenceDeclaration, upload: UploadedFile) -> None:
    if errors := evaluation_report_errors(upload):
        raise ValidationError({"evaluation_report": errors})
    replaced = declaration.evaluation_report.name if declaration.evaluation_report else None
    declaration.evaluation_report_sha256 = sha256_hex(upload.chunks())
    upload.seek(0)
    declaration.evaluation_report.save(f"evaluation-report-{declaration.pk}.pdf", upload, save=False)
    if replaced and replaced != declaration.evaluation_report.name:
        storage = declaration.evaluation_report.storage
        # the replaced file goes once the new one is committed; a rolled-back upload keeps it
        transaction.on_commit(lambda: storage.delete(replaced))


def _holder(declaration: OpenLicenceDeclaration, actor: User) -> None:
    if actor.organisation_id != declaration.holder_id:
        raise ActionForbidden("只有声明人可以执行此操作 / Only the declaring holder may do this")


def _staff(actor: User) -> None:
    if not actor.is_centre_staff:
        raise ActionForbidden("只有交易中心工作人员可以审核开放许可声明 / Only trading-centre staff check declarations")


# -- declaration -----------------------------------------------------------------------------------
def open_licence_create(*, actor: User, patent_id: int, royalty_method: str, licence_years: int, annual_fee=None,
                        entry_fee=None, royalty_rate=None, unit_fee=None, period_months: int = 3,
                        territory: str = "", scope: str = "", covers_whole_patent: bool = True, scope_note: str = "",
                        evaluation_report: UploadedFile | None = None) -> OpenLicenceDeclaration:
    """Draft a declaration for a patent the actor's organisation holds (refused with every reason that
    cannot be cured by consents or the evaluation report, which are collected on the draft)."""
    org = actor.organisation
    if org is None:
        raise ActionForbidden("用户未关联机构 / The user belongs to no organisation")
    errors: dict[str, list[str]] = {}
    try:
        terms = clean_royalty_terms(royalty_method=royalty_method, annual_fee=annual_fee, entry_fee=entry_fee,
                                    royalty_rate=royalty_rate, unit_fee=unit_fee, period_months=period_months)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        terms = {}
    try:
        years = int(licence_years)
    except (TypeError, ValueError):
        years = 0
    if not 1 <= years <= MAX_LICENCE_YEARS:
        errors["licence_years"] = [f"许可期限须为1至{MAX_LICENCE_YEARS}年 / The term must be 1-{MAX_LICENCE_YEARS} years"]
    if evaluation_report is not None and (report_errors := evaluation_report_errors(evaluation_report)):
        errors["evaluation_report"] = report_errors
    patent = Patent.objects.filter(pk=patent_id).first()
    if patent is None:
        errors["patent_id"] = ["专利不存在 / No such patent"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The patent's row serialises two drafts of the same patent.
        patent = Patent.objects.select_for_update().get(pk=patent.pk)
        reasons = [r for r in open_licence_blockers(patent, holder=org) if r.code not in DRAFT_STAGE_CODES]
        if OpenLicenceDeclaration.objects.filter(patent=patent, state__in=IN_PROGRESS).exists():
            reasons.append(Reason("declaration_pending", RULE,
                                  "该专利已有未完成的开放许可声明 / A declaration of this patent is already in progress"))
        if reasons:
            raise RuleViolation(about_patent(patent, reasons))
        declaration = OpenLicenceDeclaration.objects.create(
            patent=patent, holder=org, created_by=actor, licence_years=years,
            territory=territory.strip() or OpenLicenceDeclaration._meta.get_field("territory").default,
            scope=scope.strip() or OpenLicenceDeclaration._meta.get_field("scope").default,
            covers_whole_patent=covers_whole_patent, scope_note=scope_note, **terms)
        if evaluation_report is not None:
            _store_report(declaration, evaluation_report)
            declaration.save(update_fields=["evaluation_report", "evaluation_report_sha256"])
        TransitionLog.record(declaration, transition="create", from_state="", to_state=declaration.state,
                             actor=actor, reason=declaration.royalty_summary())
    return declaration


def open_licence_attach_report(*, declaration_id: int, actor: User,
                               evaluation_report: UploadedFile) -> OpenLicenceDeclaration:
    """Upload (or replace) the patent evaluation report of a draft or rejected declaration."""
    with transaction.atomic():
        declaration = licence_locks.open_licence_declaration(declaration_id)
        _holder(declaration, actor)
        if declaration.state not in (OpenLicenceState.DRAFT, OpenLicenceState.REJECTED):
            raise state_refusal(declaration, "上传评价报告")
        _store_report(declaration, evaluation_report)
        declaration.save(update_fields=["evaluation_report", "evaluation_report_sha256", "updated_at"])
    return declaration


def open_licence_consent(*, declaration_id: int, actor: User, note: str = "") -> Consent:
    """A co-owner or the pledgee of the patent records its written consent to this declaration."""
    with transaction.atomic():
        declaration = licence_locks.open_licence_declaration(declaration_id)
        if declaration.state not in IN_PROGRESS:
            raise state_refusal(declaration, "同意开放许可")
        consent, created = consent_give(patent=declaration.patent, deal=declaration, actor=actor,
                                        holder=declaration.holder, purpose=ConsentPurpose.OPEN_LICENCE, note=note)
        if created:
            TransitionLog.record(declaration, transition="consent", from_state=declaration.state,
                                 to_state=declaration.state, actor=actor,
                                 reason=f"{consent.organisation.name}（{consent.get_capacity_display()}）同意开放许可")
    return consent


def open_licence_submit(*, declaration_id: int, actor: User) -> OpenLicenceDeclaration:
    """Send the declaration to staff; refused with every reason the rules give."""
    with transaction.atomic():
        declaration = licence_locks.open_licence_declaration(declaration_id)
        _holder(declaration, actor)
        if declaration.state not in (OpenLicenceState.DRAFT, OpenLicenceState.REJECTED):
            raise state_refusal(declaration, "提交审核")
        if reasons := declaration_blockers(declaration):
            raise RuleViolation(about_patent(declaration.patent, reasons))
        apply_transition(declaration, "submit", actor=actor, label="提交审核")
    return declaration


def open_licence_reject(*, declaration_id: int, actor: User, reason: str) -> OpenLicenceDeclaration:
    """Staff send the declaration back with a reason; the holder may correct and submit again."""
    _staff(actor)
    require_reason(reason, "请填写驳回理由 / A reason is required")
    with transaction.atomic():
        declaration = licence_locks.open_licence_declaration(declaration_id)
        apply_transition(declaration, "reject", actor=actor, reason=reason, label="驳回", rejection_reason=reason)
    return declaration


def _announcement_number(prefix: str, declaration: OpenLicenceDeclaration) -> str:
    """A simulated CNIPA announcement number (公告号)."""
    return f"CN{prefix}{timezone.localdate():%Y%m%d}{declaration.pk:06d}"


def open_licence_publish(*, declaration_id: int, actor: User) -> OpenLicenceDeclaration:
    """Staff checked it: publish (CNIPA announcement), enter it in the register, list it, issue the declaration."""
    _staff(actor)
    with transaction.atomic():
        declaration = licence_locks.open_licence_declaration(declaration_id)
        if declaration.state != OpenLicenceState.SUBMITTED:
            raise state_refusal(declaration, "公告")
        if reasons := declaration_blockers(declaration):
            raise RuleViolation(about_patent(declaration.patent, reasons))
        number = _announcement_number("KFXK", declaration)
        apply_transition(declaration, "publish", actor=actor, label="公告", announcement_number=number,
                         reason=f"开放许可声明公告号 {number}")
        patent = declaration.patent
        declaration.encumbrance = Encumbrance.objects.create(
            patent=patent, kind=EncumbranceKind.OPEN_LICENCE, beneficiary_name="不特定被许可人（开放许可）",
            start_date=declaration.announcement_date, territory=declaration.territory, registration_number=number,
            note=f"开放许可声明 {declaration.number}：{declaration.royalty_summary()}"[:500])
        declaration.listing = _list(declaration, actor)
        declaration.save(update_fields=["encumbrance", "listing", "updated_at"])
        _issue(declaration, DocumentKind.OPEN_LICENCE_DECLARATION)
    return declaration


def _list(declaration: OpenLicenceDeclaration, actor: User) -> Listing:
    """The published open-licence listing search shows; its price is what a take-up pays at once.

    A published open-licence listing the holder already has for this patent alone becomes the
    declaration's listing (its price and terms now the declaration's); otherwise one is created.
    """
    patent = declaration.patent
    upfront = take_up_payment(declaration)
    # Lock order here: the declaration (held), then its listing; no path locks them the other way round.
    existing = (Listing.objects.filter(organisation=declaration.holder, mode=ListingMode.OPEN_LICENCE,
                                       state=ListingState.PUBLISHED, patents=patent,
                                       open_licence_declaration__isnull=True)
                .values_list("pk", flat=True).first())
    if existing is not None and Listing.objects.get(pk=existing).patents.count() == 1:
        listing = locks.listing(existing)
        listing.asking_price = upfront or None
        listing.terms = _terms_text(declaration)
        listing.save(update_fields=["asking_price", "terms", "updated_at"])
        listing_changed(listing.pk)
        return listing
    listing = Listing.objects.create(
        organisation=declaration.holder, created_by=declaration.created_by, title=f"开放许可：{patent.title}"[:300],
        description=declaration.scope_note or patent.abstract[:1000], mode=ListingMode.OPEN_LICENCE,
        asking_price=upfront or None, terms=_terms_text(declaration))
    listing.patents.set([patent])
    reason = f"开放许可声明 {declaration.number} 公告"
    apply_transition(listing, "submit", actor=actor, reason=reason)
    apply_transition(listing, "publish", actor=actor, reason=reason)
    # it stays listed while the declaration stands (at most until the patent expires)
    listing.expires_at = timezone.make_aware(dt.datetime.combine(patent.expiry_date, dt.time(23, 59)))
    listing.save(update_fields=["expires_at"])
    listing_changed(listing.pk)
    return listing


def _terms_text(declaration: OpenLicenceDeclaration) -> str:
    scope = "全部权利要求" if declaration.covers_whole_patent else "部分权利要求"
    return (f"许可使用费：{declaration.royalty_summary()}\n许可期限：{declaration.licence_years}年（不超过专利权期限）\n"
            f"地域范围：{declaration.territory}\n实施方式：{declaration.scope}\n许可范围：{scope}"
            + (f"（{declaration.scope_note}）" if declaration.scope_note else ""))


def open_licence_withdraw(*, declaration_id: int, actor: User, reason: str = "") -> OpenLicenceDeclaration:
    """The holder withdraws; a published declaration's withdrawal is announced and leaves the register.

    Licences already granted continue unchanged.
    """
    with transaction.atomic():
        declaration = licence_locks.open_licence_declaration(declaration_id)
        _holder(declaration, actor)
        if declaration.state == OpenLicenceState.WITHDRAWN:
            raise state_refusal(declaration, "撤回")
        published = declaration.state == OpenLicenceState.PUBLISHED
        number = _announcement_number("KFCH", declaration) if published else ""
        apply_transition(declaration, "withdraw", actor=actor, label="撤回", reason=reason or "撤回开放许可声明",
                         withdrawal_reason=reason, announcement_number=number)
        if declaration.encumbrance_id:
            Encumbrance.objects.filter(pk=declaration.encumbrance_id).update(released_at=declaration.withdrawn_at)
        if declaration.listing_id:
            listing = locks.listing(declaration.listing_id)
            if listing.state == ListingState.PUBLISHED:
                apply_transition(listing, "withdraw", actor=actor, reason=f"开放许可声明已撤回（{number}）")
                listing_changed(listing.pk)
    return declaration


# -- take-up ---------------------------------------------------------------------------------------
def licence_end_date(declaration: OpenLicenceDeclaration, start: dt.date) -> dt.date:
    """The licence runs ``licence_years`` from ``start``, never past the patent's expiry."""
    return min(start + relativedelta(years=declaration.licence_years) - dt.timedelta(days=1),
               declaration.patent.expiry_date)


def take_up_payment(declaration: OpenLicenceDeclaration) -> Decimal:
    """What a take-up today pays at once: the entry fee or the first licence year's fee (0 if none)."""
    today = timezone.localdate()
    return initial_payment(declaration, today, licence_end_date(declaration, today))


def listing_royalties(listing_ids: list[int]) -> dict[int, Decimal]:
    """Listing id → what taking its published open licence costs at once (the search's ``royalty`` sort)."""
    if not listing_ids:
        return {}
    declarations = OpenLicenceDeclaration.objects.filter(listing_id__in=listing_ids, state=OpenLicenceState.PUBLISHED)
    return {declaration.listing_id: take_up_payment(declaration) for declaration in declarations}


def open_licence_take_up(*, declaration_id: int, actor: User, idempotency_key: str,
                         notice_confirmed: bool) -> Licence:
    """One step: the licensee confirms the written notice and pays; an ordinary licence exists at once.

    The entry fee (or the first licence year's fee) is paid through escrow and released to the
    holder in the same transaction; the licence is entered in the register; the licence notice
    and the 备案 record are issued. Replaying ``idempotency_key`` returns the same licence.
    """
    if not notice_confirmed:
        raise ValidationError({"notice_confirmed": [
            "请确认已阅读并接受开放许可条件（书面通知） / Confirm the written notice accepting the published terms"]})
    org = require_counterparty(actor, "只有已认证机构可以获得许可 / Only verified organisations may take a licence")
    if not idempotency_key or len(idempotency_key) > 100:
        raise IdempotencyConflict("幂等键必须为1-100个字符 / The idempotency key must have 1-100 characters")
    with transaction.atomic():
        declaration = licence_locks.open_licence_declaration(declaration_id)
        earlier = Licence.objects.filter(licensee=org, take_up_key=idempotency_key).first()
        if earlier is not None:
            if earlier.declaration_id != declaration.pk:
                raise IdempotencyConflict("该幂等键已用于另一项许可 / This idempotency key was used for another licence")
            return earlier
        if declaration.state != OpenLicenceState.PUBLISHED:
            raise RuleViolation(Reason("declaration_not_standing", RULE,
                                       f"开放许可声明{declaration.get_state_display().split(' ')[0]}，不能获得许可 / "
                                       f"The declaration is {declaration.state}: no licence can be taken"))
        patent = declaration.patent
        reasons = open_licence_take_up_blockers(patent, holder=declaration.holder, licensee=org)
        if Licence.objects.filter(declaration=declaration, licensee=org, state=LicenceState.ACTIVE).exists():
            reasons.append(Reason("already_licensed", RULE,
                                  "贵机构已持有该开放许可下的有效许可 / You already hold a licence under this declaration"))
        if reasons:
            raise RuleViolation(about_patent(patent, reasons))
        now = timezone.now()
        start = timezone.localdate(now)
        licence = licence_grant(
            patent=patent, licensor=declaration.holder, licensee=org, kind=LicenceKind.ORDINARY, terms=declaration,
            start_date=start, end_date=licence_end_date(declaration, start), territory=declaration.territory,
            scope=declaration.scope, actor=actor, note=f"开放许可 {declaration.announcement_number}",
            declaration=declaration, take_up_key=idempotency_key, notice_confirmed_at=now)
        # The platform files the licence record (备案) with CNIPA; the simulated registry records it at once.
        licence.record_number = f"BA{start:%Y%m%d}{licence.pk:06d}"
        licence.save(update_fields=["record_number"])
        Encumbrance.objects.filter(pk=licence.encumbrance_id).update(registration_number=licence.record_number)
        first = licence.periods.filter(due_date=start, amount_due__gt=0).order_by("sequence").first()
        if first is not None:
            pay_period_locked(first, licence=licence, actor=actor, idempotency_key=idempotency_key)
        paid = f"，已付 {format_cny(first.amount_due)}" if first else ""
        TransitionLog.record(licence, transition="grant", from_state="", to_state=licence.state, actor=actor,
                             reason=f"依开放许可声明 {declaration.announcement_number} 获得普通许可{paid}")
        TransitionLog.record(declaration, transition="take_up", from_state=declaration.state,
                             to_state=declaration.state, actor=actor, reason=f"{org.name} 获得许可 {licence.number}")
        _issue(licence, DocumentKind.LICENCE_NOTICE)
        _issue(licence, DocumentKind.LICENCE_RECORD)
    return licence


def _issue(deal, kind: str) -> None:
    document_request(deal=deal, kind=kind)


# -- annual fees -----------------------------------------------------------------------------------
def annual_fee_schedule_for(patent: Patent) -> list[AnnualFeeRow]:
    """The patent's annual fees, reduced for the years due while one of its declarations stood."""
    windows = [(d.announcement_date, timezone.localdate(d.withdrawn_at) if d.withdrawn_at else None)
               for d in patent.open_licence_declarations.filter(announcement_date__isnull=False)]
    return annual_fee_schedule(kind=patent.kind, filing_date=patent.filing_date, term_years=patent.term_years,
                               open_licence_windows=windows)
