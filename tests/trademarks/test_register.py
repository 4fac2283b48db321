"""Marks reach the register through the importer and the event feed, as patents do: renewal within its window
only, cancellation and revocation, holder changes; a rerun applies nothing twice."""

import datetime as dt
import json

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from market.models import LegalStatus, Patent, PatentKind, RegisterEvent, RegisterEventKind
from market.register.claims import claim_submit
from market.register.feed import FeedError, register_apply, register_expire_due
from market.register.trademarks import import_trademarks

from ..factories import trademark

RECORD = {"registration_number": "第 018765432 号", "mark_text": "丽水山耕", "mark_type": "word",
          "filing_date": "2014-03-02", "registration_date": "2016-06-07",
          "goods": [{"nice_class": 30, "group": "3002", "name": "茶"}, {"group": "3202", "name": "果汁"}],
          "holders": [{"name": "丽水市农业投资发展有限公司（演示）", "credit_code": "", "share": None}],
          "demo": True}


@pytest.fixture
def record_file(tmp_path):
    def write(*records):
        path = tmp_path / "marks.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
        return path
    return write


def test_import_puts_the_mark_its_goods_term_and_holders_on_the_register_once(record_file, db):
    path = record_file(RECORD)
    report = import_trademarks(path)
    assert (report.imported, report.errors) == (1, [])
    right = Patent.objects.get(kind=PatentKind.TRADEMARK)
    assert right.application_number == "18765432" and right.patent_number == "第18765432号"
    assert right.mark.nice_classes == [30, 32] and right.mark.similar_groups == ["3002", "3202"]
    assert right.mark.mark_pinyin == "li shui shan geng"
    assert right.expiry_date == dt.date(2026, 6, 6) and right.demo_generated_fields == ["*"]
    assert right.abstract == "第30类：茶；第32类：果汁"
    assert [o.name for o in right.ownerships.all()] == ["丽水市农业投资发展有限公司（演示）"]
    assert set(RegisterEvent.objects.values_list("kind", flat=True)) == {RegisterEventKind.REGISTERED,
                                                                        RegisterEventKind.HOLDER_CHANGE}
    again = import_trademarks(path)
    assert (again.imported, again.existing) == (0, 1) and Patent.objects.count() == 1


def test_import_refuses_goods_outside_their_class_and_keeps_nothing_of_the_record(record_file, db):
    bad = {**RECORD, "goods": [{"nice_class": 29, "group": "3002", "name": "茶"}]}
    report = import_trademarks(record_file(bad))
    assert report.imported == 0 and "3002" in report.errors[0]
    assert not Patent.objects.exists()


def test_a_holder_claims_its_mark_by_registration_number(holder_org, holder):
    mark = trademark(holders=[])
    mark.ownerships.create(name=holder_org.name, credit_code=holder_org.credit_code)
    claim = claim_submit(actor=holder, application_number=f"第{mark.application_number}号")
    assert claim.state == "accepted" and mark.ownerships.get().organisation == holder_org


def test_renewal_is_registered_only_in_its_window_and_adds_ten_years(db):
    today = timezone.localdate()
    early = trademark(registered=today - relativedelta(years=8))
    with pytest.raises(FeedError, match="十二个月"):
        register_apply({"id": "tm-renew-1", "registration_number": early.application_number, "event": "renewal",
                        "date": today.isoformat()})
    early.refresh_from_db()
    assert early.expiry_date == early.grant_date + relativedelta(years=10) - dt.timedelta(days=1)
    assert not RegisterEvent.objects.filter(key="tm-renew-1").exists()

    in_grace = trademark(registered=today - relativedelta(years=10, months=3))
    old_end = in_grace.expiry_date
    assert register_apply({"id": "tm-renew-2", "registration_number": in_grace.application_number,
                           "event": "renewal", "date": today.isoformat()})
    assert not register_apply({"id": "tm-renew-2", "registration_number": in_grace.application_number,
                               "event": "renewal", "date": today.isoformat()})  # applied once
    in_grace = Patent.objects.get(pk=in_grace.pk)
    assert in_grace.expiry_date == old_end + relativedelta(years=10) and in_grace.in_force

    too_late = trademark(registered=today - relativedelta(years=10, months=7))
    with pytest.raises(FeedError, match="宽展期"):
        register_apply({"id": "tm-renew-3", "registration_number": too_late.application_number, "event": "renewal",
                        "date": today.isoformat()})


def test_a_mark_past_its_grace_period_is_recorded_expired_and_cancellation_and_revocation_end_it(db):
    today = timezone.localdate()
    lapsed = trademark(registered=today - relativedelta(years=10, months=7))
    standing = trademark(registered=today - relativedelta(years=10, months=1))
    assert register_expire_due(today=today) == 1
    lapsed.refresh_from_db(), standing.refresh_from_db()
    assert (lapsed.legal_status, standing.legal_status) == (LegalStatus.EXPIRED, LegalStatus.GRANTED)
    for event, status in (("cancelled", LegalStatus.CANCELLED), ("revoked", LegalStatus.REVOKED)):
        mark = trademark()
        register_apply({"id": f"tm-{event}", "registration_number": mark.application_number, "event": event,
                        "date": today.isoformat(), "reason": "连续三年不使用 / not used for three years"})
        mark.refresh_from_db()
        assert mark.legal_status == status and not mark.in_force


def test_patent_events_do_not_apply_to_a_mark_nor_mark_events_to_a_patent(db):
    mark = trademark()
    with pytest.raises(FeedError, match="不适用"):
        register_apply({"id": "tm-fee", "registration_number": mark.application_number, "event": "fee_overdue",
                        "date": "2026-01-05"})
    with pytest.raises(FeedError, match="登记簿中无此权利"):  # a mark's number is not a patent's
        register_apply({"id": "tm-as-patent", "application_number": "201910100000.1", "event": "renewal",
                        "date": "2026-01-05"})


def test_a_marks_image_comes_with_its_record_and_is_served_as_public_register_data(record_file, tmp_path, settings):
    from io import BytesIO

    from django.test import Client
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    buffer = BytesIO()
    Image.new("RGB", (40, 20), "green").save(buffer, "PNG")
    (tmp_path / "18765432.png").write_bytes(buffer.getvalue())
    (tmp_path / "18765432.gif").write_bytes(b"GIF89a")
    refused = import_trademarks(record_file({**RECORD, "image": "18765432.gif"}))
    assert refused.imported == 0 and "PNG" in refused.errors[0]
    assert import_trademarks(record_file({**RECORD, "image": "18765432.png"})).imported == 1
    right = Patent.objects.get(kind=PatentKind.TRADEMARK)
    response = Client().get(f"/marks/{right.pk}/image/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == buffer.getvalue()
    assert Client().get("/marks/999999/image/").status_code == 404
