"""Batch revaluation (manage.py value_patents through Celery tasks, eager here) and the quick estimate."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from valuation.models import Valuation, ValuationSource
from valuation.quick import compute_quick_estimate, quick_estimate
from valuation.tasks import value_patents_chunk_task

from ..factories import PatentFactory, pledge


@pytest.fixture
def patents(holder_org):
    return [PatentFactory(holders=[holder_org], ipc_codes=[ipc]) for ipc in ("H01M4/36", "G06F16/31", "A61K31/00",
                                                                             "E04B1/00", "C08L23/06")]


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("value_patents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_value_patents_revalues_every_patent_in_chunks(patents, capsys):
    out, _ = run("--chunk-size", "2", "--seed", "7", "--draws", "1000")
    assert "专利 5 件 / 5 patents; 新增估值 5 条 / 5 new valuations" in out
    assert "专利估值 valuing" in capsys.readouterr().err     # the tqdm bar
    rows = Valuation.objects.filter(source=ValuationSource.BATCH)
    assert sorted(rows.values_list("patent_id", flat=True)) == sorted(p.pk for p in patents)
    for row in rows:
        assert row.requested_by is None and row.method == "income" and row.inputs["assumptions"] == "default"
        assert row.weights_version.version == "2026.1" and row.seed == 7 and row.draws == 1000
        assert Decimal("0") <= row.p10 <= row.p50 <= row.p90
        assert row.results["basis"].startswith("快速估算")


def test_running_again_adds_nothing(patents):
    run("--chunk-size", "2", "--seed", "7", "--draws", "1000", "--no-progress")
    first = {v.patent_id: (v.p10, v.p50, v.p90) for v in Valuation.objects.all()}
    out, _ = run("--chunk-size", "2", "--seed", "7", "--draws", "1000", "--no-progress")
    assert "新增估值 0 条" in out and Valuation.objects.count() == 5
    # Another seed is another run: new rows.
    run("--chunk-size", "2", "--seed", "8", "--draws", "1000", "--no-progress")
    assert Valuation.objects.count() == 10
    assert first == {v.patent_id: (v.p10, v.p50, v.p90) for v in Valuation.objects.filter(seed=7)}


def test_chunk_task_is_reproducible_for_the_same_chunk_and_seed(patents):
    ids = [p.pk for p in patents[:3]]
    assert value_patents_chunk_task.delay(ids, "2026.1", 11, 1000).get() == 3
    first = {v.patent_id: (v.p10, v.p50, v.p90) for v in Valuation.objects.all()}
    Valuation.objects.all().delete()
    value_patents_chunk_task(ids, "2026.1", 11, 1000)
    assert first == {v.patent_id: (v.p10, v.p50, v.p90) for v in Valuation.objects.all()}


def test_a_batch_of_one_equals_the_quick_estimate(settings, patents):
    """Both seed their stream with (seed, patent id) and draw the same way."""
    settings.VALUATION = {"QUICK_DRAWS": 2000}
    patent = patents[0]
    value_patents_chunk_task([patent.pk], "2026.1", 20260101, 2000)
    stored = Valuation.objects.get()
    estimate = quick_estimate(patent)
    assert (estimate["p10"], estimate["p50"], estimate["p90"]) == (stored.p10, stored.p50, stored.p90)
    assert estimate["pledge"]["ratio"] == stored.pledge_ratio


def test_command_refuses_bad_options(db):
    with pytest.raises(CommandError, match="Unknown weights version"):
        run("--weights-version", "1999.9")
    with pytest.raises(CommandError, match="--chunk-size"):
        run("--chunk-size", "0")


def test_quick_estimate_explains_and_is_cached(patents, django_assert_num_queries):
    patent = patents[0]
    estimate = quick_estimate(patent)
    assert estimate["currency"] == "CNY" and estimate["weights_version"] == "2026.1"
    assert Decimal("0") < estimate["p10"] < estimate["p50"] < estimate["p90"]
    assert len(estimate["indicators"]) == 16 and all(" / " in row["reason"] for row in estimate["indicators"])
    assert estimate["basis"].startswith("快速估算")
    assert Decimal("0") < estimate["pledge"]["ratio"] <= Decimal("0.25")
    with django_assert_num_queries(0):
        assert quick_estimate(patent) == estimate
    patent.claims_count = 30            # saving the patent changes updated_at: a new estimate
    patent.save()
    assert quick_estimate(patent)["score"] > estimate["score"]


def test_quick_estimate_of_a_pledged_patent_advises_zero(patents, bank_org):
    pledge(patents[0], bank_org)
    estimate = compute_quick_estimate(patents[0])
    assert estimate["pledge"]["ratio"] == 0 and estimate["p50"] > 0


def test_quick_estimate_of_a_lapsed_patent_is_zero(holder_org):
    lapsed = PatentFactory(holders=[holder_org], legal_status="lapsed", filing_date=dt.date(2015, 1, 1))
    estimate = compute_quick_estimate(lapsed)
    assert (estimate["p10"], estimate["p50"], estimate["p90"], estimate["score"]) == (0, 0, 0, 0)
    assert estimate["risk_lines"] == ["专利权已终止或期满，价值为 0 / The right no longer exists: its value is 0"]
    assert np.isclose(float(estimate["pledge"]["ratio"]), 0)


@pytest.mark.parametrize(("case", "user_fixture", "sees_pledge"), [("bank", "bank_officer", True), ("staff", "staff", True),
                                                                    ("holder", "holder", False), ("anonymous", None, False)])
def test_quick_estimate_card_on_pages(request, rf, patents, case, user_fixture, sees_pledge):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    http = rf.get("/")
    http.user = request.getfixturevalue(user_fixture) if user_fixture else AnonymousUser()
    html = Template("{% load valuation_tags %}{% quick_estimate_card patent %}").render(
        Context({"request": http, "patent": patents[0]}))
    estimate = quick_estimate(patents[0])
    assert f"¥{estimate['p50']:,.2f}" in html and "综合评分" in html
    assert "权利要求 8 项，其中独立权利要求 2 项" in html              # a reason
    assert ("建议质押率" in html) is sees_pledge


@pytest.mark.celery_worker
def test_value_patents_through_a_real_worker(celery_worker_process, patents):
    out, _ = run("--chunk-size", "2", "--draws", "1000", "--no-progress")
    assert "新增估值 5 条 / 5 new valuations" in out
    assert Valuation.objects.filter(source=ValuationSource.BATCH).count() == 5
