"""What scraping the publications left in the KPPatent-ZH texts is taken out on import: page headers between
the claims, the drawing's labels before an abstract, the claims after it; a text's own numbers stay."""

import pytest

from market.demo.records import scrub_abstract, scrub_claims


@pytest.mark.parametrize(("raw", "clean"), [
    ("23本发明提供一种燃料电池热水系统", "本发明提供一种燃料电池热水系统"),
    ("1本发明提供一种户外信息显示装置", "本发明提供一种户外信息显示装置"),
    ("200一种管理车辆(600)的方法(200)和装置(500)。", "一种管理车辆(600)的方法(200)和装置(500)。"),
    ("201.检测第一终端的位置信息202.接收位置信息本申请公开了一种终端间定位方法", "本申请公开了一种终端间定位方法"),
    ("120-1120-2本申请披露了一种系统", "本申请披露了一种系统"),
    ("精准的进行预埋。CN114033192A权利要求书1/2页1.一种预埋件", "精准的进行预埋。"),
    ("7自由度机械臂的路径规划方法", "7自由度机械臂的路径规划方法"),
    ("5G通信中的波束管理方法", "5G通信中的波束管理方法"),
])
def test_abstracts_lose_what_the_scraper_left(raw, clean):
    assert scrub_abstract(raw) == clean


def test_claims_lose_the_page_headers_between_them():
    assert scrub_claims("所述步骤七在CN114133234A权利要求书2/2页烧结时需要保温") == "所述步骤七在烧结时需要保温"
    assert scrub_claims("3343536CN113121604A书5/10页N37") == "3343536N37"
