"""Pledge financing pages of the rights holder (apply, my loans) and the loan page every side shares.

The loan page shows the progress, the parties, the patents, the terms, the contract, consents and
confirmations, the registry filings with their grounds, the schedule and repayments, the documents
and the timeline, and the actions the viewer may take now (each one a form posting to one service).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from finance.models import SchemeEnrolment
from finance.risk_sharing import ENROLLABLE, schemes_for
from market.models import DocumentKind, DocumentState, Listing, Organisation, OrganisationKind
from market.pledges.collateral import collateral_summary
from market.pledges.models import PledgeLoan, PledgeLoanState
from market.pledges.registry_rules import registration_blockers
from market.pledges.selectors import (
    loan_allowed_actions,
    loan_documents,
    loan_next_step,
    loans_visible_to,
    pending_confirmations,
    pending_consents,
)
from market.pledges.services import applications as pledge_applications
from market.pledges.services import loans
from market.pledges.services import registry as pledge_registry
from market.selectors import timeline
from valuation.requests import requests_visible_to

from ..pledge_forms import (
    ApplicationForm,
    ApproveForm,
    ConfirmForm,
    ContractForm,
    IdempotentForm,
    MessageForm,
    PatentForm,
    PrecheckForm,
    ReasonForm,
    ReleasePatentForm,
    RepayForm,
    ResubmitForm,
)
from .common import (
    Bound,
    Outcome,
    PageAction,
    PageActions,
    Panel,
    call_service,
    contract_draft_response,
    errors_onto_form,
    flash_outcome,
    shows_403_page,
)
from .public import visible_listing

S = PledgeLoanState


A, R, L = pledge_applications, pledge_registry, loans
ACTIONS = PageActions("frontend:pledge_action", [
    PageAction("approve", _("批准"), _("已批准。请起草质押合同。"),
       lambda loan, user, d: A.pledge_approve(loan_id=loan.pk, actor=user, **d), ApproveForm),
    PageAction("request_info", _("要求补充材料"), _("已退回申请人补充材料。"),
       lambda loan, user, d: A.pledge_request_info(loan_id=loan.pk, actor=user, **d), MessageForm),
    PageAction("reject", _("拒绝申请"), _("已拒绝该申请。"),
       lambda loan, user, d: A.pledge_reject(loan_id=loan.pk, actor=user, **d), ReasonForm, True),
    PageAction("resubmit", _("补充材料并重新提交"), _("已重新提交。"),
       lambda loan, user, d: A.pledge_resubmit(loan_id=loan.pk, actor=user, **d), ResubmitForm),
    PageAction("withdraw", _("撤回申请"), _("申请已撤回。"),
       lambda loan, user, d: A.pledge_withdraw(loan_id=loan.pk, actor=user, **d), ReasonForm, True),
    PageAction("draft_contract", _("起草质押合同"), _("质押合同已起草，等待双方签署。"),
       lambda loan, user, d: A.pledge_contract_draft(loan_id=loan.pk, actor=user, **d), ContractForm),
    PageAction("sign_contract", _("签署质押合同"), _("已签署质押合同。"),
       lambda loan, user, d: A.pledge_contract_sign(loan_id=loan.pk, actor=user)),
    PageAction("confirm", _("知情确认，继续办理"), _("已记录知情确认。"),
       lambda loan, user, d: A.pledge_confirm(loan_id=loan.pk, actor=user, **d), ConfirmForm),
    PageAction("consent", _("作为共有人同意出质"), _("已记录共有人同意。"),
       lambda loan, user, d: A.pledge_consent(loan_id=loan.pk, actor=user, **d), PatentForm),
    PageAction("file_registration", _("提交质押登记申请"), _("已提交质押登记申请，登记机关审查中。"),
       lambda loan, user, d: R.pledge_registration_file(loan_id=loan.pk, actor=user)),
    PageAction("cite_other_ground", _("援引第12项（其他情形）"), _("已援引第12项。"),
       lambda loan, user, d: R.pledge_registry_cite_other(loan_id=loan.pk, actor=user, **d), ReasonForm, True),
    PageAction("clear_other_ground", _("第12项情形已消除"), _("已消除第12项情形。"),
       lambda loan, user, d: R.pledge_registry_clear_other(loan_id=loan.pk, actor=user)),
    PageAction("examine", _("登记机关审查"), _("登记机关已作出决定。"),
       lambda loan, user, d: [R.pledge_registry_examine_as_staff(filing_id=f.pk, actor=user)
                              for f in loan.filings.filter(state="filed")]),
    PageAction("disburse", _("放款"), _("贷款已发放。"),
       lambda loan, user, d: L.loan_disburse(loan_id=loan.pk, actor=user, **d), IdempotentForm),
    PageAction("repay", _("还款"), _("还款成功。"),
       lambda loan, user, d: L.loan_repay(loan_id=loan.pk, actor=user, **d), RepayForm),
    PageAction("release_patent", _("同意解除该专利质押"), _("已提交部分注销登记。"),
       lambda loan, user, d: L.loan_release_patent(loan_id=loan.pk, actor=user, **d), ReleasePatentForm),
    PageAction("declare_default", _("宣布违约"), _("已宣布违约，交易中心可开启拍卖。"),
       lambda loan, user, d: L.loan_declare_default(loan_id=loan.pk, actor=user, **d), ReasonForm, True),
])
# Actions the bank's review page shows in its own decision panel.
REVIEW_ACTIONS = ("approve", "request_info", "reject")


def visible_loan(request: HttpRequest, pk: int) -> PledgeLoan:
    """The loan if the user is a party, a co-owner of one of its patents, or staff; 404 otherwise."""
    return get_object_or_404(loans_visible_to(request.user), pk=pk)


def progress_steps(loan: PledgeLoan) -> list[dict]:
    """The steps of the progress bar: the review, the contract, registration, the money, the end."""
    steps = [(S.SUBMITTED, _("提交申请")), (S.APPROVED, _("银行批准")), (S.SIGNED, _("签署合同")),
             (S.FILED, _("质押登记")), (S.REGISTERED, _("登记生效")), (S.DISBURSED, _("放款还款"))]
    if loan.state in (S.DEFAULTED, S.SETTLED):
        steps += [(S.DEFAULTED, _("违约")), (S.SETTLED, _("拍卖结案"))]
    else:
        steps += [(S.REPAID, _("结清")), (S.RELEASED, _("注销"))]
    order = [state for state, _label in steps]
    reached = {S.INFO_REQUESTED: S.SUBMITTED}.get(loan.state, loan.state)
    if loan.state in (S.REJECTED, S.WITHDRAWN):
        last = timeline(loan).exclude(to_state__in=(S.REJECTED, S.WITHDRAWN)).last()
        reached = {S.INFO_REQUESTED: S.SUBMITTED}.get(last.to_state, last.to_state) if last else S.SUBMITTED
    index = order.index(reached) if reached in order else 0
    final = loan.state in (S.RELEASED, S.SETTLED)
    return [{"label": label, "status": "done" if i < index or (final and i == index) else
             "current" if i == index else "todo"} for i, (_state, label) in enumerate(steps)]


def action_panels(loan: PledgeLoan, user, *, bound: Bound = None, only: tuple[str, ...] = (),
                  hidden: dict[str, str] | None = None) -> list[Panel]:
    """The actions offered to ``user`` now (or ``only`` some of them), each with a fresh form
    (or the bound one that failed); a confirmation or consent is one panel per patent awaiting it."""
    extra = {"hidden": hidden or {}}
    panels = []
    for name in loan_allowed_actions(loan, user):
        if only and name not in only:
            continue
        if name == "confirm":
            side = loan.party_of(user.organisation)
            panels += [ACTIONS.panel(loan.pk, name, subject=f"{row['patent'].application_number} · {row['label']}",
                                     form=ConfirmForm(initial={"patent_id": row["patent"].pk, "ground": row["ground"]}),
                                     **extra)
                       for row in pending_confirmations(loan) if not row[side]]
        elif name == "consent":
            panels += [ACTIONS.panel(loan.pk, name, subject=row["patent"].application_number,
                                     form=PatentForm(initial={"patent_id": row["patent"].pk}), **extra)
                       for row in pending_consents(loan)
                       if row["organisation_id"] == user.organisation_id and not row["given"]]
        else:
            panels.append(ACTIONS.panel(loan.pk, name, bound=bound, form=fresh_form(loan, name), **extra))
    return panels


def fresh_form(loan: PledgeLoan, name: str) -> forms.Form | None:
    """The unbound form of actions whose form starts from the loan (None: the action's plain form)."""
    if name == "release_patent":
        return ReleasePatentForm(patents=loan.pledged_patents())
    if name == "approve":
        return ApproveForm(initial={"amount": loan.amount_requested, "term_months": loan.term_months})
    return None


def documents_context(request: HttpRequest, loan: PledgeLoan) -> dict:
    documents = loan_documents(loan)
    return {"documents": documents, "documents_pending": any(d.state == DocumentState.PENDING for d in documents),
            "can_download": bool(loan.party_of(request.user.organisation) or request.user.is_centre_staff)}


def loan_context(request: HttpRequest, loan: PledgeLoan, *, outcome: Outcome | None = None,
                 bound: Bound = None) -> dict:
    party = loan.party_of(request.user.organisation)
    contract = loan.contract()
    check = registration_blockers(loan, contract) if loan.state in (S.APPROVED, S.SIGNED) and contract else []
    return {
        "loan": loan, "party": party, "steps": progress_steps(loan), "contract": contract,
        "links": loan.pledgeloanpatent_set.select_related("patent", "encumbrance").order_by("patent__application_number"),
        "filings": loan.filings.prefetch_related("patents"), "instalments": loan.instalments.all(),
        "repayments": loan.repayments.all(), "timeline": timeline(loan), "consents": pending_consents(loan),
        "alerts": loan.alerts.order_by("cleared_at", "-raised_at", "-pk")[:50],
        "next_step": loan_next_step(loan, request.user.organisation),
        "draft_url": reverse("frontend:pledge_contract_draft", args=[loan.pk])
        if pledge_draft_readable(loan, contract, request.user) else "",
        "confirmations": pending_confirmations(loan), "registry_check": check,
        "panels": action_panels(loan, request.user, bound=bound),
        "reasons": outcome.reasons if outcome else [], "outstanding": loan.outstanding_principal(),
        "claim": loan.outstanding_debt() if loan.state == S.DEFAULTED else None,
        "is_bank_side": party == "bank" or request.user.is_centre_staff,
        "nav": "bank" if party == "bank" else "pledges", **documents_context(request, loan),
    }


def render_loan(request: HttpRequest, loan: PledgeLoan, *, status: int = 200, **kwargs) -> HttpResponse:
    return render(request, "frontend/pledges/loan_detail.html", loan_context(request, loan, **kwargs), status=status)


def render_review(request: HttpRequest, loan: PledgeLoan, *, status: int = 200, **kwargs) -> HttpResponse:
    """The bank's review of an application: the loan page's facts, the collateral summary and the decision,
    whose forms post back here (``back=review``)."""
    context = loan_context(request, loan, **kwargs)
    summary = collateral_summary(loan, user=request.user)
    panels = action_panels(loan, request.user, bound=kwargs.get("bound"), only=REVIEW_ACTIONS,
                           hidden={"back": "review"})
    for panel in panels:
        if panel.action.name == "approve" and summary.p50 > 0:
            panel.form.show_advice(value=summary.p50, max_loan=summary.max_loan, ratio=summary.ratio)
    context.update({"summary": summary, "nav": "bank", "decision_panels": panels,
                    "agencies": Organisation.objects.acting_as(OrganisationKind.VALUATION_AGENCY).order_by("name"),
                    "orders": requests_visible_to(request.user).filter(loan=loan),
                    "enrolment": SchemeEnrolment.objects.filter(loan=loan).select_related("scheme").first(),
                    "risk_schemes": schemes_for(loan), "can_enrol": loan.state in ENROLLABLE})
    return render(request, "frontend/bank/review.html", context, status=status)


def from_review(request: HttpRequest) -> bool:
    return request.POST.get("back") == "review"


# -- the holder's pages ------------------------------------------------------------------------------
def render_apply(request: HttpRequest, *, form: ApplicationForm | None = None, outcome: Outcome | None = None,
                 status: int = 200) -> HttpResponse:
    org = request.user.organisation
    loans_of_org = (PledgeLoan.objects.filter(applicant=org).select_related("bank").prefetch_related("patents")
                    if org else PledgeLoan.objects.none())
    context = {"nav": "pledges", "form": form or ApplicationForm(organisation=org, initial=_offered(request, org)),
               "loans": loans_of_org, "reasons": outcome.reasons if outcome else []}
    return render(request, "frontend/pledges/my_loans.html", context, status=status)


def _offered(request: HttpRequest, org) -> dict:
    """The bank and the rights a bank's offer of financing links to (``?bank=&listing=``, the holder's own)."""
    initial = {}
    bank, listing = request.GET.get("bank", ""), request.GET.get("listing", "")
    if bank.isdigit():
        initial["bank"] = int(bank)
    if listing.isdigit() and org is not None:
        initial["patents"] = list(Listing.objects.filter(pk=int(listing), organisation=org)
                                  .values_list("patents", flat=True))
    return initial


@login_required
@require_POST
@shows_403_page
def pledge_interest(request: HttpRequest, pk: int) -> HttpResponse:
    """A bank offers financing on a pledge-mode listing: the holder is told, with a link to apply to it."""
    listing = visible_listing(request, pk)
    outcome = call_service(pledge_applications.pledge_interest_express, listing_id=listing.pk, actor=request.user,
                           note=request.POST.get("note", ""))
    flash_outcome(request, outcome, _("已通知权利人贵行的融资意向。"))
    return redirect("frontend:listing_detail", listing.pk)


@login_required
@require_GET
def my_loans(request: HttpRequest) -> HttpResponse:
    """“质押融资”: my organisation's applications and loans, and the application form with its pre-check."""
    return render_apply(request)


@login_required
@require_POST
@shows_403_page
def loan_apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST, organisation=request.user.organisation)
    if not form.is_valid():
        return render_apply(request, form=form, status=400)
    data = form.cleaned_data
    outcome = call_service(pledge_applications.pledge_apply, actor=request.user, bank_id=data["bank"].pk,
                           patent_ids=[p.pk for p in data["patents"]], amount=data["amount"],
                           term_months=data["term_months"], purpose=data["purpose"],
                           repayment_plan=data["repayment_plan"])
    if not outcome.ok:
        errors_onto_form(form, outcome.errors)
        return render_apply(request, form=form, outcome=outcome, status=409 if outcome.reasons else 400)
    messages.success(request, _("质押融资申请已提交，等待银行审查。"))
    return redirect("frontend:pledge_detail", pk=outcome.result.pk)


@login_required
@require_POST
def loan_precheck(request: HttpRequest) -> HttpResponse:
    """The pre-check fragment (htmx): for each chosen patent, may it be pledged now, and if not, why."""
    form = PrecheckForm(request.POST)
    checks = []
    if form.is_valid() and request.user.organisation is not None:
        patents = [p for p in form.cleaned_data["patents"]]
        checks = pledge_applications.pledge_precheck(applicant=request.user.organisation, patents=patents,
                                                     term_months=form.cleaned_data["term_months"])
    return render(request, "frontend/pledges/_precheck.html", {"checks": checks})


# -- the loan page -------------------------------------------------------------------------------------
@login_required
@require_GET
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_loan(request, visible_loan(request, pk))


def pledge_draft_readable(loan: PledgeLoan, contract, user) -> bool:
    """The parties (and staff) read the drafted pledge contract while it is being signed."""
    return loan.state == S.APPROVED and contract is not None and bool(
        loan.party_of(user.organisation) or user.is_centre_staff)


@login_required
@require_GET
@shows_403_page
def loan_contract_draft(request: HttpRequest, pk: int) -> HttpResponse:
    loan = visible_loan(request, pk)
    if not pledge_draft_readable(loan, loan.contract(), request.user):
        raise PermissionDenied("合同草稿仅在签署阶段供双方阅读 / The draft is for the parties, while signing")
    return contract_draft_response(loan, DocumentKind.PLEDGE_CONTRACT, loan.number)


@login_required
@require_GET
def loan_documents_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents list alone: htmx polls it while a document is still rendering."""
    loan = visible_loan(request, pk)
    return render(request, "frontend/pledges/_documents.html", {"loan": loan, **documents_context(request, loan)})


loan_action = ACTIONS.view(
    find=visible_loan,
    render_page=lambda request, loan, **kwargs: (render_review if from_review(request) else render_loan)(
        request, loan, **kwargs),
    # An approval goes on to the loan's page, where the bank drafts the contract next.
    success_url=lambda request, loan, result: reverse(
        "frontend:bank_review" if from_review(request) and request.resolver_match.kwargs["action"] != "approve"
        else "frontend:pledge_detail", args=[loan.pk]),
    form_kwargs=lambda name, loan: {"patents": loan.pledged_patents()} if name == "release_patent" else {})
