"""The Nice classification (尼斯分类, 45 classes) with the short Chinese names the trademark office's
similar-goods table (类似商品和服务区分表) uses, and the similar-group codes (类似群) of goods.

A similar-group code is four digits: the class (two digits) and the group within it, e.g. ``3002``
(class 30, group 02). Goods or services in one group are similar (the table's general rule; its notes
make some cross-group exceptions, which a staff decision records).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

CLASSES: dict[int, tuple[str, str]] = {
    1: ("化学原料", "Chemicals"), 2: ("颜料油漆", "Paints"), 3: ("日化用品", "Cosmetics and cleaning"),
    4: ("燃料油脂", "Fuels and lubricants"), 5: ("医药", "Pharmaceuticals"), 6: ("金属材料", "Common metals"),
    7: ("机械设备", "Machines"), 8: ("手工器械", "Hand tools"), 9: ("科学仪器", "Scientific and electronic apparatus"),
    10: ("医疗器械", "Medical apparatus"), 11: ("灯具空调", "Lighting and heating"), 12: ("运输工具", "Vehicles"),
    13: ("军火烟火", "Firearms and fireworks"), 14: ("珠宝钟表", "Jewellery and clocks"),
    15: ("乐器", "Musical instruments"), 16: ("办公用品", "Paper and stationery"), 17: ("橡胶制品", "Rubber goods"),
    18: ("皮革皮具", "Leather goods"), 19: ("建筑材料", "Building materials"), 20: ("家具", "Furniture"),
    21: ("厨房洁具", "Household utensils"), 22: ("绳网袋篷", "Ropes and sacks"), 23: ("纱线丝", "Yarns"),
    24: ("布料床单", "Textiles"), 25: ("服装鞋帽", "Clothing and footwear"), 26: ("纽扣拉链", "Lace and buttons"),
    27: ("地毯席垫", "Carpets"), 28: ("健身器材", "Games and sporting goods"), 29: ("食品", "Meat, dairy, preserved food"),
    30: ("方便食品", "Staple foods, tea and coffee"), 31: ("饲料种籽", "Agricultural produce"),
    32: ("啤酒饮料", "Beer and soft drinks"), 33: ("酒", "Alcoholic beverages"), 34: ("烟草烟具", "Tobacco"),
    35: ("广告销售", "Advertising and business"), 36: ("金融物管", "Financial and real estate"),
    37: ("建筑修理", "Construction and repair"), 38: ("通讯服务", "Telecommunications"),
    39: ("运输贮藏", "Transport and storage"), 40: ("材料加工", "Treatment of materials"),
    41: ("教育娱乐", "Education and entertainment"), 42: ("科技服务", "Scientific and IT services"),
    43: ("餐饮住宿", "Food and accommodation services"), 44: ("医疗园艺", "Medical and agricultural services"),
    45: ("社会服务", "Legal and social services"),
}

GROUP_RE = re.compile(r"^(\d{2})(\d{2})$")


def class_label(number: int) -> str:
    """``第30类 方便食品``."""
    return f"第{number}类 {CLASSES[number][0]}"


def group_class(code: str) -> int:
    """The class a similar-group code belongs to; raises ValidationError for a code that is not one."""
    match = GROUP_RE.match(str(code or ""))
    if not match or int(match.group(1)) not in CLASSES:
        raise ValidationError(f"类似群编码应为4位（类别2位+群组2位），如 3002 / "
                              f"A similar-group code has 4 digits (class, group), e.g. 3002: {code!r}")
    return int(match.group(1))


def similar_goods(groups: set[str] | list[str], other: set[str] | list[str]) -> set[str]:
    """The similar groups two lists of goods share: goods of one group are similar goods."""
    return set(groups) & set(other)
