"""Regions: Zhejiang's 11 cities by their administrative code; other provinces are allowed."""

from django.db import models


class City(models.TextChoices):
    HANGZHOU = "3301", "杭州"
    NINGBO = "3302", "宁波"
    WENZHOU = "3303", "温州"
    JIAXING = "3304", "嘉兴"
    HUZHOU = "3305", "湖州"
    SHAOXING = "3306", "绍兴"
    JINHUA = "3307", "金华"
    QUZHOU = "3308", "衢州"
    ZHOUSHAN = "3309", "舟山"
    TAIZHOU = "3310", "台州"
    LISHUI = "3311", "丽水"
    OTHER = "0000", "省外 Other province"

ZHEJIANG_CODES = frozenset(c.value for c in City if c != City.OTHER)
