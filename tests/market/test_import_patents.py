"""manage.py import_patents: real records in, generated fields marked, reruns and resumes add nothing twice."""

import csv
import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from market.demo import identifiers as ids
from market.demo.holders import join_holders, resolve_organisations
from market.demo.importer import import_patents
from market.industries import industry_for_ipc
from market.models import LegalStatus, Organisation, OrganisationKind, Patent, PatentKind, PatentOwner
from market.regions import City
from market.validators import application_check_digit, normalise_application_number, validate_credit_code
from tests.factories import PatentFactory

# Three real records of KPPatent-ZH (MIT, © 2025 Gongbo Tang), test split, copied verbatim.
KPP_RECORDS = [
    {"id": "kpp-test-0002", "publication_number": "CN111185648A", "title": "双面坡口开设方法",
     "abstract": "本申请公开了双面坡口开设方法，包括将两台气割装置活动安装在轨道上，其中一台气割装置的喷火枪头倾斜朝内，"
                 "另一台气割装置的喷火枪头倾斜朝外；喷火枪头喷射火焰，控制两台气割装置的在轨道上移动，对板材侧边进行双面坡口"
                 "切割。本申请通过设置两台活动安装在轨道上的气割装置，能够对坡口的双面同时进行切割，切割效率高，且同时进行双面"
                 "坡口的开设，能够保证焊缝的质量及精度，节约人力物力。",
     "claims": "1.一种双面坡口开设方法，其特征在于，将两台气割装置活动安装在轨道上，其中一台气割装置的喷火枪头倾斜朝内，"
               "另一台气割装置的喷火枪头倾斜朝外；喷火枪头喷射火焰，控制两台气割装置的在轨道上移动，对板材侧边进行双面坡口切割。",
     "keyphrases": ["丝杆", "割嘴", "螺杆", "杆", "导轨", "滑槽", "两个", "切割", "坡口", "两面", "面", "咀", "上", "割",
                    "开", "双面", "滑轨", "滑道", "螺纹", "下面", "轨道", "正反面", "切", "割炬", "丝杠"]},
    {"id": "kpp-test-0601", "publication_number": "CN109112850A", "title": "一种纺线的编制方法",
     "abstract": "本发明公开了一种纺线的编制方法，涉及一种编制方法领域。包括步骤将纺线进行平行处理，将处理后的纺线进行相互交错"
                 "排列，将排列后的纺线用涂覆物进行表面涂覆处理，待涂覆物凝固。该方法处理方式简单，并且编制后的纺线不会发生松散的"
                 "现象。",
     "claims": "1.一种纺线的编制方法，其特征在于：包括步骤(1)将纺线进行平行处理，(2)将处理后的纺线进行相互交错排列，(3)将排列"
               "后的纺线用涂覆物进行表面涂覆处理，(4)待涂覆物凝固。\n2.根据权利要求1所述的一种纺线的编制方法，其特征在于，所述的"
               "步骤(1)中的的平行处理为两端平行交错排列。\n3.根据权利要求1所述的一种纺线的编制方法，其特征在于，所述的步骤(3)中的"
               "涂覆物为玻璃胶。",
     "keyphrases": ["交错", "纱", "编织", "玻璃胶", "编制", "线", "涂层", "涂覆", "平行"]},
    {"id": "kpp-test-0197", "publication_number": "CN110092606A", "title": "一种水泥基材用多元膨胀材料",
     "abstract": "本发明涉及提供一种水泥基材用多元膨胀材料，由以下重量配比组成：无水石膏72份，煅烧后的硅酸镁锂粉59份，含碳有机"
                 "化合物2.7份，氢氧化锂0.6份；木质纤维素1.2份，硫酸铝钾1.1份，所述硅酸镁锂粉的矿物组成中的硅酸镁锂含量为84%;所述"
                 "无水石膏中的CaSO4的质量含量为95%。通过采用本发明所提供的多元膨胀材料，能够对膨胀效果进行控制，使混合物的强度与"
                 "膨胀度呈正相关。",
     "claims": "1.一种水泥基材用多元膨胀材料，其特征在于，由以下重量配比组成：无水石膏72份，煅烧后的硅酸镁锂粉59份，含碳有机"
               "化合物2.7份，氢氧化锂0.6份；木质纤维素1.2份，硫酸铝钾1.1份，所述硅酸镁锂粉的矿物组成中的硅酸镁锂含量为84%;所述无水石膏"
               "中的CaSO4的质量含量为95%。",
     "keyphrases": ["锂", "石膏", "硫酸钙", "硅酸", "膨胀", "镁"]},
]
# Real rows of the CNKI bibliographic crawl (cn_cnki_bibliographic.csv.gz): Zhejiang university, Ningbo firm,
# two Shenzhen/Chengdu co-applicants, an individual applicant, and a foreign record (not CNIPA: skipped).
CNKI_FIELDS = ["src_id", "title", "inventors", "applicants", "source_db", "filing_date", "publication_date",
               "crawl_keyword", "zhejiang_hint"]
CNKI_ROWS = [
    ["123", "一种基于神经通路的用户隐私保护方法、电子设备、介质", "陈晋音;黄国瀚;宣琦", "浙江工业大学", "CN", "2022-09-27",
     "2025-06-17", "计算机", "True"],
    ["82", "一种天文图像复原方法、电子设备及程序产品", "周建锋;刘晨迪;苏彦", "宁波星帆信息科技有限公司", "CN", "2021-09-02",
     "2025-06-17", "计算机", "True"],
    ["2", "肺部病理图像的处理方法、装置、电子设备及存储介质", "肖婷;黄映婷;刘佳斌;张阳;郑文先",
     "深圳云天励飞技术股份有限公司;成都云天励飞技术有限公司", "CN", "2020-12-28", "2025-06-17", "计算机", "False"],
    ["487", "医学护理助行器", "吴禹衡", "吴禹衡", "CN", "2024-10-24", "2025-06-17", "医学", "False"],
    ["818", "METHODS FOR IMPROVING PRODUCTION OF BIOLOGICAL PRODUCTS BY REDUCING THE LEVEL OF ENDOGENOUS PROTEIN",
     "R‧杨;P‧M‧奥卡拉汉;D‧詹姆斯;S‧杰夫", "LONZA LTD", "overseas", "2021-08-16", "2025-06-13", "生物学", "False"],
]
KPP_FILE = "kpp_fixture.jsonl.gz"


def write_jsonl_gz(path, records):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CNKI_FIELDS)
        writer.writerows(rows)
    return path


@pytest.fixture
def kpp_file(tmp_path):
    return write_jsonl_gz(tmp_path / KPP_FILE, KPP_RECORDS)


@pytest.fixture
def cnki_file(tmp_path):
    return write_csv(tmp_path / "cnki_fixture.csv", CNKI_ROWS)


def run(path, *args, checkpoint):
    out = io.StringIO()
    call_command("import_patents", str(path), "--no-progress", "--checkpoint", str(checkpoint), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_imports_real_fields_and_marks_generated_ones(kpp_file, tmp_path):
    out = run(kpp_file, checkpoint=tmp_path / "ck.json")

    assert "新导入 3" in out
    patents = {p.source: p for p in Patent.objects.all()}
    assert set(patents) == {f"{KPP_FILE}#kpp-test-0002", f"{KPP_FILE}#kpp-test-0601", f"{KPP_FILE}#kpp-test-0197"}
    weaving = patents[f"{KPP_FILE}#kpp-test-0601"]
    assert weaving.title == "一种纺线的编制方法"
    assert weaving.abstract == KPP_RECORDS[1]["abstract"]
    assert weaving.claims == KPP_RECORDS[1]["claims"]
    assert weaving.first_claim.startswith("一种纺线的编制方法，其特征在于")
    assert (weaving.claims_count, weaving.independent_claims) == (3, 1)
    assert weaving.publication_number == "CN109112850A"
    for patent in patents.values():
        number = patent.application_number
        assert normalise_application_number(number) == number
        assert number[-1] == application_check_digit(number[:12])
        assert number[4] == "1" and patent.kind == PatentKind.INVENTION
        assert int(number[:4]) == patent.filing_date.year
        assert {"application_number", "filing_date", "publication_date", "legal_status"} <= set(
            patent.demo_generated_fields)
        assert not {"title", "abstract", "claims", "publication_number", "kind"} & set(patent.demo_generated_fields)
        assert patent.industry == industry_for_ipc(patent.ipc_codes)
        assert ("ipc_codes" in patent.demo_generated_fields) == bool(patent.ipc_codes)
        assert patent.ownerships.count() == 0  # the records name no applicant
    cement = patents[f"{KPP_FILE}#kpp-test-0197"]
    assert cement.ipc_codes == ["C04B"] and cement.industry == "new_materials"


@pytest.mark.django_db
def test_it_generates_the_same_values_for_the_same_record(kpp_file, tmp_path):
    fields = ("application_number", "filing_date", "publication_date", "grant_date", "legal_status", "ipc_codes")
    import_patents(kpp_file)
    first = sorted(Patent.objects.values_list(*fields))
    Patent.objects.all().delete()

    import_patents(kpp_file)

    assert sorted(Patent.objects.values_list(*fields)) == first


@pytest.mark.django_db
def test_rerun_imports_nothing_new(kpp_file, tmp_path):
    run(kpp_file, checkpoint=tmp_path / "ck.json")
    numbers = set(Patent.objects.values_list("application_number", flat=True))

    stats = import_patents(kpp_file)

    assert (stats.read, stats.imported, stats.existing) == (3, 0, 3)
    assert set(Patent.objects.values_list("application_number", flat=True)) == numbers


@pytest.mark.django_db
def test_resume_after_an_interrupted_import_completes_without_duplicates(kpp_file, tmp_path):
    checkpoint = tmp_path / "ck.json"
    out = run(kpp_file, "--limit", "2", checkpoint=checkpoint)
    assert "未读完" in out
    assert Patent.objects.count() == 2
    saved = json.loads(checkpoint.read_text(encoding="utf-8"))
    assert (saved["records_done"], saved["complete"]) == (2, False)

    stats = import_patents(kpp_file, resume=True, checkpoint_path=checkpoint, source_tag=KPP_FILE)

    assert (stats.resumed_from, stats.read, stats.imported, stats.existing) == (2, 1, 1, 0)
    assert stats.complete
    assert Patent.objects.count() == 3
    assert sorted(Patent.objects.values_list("source", flat=True)) == sorted(
        f"{KPP_FILE}#{r['id']}" for r in KPP_RECORDS)
    assert json.loads(checkpoint.read_text(encoding="utf-8"))["records_done"] == 3


@pytest.mark.django_db
def test_resume_after_a_complete_import_reads_nothing(kpp_file, tmp_path):
    run(kpp_file, checkpoint=tmp_path / "ck.json")

    out = run(kpp_file, "--resume", checkpoint=tmp_path / "ck.json")

    assert "读取 0 条" in out
    assert Patent.objects.count() == 3


@pytest.mark.django_db
def test_resume_refuses_a_checkpoint_of_another_file(kpp_file, cnki_file, tmp_path):
    run(cnki_file, "--limit", "1", checkpoint=tmp_path / "ck.json")
    before = Patent.objects.count()

    with pytest.raises(CommandError, match="检查点"):
        run(kpp_file, "--resume", checkpoint=tmp_path / "ck.json")

    assert Patent.objects.count() == before


@pytest.mark.django_db
def test_a_generated_number_taken_by_another_patent_moves_to_the_next_alternative(kpp_file):
    import_patents(kpp_file)
    taken = Patent.objects.get(source__endswith="#kpp-test-0002")
    number = taken.application_number
    Patent.objects.all().delete()
    PatentFactory(application_number=number, title="另一件专利", holders=[])

    first = import_patents(kpp_file)
    second = import_patents(kpp_file)

    moved = Patent.objects.get(source__endswith="#kpp-test-0002")
    assert moved.application_number != number
    assert normalise_application_number(moved.application_number) == moved.application_number
    assert (first.imported, first.conflicts) == (3, 0)
    assert (second.imported, second.existing) == (0, 3)
    assert Patent.objects.count() == 4


@pytest.mark.django_db
def test_holders_go_on_the_register_with_generated_codes_and_join_nobody(cnki_file, tmp_path):
    out = run(cnki_file, checkpoint=tmp_path / "ck.json")

    assert "读取 5 条，新导入 4" in out and "跳过 1" in out  # the foreign row is not a CNIPA record
    assert not Organisation.objects.exists()  # a holder joins the platform only by claiming its holdings
    holders = {row.name: row for row in PatentOwner.objects.all()}
    assert set(holders) == {"浙江工业大学", "宁波星帆信息科技有限公司", "深圳云天励飞技术股份有限公司",
                            "成都云天励飞技术有限公司", "吴禹衡"}
    assert not any(row.organisation_id for row in holders.values())
    for name, row in holders.items():
        if name == "吴禹衡":
            assert row.credit_code == ""  # a person has no credit code
        else:
            validate_credit_code(row.credit_code)
    assert holders["浙江工业大学"].credit_code.startswith("12330100")  # a public institution of 杭州
    pathology = Patent.objects.get(title__startswith="肺部病理图像")
    assert list(pathology.ownerships.values_list("name", flat=True)) == [
        "深圳云天励飞技术股份有限公司", "成都云天励飞技术有限公司"]
    assert pathology.applicants == "深圳云天励飞技术股份有限公司；成都云天励飞技术有限公司"
    assert pathology.filing_date.isoformat() == "2020-12-28"  # a fact of the record, not generated
    assert pathology.legal_status == LegalStatus.GRANTED and pathology.grant_date.isoformat() == "2025-06-17"
    assert {"owners", "holder_credit_codes", "legal_status", "grant_date", "kind"} <= set(pathology.demo_generated_fields)
    assert "filing_date" not in pathology.demo_generated_fields
    walker = Patent.objects.get(title="医学护理助行器")
    assert list(walker.ownerships.values_list("name", flat=True)) == ["吴禹衡"] and walker.applicants == "吴禹衡"

    run(cnki_file, checkpoint=tmp_path / "ck.json")

    assert PatentOwner.objects.count() == 5


@pytest.mark.django_db
def test_join_holders_makes_each_organisation_once_with_its_registered_code(cnki_file, tmp_path):
    run(cnki_file, checkpoint=tmp_path / "ck.json")

    assert join_holders() == 4  # the person stays a holder without an organisation
    orgs = {o.name: o for o in Organisation.objects.all()}
    assert len(orgs) == 4 and all(not org.verified and org.address.startswith("【演示生成】") for org in orgs.values())
    university = orgs["浙江工业大学"]
    assert (university.city, university.kind, university.is_public_institution) == (
        City.HANGZHOU, OrganisationKind.UNIVERSITY, True)
    assert orgs["宁波星帆信息科技有限公司"].city == City.NINGBO and orgs["深圳云天励飞技术股份有限公司"].city == City.OTHER
    for row in PatentOwner.objects.exclude(credit_code=""):
        assert row.organisation.credit_code == row.credit_code
    assert join_holders() == 0


@pytest.mark.django_db
def test_holder_lookup_costs_the_same_queries_for_one_name_or_many(django_assert_max_num_queries):
    names = [f"杭州测试{n}科技有限公司" for n in range(200)]

    # Two lookups and the bulk insert: one statement on PostgreSQL; SQLite splits 200 rows of an organisation's
    # 10 columns into 3 by its 999-parameter limit.
    with django_assert_max_num_queries(5) as context:
        created = resolve_organisations(names)
    with django_assert_max_num_queries(1):
        found = resolve_organisations(names)

    statements = [q["sql"].split()[0].upper() for q in context.captured_queries]
    assert statements.count("SELECT") == 2
    assert found == created and len(created) == 200
    assert Organisation.objects.count() == 200


@pytest.mark.django_db
def test_a_batch_costs_a_fixed_number_of_queries(tmp_path, django_assert_max_num_queries):
    rows = [[str(n), f"{row[1]}（{n}）", *row[2:]] for n, row in enumerate(CNKI_ROWS[:3] * 40)]
    path = write_csv(tmp_path / "many.csv", rows)

    with django_assert_max_num_queries(16):  # 120 records, 160 holder rows: per-row queries would be hundreds
        stats = import_patents(path)

    assert stats.imported == 120
    assert PatentOwner.objects.count() == 160


@pytest.mark.django_db
def test_it_counts_unparseable_lines_and_imports_the_rest(tmp_path):
    path = tmp_path / "broken.jsonl"
    lines = [json.dumps(KPP_RECORDS[0], ensure_ascii=False), "{not json", "", json.dumps(KPP_RECORDS[1],
                                                                                           ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    stats = import_patents(path)

    assert (stats.read, stats.invalid, stats.imported) == (3, 1, 2)


@pytest.mark.django_db
def test_it_refuses_an_unsupported_format(tmp_path):
    path = write_jsonl_gz(tmp_path / "us.jsonl.gz", [{"publication_number": "US8088241B2", "kind": "B2",
                                                      "application_type": "utility", "title": "Table base"}])

    with pytest.raises(CommandError, match="不支持的记录格式"):
        run(path, checkpoint=tmp_path / "ck.json")

    assert Patent.objects.count() == 0


@pytest.mark.django_db
def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run(tmp_path / "nope.jsonl", checkpoint=tmp_path / "ck.json")


@pytest.mark.parametrize(("name", "city", "kind"), [
    ("浙江大学", City.HANGZHOU, OrganisationKind.UNIVERSITY),
    ("中国科学院宁波材料技术与工程研究所", City.NINGBO, OrganisationKind.RESEARCH_INSTITUTE),
    ("阿里巴巴达摩院(杭州)科技有限公司", City.HANGZHOU, OrganisationKind.ENTERPRISE),
    ("浙江义乌某电器有限公司", City.JINHUA, OrganisationKind.ENTERPRISE),
    ("温州职业技术学院", City.WENZHOU, OrganisationKind.UNIVERSITY),
    ("京东方科技集团股份有限公司", City.OTHER, OrganisationKind.ENTERPRISE),
], ids=["zhejiang_means_hangzhou_case", "institute_before_university_case", "city_in_brackets_case",
        "county_town_case", "college_case", "other_province_case"])
def test_city_and_kind_are_guessed_from_the_name(name, city, kind):
    code = ids.credit_code(name, kind=ids.guess_kind(name), city=ids.guess_city(name))

    assert (ids.guess_city(name), ids.guess_kind(name)) == (city, kind)
    validate_credit_code(code)
    assert code[2:6] == city  # the area code follows the city


def test_alternative_numbers_are_valid_and_distinct():
    numbers = [ids.application_number("kpp-test-0002", year=2020, kind=PatentKind.INVENTION, attempt=n)
               for n in range(8)]

    assert len(set(numbers)) == 8
    assert all(normalise_application_number(n) == n and n.startswith("20201") for n in numbers)
