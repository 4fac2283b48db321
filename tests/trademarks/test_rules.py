"""A registered mark's own rules (Trademark Law art. 39-43, Civil Code art. 440 and 444): each allowed and
refused path, with the trademark law as the reason's source."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from market.access import ActionForbidden
from market.models import (
    Consent,
    ConsentCapacity,
    ConsentPurpose,
    Encumbrance,
    EncumbranceKind,
    LegalStatus,
    MarkSimilarity,
)
from market.rules import (
    abandonment_blockers,
    licence_blockers,
    open_licence_blockers,
    pledge_blockers,
    transfer_blockers,
)
from market.rules.pledge import package_pledge_blockers
from market.rules.transfer import package_transfer_blockers
from market.trademarks.services import mark_similarity_decide
from market.trademarks.similarity import similar_marks, text_score

from ..factories import OrganisationFactory, PatentFactory, pledge, trademark


def codes(reasons):
    return [r.code for r in reasons]


def today():
    return timezone.localdate()


# -- term and renewal (art. 39-40) ----------------------------------------------------------------
def test_a_mark_stands_ten_years_from_registration_then_six_months_of_grace(holder_org):
    mark = trademark(holders=[holder_org], registered=dt.date(2016, 3, 10))
    assert mark.expiry_date == dt.date(2026, 3, 9)
    assert mark.status_on(dt.date(2026, 9, 9)) == LegalStatus.GRANTED  # in the grace period it still stands
    assert mark.status_on(dt.date(2026, 9, 10)) == LegalStatus.EXPIRED


def test_a_mark_in_its_grace_period_may_be_sold_one_past_it_may_not_be_sold_licensed_or_pledged(holder_org):
    in_grace = trademark(holders=[holder_org], registered=today() - relativedelta(years=10, months=2))
    assert transfer_blockers(in_grace, seller=holder_org) == []
    lapsed = trademark(holders=[holder_org], registered=today() - relativedelta(years=10, months=7))
    for reasons in (transfer_blockers(lapsed, seller=holder_org), licence_blockers(lapsed, licensor=holder_org),
                    pledge_blockers(lapsed, pledgor=holder_org)):
        assert codes(reasons) == ["mark_expired"]
        assert "商标法第三十九条、第四十条" in reasons[0].source


@pytest.mark.parametrize("status,code,source", [
    (LegalStatus.CANCELLED, "mark_cancelled", "商标法第四十条"),
    (LegalStatus.REVOKED, "mark_revoked", "商标法第四十九条"),
    (LegalStatus.INVALIDATED, "invalidated", "商标法第四十四条"),
])
def test_a_cancelled_revoked_or_invalidated_mark_is_refused_for_every_act(status, code, source, holder_org):
    mark = trademark(holders=[holder_org], status=status)
    for reasons in (transfer_blockers(mark, seller=holder_org), licence_blockers(mark, licensor=holder_org)):
        assert codes(reasons) == [code] and source in reasons[0].source
    refused = pledge_blockers(mark, pledgor=holder_org)
    assert codes(refused) == [code] and "注册商标专用权质押登记程序规定" in refused[0].source


# -- transfer together (art. 42) ------------------------------------------------------------------
def test_identical_marks_on_similar_goods_are_transferred_together(holder_org):
    tea = trademark("丽水山耕", groups=("3002",), holders=[holder_org])
    tea_drinks = trademark("丽水山耕", groups=("3002", "3202"), holders=[holder_org])
    trademark("丽水山耕", groups=("2501",), holders=[holder_org])  # clothing: not similar goods
    refused = package_transfer_blockers([tea], seller=holder_org)
    assert codes(refused) == ["companion_mark_missing"]
    assert tea_drinks.application_number in refused[0].message and "3002" in refused[0].message
    assert refused[0].rule == "trademark_transfer" and "商标法第四十二条" in refused[0].source
    assert package_transfer_blockers([tea, tea_drinks], seller=holder_org) == []
    assert package_pledge_blockers([tea], pledgor=holder_org)[0].code == "companion_mark_missing"


def test_another_holders_identical_mark_does_not_bind_the_seller(holder_org):
    tea = trademark("丽水山耕", holders=[holder_org])
    trademark("丽水山耕", holders=[OrganisationFactory()])
    assert package_transfer_blockers([tea], seller=holder_org) == []


def test_a_similar_mark_waits_for_staffs_decision_and_follows_it(holder_org, staff):
    tea = trademark("丽水山耕", holders=[holder_org])
    near = trademark("丽水山耕园", holders=[holder_org])
    assert codes(package_transfer_blockers([tea], seller=holder_org)) == ["mark_similarity_undecided"]
    mark_similarity_decide(actor=staff, mark_id=near.pk, other_id=tea.pk, similar=False,
                           reason="“园”字使整体含义不同 / a different overall meaning")
    assert package_transfer_blockers([tea], seller=holder_org) == []
    decision = mark_similarity_decide(actor=staff, mark_id=tea.pk, other_id=near.pk, similar=True,
                                      reason="主要部分相同，易使公众混淆 / the dominant part is the same")
    assert MarkSimilarity.objects.get() == decision and decision.similar
    assert codes(package_transfer_blockers([tea], seller=holder_org)) == ["companion_mark_missing"]


def test_only_staff_decide_similarity_and_always_with_a_reason(holder_org, holder, staff):
    tea, near = trademark("丽水山耕", holders=[holder_org]), trademark("丽水山耕园", holders=[holder_org])
    with pytest.raises(ActionForbidden):
        mark_similarity_decide(actor=holder, mark_id=tea.pk, other_id=near.pk, similar=False, reason="不近似")
    with pytest.raises(ValidationError) as refused:
        mark_similarity_decide(actor=staff, mark_id=tea.pk, other_id=near.pk, similar=False, reason=" ")
    assert "reason" in refused.value.message_dict
    assert not MarkSimilarity.objects.exists()


def test_similar_mark_lookup_finds_text_and_sound_alikes_on_similar_goods_only(db):
    mark = trademark("丽水山耕", groups=("3002",))
    sound = trademark("立水山耕", groups=("3002",))
    trademark("丽水山耕", groups=("2501",))
    trademark("西湖龙井", groups=("3002",))
    found = similar_marks(mark)
    assert [(s.right.pk, s.shared_groups) for s in found] == [(sound.pk, ("3002",))]
    assert text_score("丽水山耕", "立水山耕", "li shui shan geng", "li shui shan geng") == 0.9
    assert text_score("丽水山耕", "丽水山耕园") >= 0.6 > text_score("丽水山耕", "西湖龙井")


# -- licence (art. 43) and co-owned marks -------------------------------------------------------
def test_every_co_owner_consents_to_any_licence_of_a_mark_agreement_or_not(holder_org):
    partner = OrganisationFactory()
    mark = trademark(holders=[holder_org, partner])
    mark.ownerships.filter(organisation=holder_org).update(agreement_allows_sole_action=True)
    for reasons in (licence_blockers(mark, licensor=holder_org), transfer_blockers(mark, seller=holder_org),
                    pledge_blockers(mark, pledgor=holder_org)):
        assert codes(reasons) == ["co_owner_consent_missing"]
        assert "共有商标" in reasons[0].message
    patent = PatentFactory(holders=[holder_org, partner])  # an ordinary patent licence needs no consent
    assert licence_blockers(patent, licensor=holder_org) == []


def test_a_co_owners_consent_to_the_deal_lets_the_mark_go(holder_org, holder):
    partner = OrganisationFactory()
    mark = trademark(holders=[holder_org, partner])
    deal = Encumbrance.objects.create(patent=mark, kind=EncumbranceKind.ORDINARY_LICENCE)  # any saved deal object
    Consent.objects.create(patent=mark, organisation=partner, capacity=ConsentCapacity.CO_OWNER,
                           purpose=ConsentPurpose.TRANSFER, deal_type=ContentType.objects.get_for_model(deal),
                           deal_id=deal.pk, given_by=holder)
    assert transfer_blockers(mark, seller=holder_org, deal=deal) == []


# -- pledge (Civil Code art. 440, 444; the office's pledge procedure) -----------------------------
def test_pledge_of_a_mark_is_refused_for_a_non_holder_a_seized_mark_and_a_second_pledge(holder_org, bank_org):
    mark = trademark(holders=[holder_org])
    assert pledge_blockers(mark, pledgor=holder_org) == []
    assert codes(pledge_blockers(mark, pledgor=OrganisationFactory())) == ["not_registered_holder"]
    Encumbrance.objects.create(patent=mark, kind=EncumbranceKind.PRESERVATION, beneficiary_name="杭州市中级人民法院")
    seized = pledge_blockers(mark, pledgor=holder_org)
    assert codes(seized) == ["court_preservation"] and "查封、冻结" in seized[0].message
    assert "注册商标专用权质押登记程序规定" in seized[0].source
    other = trademark("西湖龙井", holders=[holder_org])
    pledge(other, bank_org)
    again = pledge_blockers(other, pledgor=holder_org)
    assert codes(again) == ["already_pledged"] and again[0].source == ""  # the platform's own procedure


def test_a_pledged_mark_is_sold_or_licensed_only_with_the_pledgees_consent(holder_org, bank_org):
    mark = trademark(holders=[holder_org])
    pledge(mark, bank_org)
    for reasons in (transfer_blockers(mark, seller=holder_org), licence_blockers(mark, licensor=holder_org)):
        assert codes(reasons) == ["pledged_without_consent"]
        assert "民法典第四百四十四条" in reasons[0].source


def test_open_licence_and_abandonment_are_patent_acts(holder_org):
    mark = trademark(holders=[holder_org])
    for reasons in (open_licence_blockers(mark, holder=holder_org), abandonment_blockers(mark, holder=holder_org)):
        assert codes(reasons) == ["not_for_marks"] and reasons[0].source


def test_a_licence_of_a_mark_may_not_run_past_its_registration(holder_org):
    mark = trademark(holders=[holder_org], registered=dt.date(2017, 1, 10))
    refused = licence_blockers(mark, licensor=holder_org, end_date=mark.expiry_date + dt.timedelta(days=1))
    assert [r.code for r in refused] == ["term_past_expiry"] and "商标法第四十三条" in refused[0].source
    assert licence_blockers(mark, licensor=holder_org, end_date=mark.expiry_date) == []


def test_a_decision_on_two_signs_holds_for_every_mark_of_those_texts(holder_org, staff):
    tea = trademark("丽水山耕", groups=("3002",), holders=[holder_org])
    drinks = trademark("丽水山耕", groups=("3002", "3202"), holders=[holder_org])
    near = trademark("丽水山耕园", groups=("3002", "3202"), holders=[holder_org])
    mark_similarity_decide(actor=staff, mark_id=tea.pk, other_id=near.pk, similar=False, reason="整体含义不同")
    assert package_transfer_blockers([tea, drinks], seller=holder_org) == []
