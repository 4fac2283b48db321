"""Chinese first, English through Django's language switch; template helpers for money and labels."""

from decimal import Decimal

from django.utils import translation

from frontend.templatetags.frontend_tags import cny, label


def test_pages_are_chinese_by_default(client, db):
    html = client.get("/").content.decode()

    assert '<html lang="zh-CN">' in html
    assert "浙江知识产权交易平台" in html and "找专利" in html and "登录" in html


def test_switching_to_english_translates_the_nav(client, listing):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Zhejiang IP Exchange" in html and "Find patents" in html and "Sign in" in html
    assert "找专利" not in html
    listing_html = client.get(f"/listings/{listing.pk}/").content.decode()
    assert "Encumbrance register" in listing_html and "Transfer" in listing_html and "Invention" in listing_html

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "找专利" in client.get("/").content.decode()


def test_the_signed_in_nav_in_english(as_staff, staff):
    as_staff.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = as_staff.get("/").content.decode()

    assert "My workspace" in html and "Review & registration" in html and "Sign out" in html
    assert "赵审核" in html and "浙江知识产权交易中心" in html


def test_the_deal_page_in_english(as_holder, deal):
    as_holder.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = as_holder.get(f"/deals/{deal.pk}/").content.decode()

    assert "Transfer deal" in html and "Negotiation" in html and "Escrow payment" in html
    assert "Accept the offer" in html and "Negotiating" in html and "¥1,000,000.00" in html


def test_money_is_yuan_with_two_places_or_negotiable():
    assert cny(Decimal("1234567")) == "¥1,234,567.00"
    assert cny(Decimal("0.5")) == "¥0.50"
    with translation.override("zh-hans"):
        assert cny(None) == "面议"
    with translation.override("en"):
        assert cny(None) == "Negotiable"


def test_bilingual_choice_labels_follow_the_language():
    with translation.override("zh-hans"):
        assert label("未缴年费终止 Lapsed (annual fee)") == "未缴年费终止"
        assert label("杭州") == "杭州"
        assert label("10–50万元 ¥100k–500k") == "10–50万元"
        assert label("Plain English") == "Plain English"
    with translation.override("en"):
        assert label("未缴年费终止 Lapsed (annual fee)") == "Lapsed (annual fee)"
        assert label("省外 Other province") == "Other province"
        assert label("500万元以上 ¥5m and more") == "¥5m and more"
