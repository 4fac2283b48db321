"""Open-licence pages: the holder's declaration (with a live rules check), the public declaration page with
“立即获得许可”, my licences with royalties due, a licence's page, and the staff check queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from market.licensing.models import LicenceContract, LicenceContractState, LicenceReminder, OpenLicenceState
from market.licensing.selectors import (
    ROYALTY_SORTS,
    late_royalties_of_licensor,
    licence_contracts_visible_to,
    licence_next_step,
    licences_visible_to,
    open_licence_allowed_actions,
    open_licences_visible_to,
)
from market.licensing.services import open_licences, royalties
from market.models import Document, Patent
from market.rules import open_licence_blockers
from market.selectors import timeline
from market.services.errors import ActionForbidden

from ..forms import ReasonForm
from ..licence_forms import DeclarationForm, EvaluationReportForm, RoyaltyPayForm, RoyaltyReportForm, TakeUpForm
from .common import (
    Bound,
    Outcome,
    PageAction,
    PageActions,
    call_service,
    errors_onto_form,
    flash_errors,
    require_staff,
    shows_403_page,
)
from .public import register_summary

SORTS = {"royalty": "royalty", "-royalty": "-royalty", "newest": "newest"}


def documents_of(deal) -> list[Document]:
    return list(Document.objects.for_deal(deal).latest_versions().order_by("requested_at", "pk"))


# -- public: the list and the declaration page ------------------------------------------------------
@require_GET
def open_licence_list(request: HttpRequest) -> HttpResponse:
    """Published declarations; sorted by what a take-up pays (royalty) or newest first."""
    sort = request.GET.get("sort", "newest")
    qs = open_licences_visible_to(None).filter(state=OpenLicenceState.PUBLISHED)
    if method := request.GET.get("method"):
        qs = qs.filter(royalty_method=method)
    qs = qs.order_by(*ROYALTY_SORTS.get(sort, ("-published_at",)), "pk")
    return render(request, "frontend/licences/open_licence_list.html",
                  {"declarations": qs[:100], "sort": sort, "method": method or "", "nav": "open_licences"})


def render_declaration(request: HttpRequest, declaration, *, form: TakeUpForm | None = None,
                       outcome: Outcome | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    my_licence = None
    if user.is_authenticated and user.organisation_id:
        my_licence = declaration.licences.filter(licensee_id=user.organisation_id, state="active").first()
    context = {
        "declaration": declaration, "patent": declaration.patent, "register": register_summary(declaration.patent),
        "fees": open_licences.annual_fee_schedule_for(declaration.patent),
        "take_up_payment": open_licences.take_up_payment(declaration),
        "actions": open_licence_allowed_actions(declaration, user), "my_licence": my_licence,
        "form": form or TakeUpForm(), "reasons": outcome.reasons if outcome else [],
        "timeline": timeline(declaration) if user.is_authenticated and (
            user.organisation_id == declaration.holder_id or user.is_centre_staff) else [],
        "documents": documents_of(declaration), "licence_count": declaration.licences.count(),
        "nav": "open_licences",
    }
    return render(request, "frontend/licences/open_licence_detail.html", context, status=status)


def visible_declaration(request: HttpRequest, pk: int):
    return get_object_or_404(open_licences_visible_to(request.user), pk=pk)


@require_GET
def open_licence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_declaration(request, visible_declaration(request, pk))


@login_required
@require_POST
@shows_403_page
def open_licence_take_up(request: HttpRequest, pk: int) -> HttpResponse:
    """“立即获得许可”: confirm the written notice and pay; the licence exists when the page reloads."""
    declaration = visible_declaration(request, pk)
    form = TakeUpForm(request.POST)
    if not form.is_valid():
        return render_declaration(request, declaration, form=form, status=400)
    outcome = call_service(open_licences.open_licence_take_up, declaration_id=declaration.pk, actor=request.user,
                           idempotency_key=form.cleaned_data["idempotency_key"], notice_confirmed=True)
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_declaration(request, declaration, form=form, outcome=outcome,
                                  status=409 if outcome.reasons else 400)
    messages.success(request, _("已获得许可 %(number)s：许可通知书和备案文件正在生成。") % {"number": outcome.result.number})
    return redirect("frontend:licence_detail", pk=outcome.result.pk)


@login_required
@require_GET
def evaluation_report(request: HttpRequest, pk: int) -> FileResponse:
    """The evaluation report, for the holder and the staff who check the declaration."""
    declaration = visible_declaration(request, pk)
    if not declaration.evaluation_report or not (request.user.is_centre_staff
                                                 or request.user.organisation_id == declaration.holder_id):
        raise Http404
    return FileResponse(declaration.evaluation_report.open("rb"), as_attachment=True,
                        filename=f"{declaration.number}-评价报告.pdf", content_type="application/pdf")


# -- the holder -------------------------------------------------------------------------------------
def _rules_context(organisation, patent: Patent | None, has_report: bool) -> dict:
    reasons = open_licence_blockers(patent, holder=organisation, has_evaluation_report=has_report) if patent else []
    later = [r for r in reasons if r.code in open_licences.DRAFT_STAGE_CODES]
    return {"checked_patent": patent, "blocking": [r for r in reasons if r not in later], "later": later}


@login_required
@require_http_methods(["GET", "POST"])
@shows_403_page
def declaration_new(request: HttpRequest) -> HttpResponse:
    """The declaration form; saving makes a draft the holder submits (after any consents) for staff check."""
    org = request.user.organisation
    if org is None:
        raise ActionForbidden(_("您的账号尚未关联机构 / No organisation"))
    form = DeclarationForm(request.POST or None, request.FILES or None, organisation=org,
                           initial={"patent": request.GET.get("patent")})
    live_check = {"hx-post": reverse("frontend:open_licence_check"), "hx-trigger": "change", "hx-target": "#rules-check",
                  "hx-swap": "outerHTML", "hx-include": "closest form", "hx-encoding": "multipart/form-data"}
    for name in ("patent", "evaluation_report"):
        form.fields[name].widget.attrs.update(live_check)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        patent = data.pop("patent")
        outcome = call_service(open_licences.open_licence_create, actor=request.user, patent_id=patent.pk, **data)
        if outcome.ok:
            messages.success(request, _("开放许可声明草稿已保存：%(number)s。") % {"number": outcome.result.number})
            return redirect("frontend:my_open_licences")
        errors_onto_form(form, outcome.errors)
    patents = form.fields["patent"].queryset
    if form.is_bound:
        patent = getattr(form, "cleaned_data", {}).get("patent")
    else:
        patent = patents.filter(pk=request.GET.get("patent") or 0).first()
    context = {"form": form, "reasons": outcome.reasons if outcome else [], "nav": "workspace",
               **_rules_context(org, patent, False)}
    status = 200 if request.method == "GET" else (409 if outcome and outcome.reasons else 400)
    return render(request, "frontend/licences/declaration_form.html", context, status=status)


@login_required
@require_POST
def declaration_check(request: HttpRequest) -> HttpResponse:
    """htmx: the rules check for the patent chosen in the form (no write)."""
    org = request.user.organisation
    patent = Patent.objects.filter(pk=request.POST.get("patent") or 0,
                                   ownerships__organisation=org).first() if org else None
    has_report = bool(request.FILES.get("evaluation_report"))
    return render(request, "frontend/licences/_rules_check.html", _rules_context(org, patent, has_report))


@login_required
@require_GET
def my_open_licences(request: HttpRequest) -> HttpResponse:
    """My declarations (and those awaiting my consent as co-owner or pledgee), and royalties owed to me late."""
    return render_my_open_licences(request)


def render_my_open_licences(request: HttpRequest, *, outcome: Outcome | None = None, status: int = 200):
    org_id = request.user.organisation_id
    visible = open_licences_visible_to(request.user)
    context = {
        "declarations": visible.filter(holder_id=org_id).prefetch_related("licences"),
        "to_consent": [d for d in visible.exclude(holder_id=org_id).filter(
            state__in=open_licences.IN_PROGRESS) if "consent" in open_licence_allowed_actions(d, request.user)],
        "late": late_royalties_of_licensor(org_id) if org_id else [],
        "report_form": EvaluationReportForm(), "reasons": outcome.reasons if outcome else [], "nav": "workspace",
    }
    return render(request, "frontend/licences/my_open_licences.html", context, status=status)


def _open_licences_page(request: HttpRequest, declaration, *, bound: Bound = None, **kwargs) -> HttpResponse:
    """A declaration's actions answer on the holder's list of declarations (a refused form's errors flashed)."""
    if bound is not None and bound[1].errors:
        flash_errors(request, bound[1].errors)
    return render_my_open_licences(request, **kwargs)


DECLARATION_ACTIONS = PageActions("frontend:open_licence_action", [
    PageAction("submit", gettext_lazy("提交审核"), gettext_lazy("已提交审核。"),
               call=lambda d, user, data: open_licences.open_licence_submit(declaration_id=d.pk, actor=user)),
    PageAction("withdraw", gettext_lazy("撤回"), gettext_lazy("开放许可声明已撤回；已授予的许可继续有效。"),
               call=lambda d, user, data: open_licences.open_licence_withdraw(declaration_id=d.pk, actor=user)),
    PageAction("consent", gettext_lazy("同意"), gettext_lazy("已记录同意。"),
               call=lambda d, user, data: open_licences.open_licence_consent(declaration_id=d.pk, actor=user)),
    PageAction("evaluation_report", gettext_lazy("上传评价报告"), gettext_lazy("评价报告已上传。"),
               form_class=EvaluationReportForm,
               call=lambda d, user, data: open_licences.open_licence_attach_report(declaration_id=d.pk, actor=user,
                                                                                  **data)),
])
declaration_action = DECLARATION_ACTIONS.view(
    find=visible_declaration, render_page=_open_licences_page,
    success_url=lambda request, declaration, result: reverse("frontend:my_open_licences"))


# -- licences and royalties -------------------------------------------------------------------------
@login_required
@require_GET
def my_licences(request: HttpRequest) -> HttpResponse:
    """Licences my organisation holds (with royalties due) and grants; my licence contracts; reminders."""
    org_id = request.user.organisation_id
    licences = licences_visible_to(request.user).filter(Q(licensee_id=org_id) | Q(licensor_id=org_id)).prefetch_related(
        "periods")
    context = {
        "taken": [licence for licence in licences if licence.licensee_id == org_id],
        "granted": [licence for licence in licences if licence.licensor_id == org_id],
        "contracts": licence_contracts_visible_to(request.user).filter(
            Q(licensee_id=org_id) | Q(licensor_id=org_id)).exclude(state=LicenceContractState.CANCELLED),
        "reminders": LicenceReminder.objects.filter(organisation_id=org_id)[:20] if org_id else [],
        "nav": "licences",
    }
    return render(request, "frontend/licences/my_licences.html", context)


def render_licence(request: HttpRequest, licence, *, outcome: Outcome | None = None, status: int = 200):
    is_licensee = licence.licensee_id == request.user.organisation_id
    periods = list(licence.periods.select_related("escrow"))
    context = {
        "licence": licence, "periods": periods, "is_licensee": is_licensee,
        "report_forms": {p.pk: RoyaltyReportForm(initial={"period_id": p.pk}) for p in periods
                         if is_licensee and p.status == "awaiting_report"},
        "pay_forms": {p.pk: RoyaltyPayForm(initial={"period_id": p.pk}) for p in periods
                      if is_licensee and p.payable},
        "documents": documents_of(licence), "timeline": timeline(licence),
        "reasons": outcome.reasons if outcome else [], "nav": "licences",
        "next_step": licence_next_step(licence, request.user.organisation),
    }
    return render(request, "frontend/licences/licence_detail.html", context, status=status)


def visible_licence(request: HttpRequest, pk: int):
    return get_object_or_404(licences_visible_to(request.user), pk=pk)


@login_required
@require_GET
def licence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_licence(request, visible_licence(request, pk))


def _licence_page(request: HttpRequest, licence, *, bound: Bound = None, **kwargs) -> HttpResponse:
    """A royalty action answers on the licence page (a refused form's errors flashed)."""
    if bound is not None and bound[1].errors:
        flash_errors(request, bound[1].errors)
    return render_licence(request, licence, **kwargs)


def _period_of(licence, period_id: int) -> int:
    """The period, if it is one of this licence's (the form names it)."""
    if not licence.periods.filter(pk=period_id).exists():
        raise ValidationError({"period_id": [_("该期不属于本许可")]})
    return period_id


ROYALTY_ACTIONS = PageActions("frontend:licence_royalty", [
    PageAction("report", gettext_lazy("报告"), gettext_lazy("已报告，本期应付许可使用费已计算。"), form_class=RoyaltyReportForm,
               call=lambda licence, user, data: royalties.royalty_report(
                   period_id=_period_of(licence, data["period_id"]), actor=user, quantity=data["quantity"])),
    PageAction("pay", gettext_lazy("支付"), gettext_lazy("许可使用费已支付给许可方。"), form_class=RoyaltyPayForm,
               call=lambda licence, user, data: royalties.royalty_pay(
                   period_id=_period_of(licence, data["period_id"]), actor=user,
                   idempotency_key=data["idempotency_key"])),
])
licence_royalty = ROYALTY_ACTIONS.view(
    find=visible_licence, render_page=_licence_page,
    success_url=lambda request, licence, result: reverse("frontend:licence_detail", args=[licence.pk]))


# -- staff ------------------------------------------------------------------------------------------
@login_required
@require_GET
@shows_403_page
def staff_licences(request: HttpRequest) -> HttpResponse:
    """Declarations to check and contract filings (备案) to record."""
    require_staff(request)
    context = {
        "submitted": open_licences_visible_to(request.user).filter(state=OpenLicenceState.SUBMITTED),
        "filed": LicenceContract.objects.filter(state=LicenceContractState.FILED).select_related(
            "patent", "licensor", "licensee"),
        "overdue": [c for c in LicenceContract.objects.filter(state=LicenceContractState.EFFECTIVE).select_related(
            "patent", "licensor") if c.filing_overdue],
        "reject_form": ReasonForm(), "nav": "staff_licences",
    }
    return render(request, "frontend/licences/staff_queue.html", context)


@login_required
@require_POST
@shows_403_page
def staff_declaration(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    require_staff(request)
    declaration = visible_declaration(request, pk)
    if action == "publish":
        outcome = call_service(open_licences.open_licence_publish, declaration_id=declaration.pk, actor=request.user)
    elif action == "reject":
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        outcome = call_service(open_licences.open_licence_reject, declaration_id=declaration.pk, actor=request.user,
                               reason=reason)
    else:
        raise Http404
    if not outcome.ok:
        flash_errors(request, outcome.errors)
        return render_declaration(request, visible_declaration(request, pk), outcome=outcome,
                                  status=409 if outcome.reasons else 400)
    messages.success(request, _("已公告。") if action == "publish" else _("已驳回。"))
    return redirect("frontend:staff_licences")
