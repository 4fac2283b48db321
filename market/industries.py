"""The plan's three major industries, derived from IPC classes.

The mapping is by IPC prefix, longest prefix first; a patent belongs to the industry of its
first IPC class that maps to one. The table is the one place to change it.
"""

from django.db import models


class Industry(models.TextChoices):
    DIGITAL_ECONOMY = "digital", "数字经济 Digital economy"
    LIFE_HEALTH = "life_health", "生命健康 Life and health"
    NEW_MATERIALS = "new_materials", "新材料 New materials"
    OTHER = "other", "其他 Other"


IPC_PREFIXES: dict[str, str] = {
    # digital economy: computing, communication, semiconductors, control
    "G06": Industry.DIGITAL_ECONOMY,
    "G05B": Industry.DIGITAL_ECONOMY,
    "G08": Industry.DIGITAL_ECONOMY,
    "G09": Industry.DIGITAL_ECONOMY,
    "G10L": Industry.DIGITAL_ECONOMY,
    "G11": Industry.DIGITAL_ECONOMY,
    "G16": Industry.DIGITAL_ECONOMY,
    "H01L": Industry.DIGITAL_ECONOMY,
    "H03": Industry.DIGITAL_ECONOMY,
    "H04": Industry.DIGITAL_ECONOMY,
    "H05K": Industry.DIGITAL_ECONOMY,
    # life and health: medicine, medical devices, biotech, food
    "A61": Industry.LIFE_HEALTH,
    "A23": Industry.LIFE_HEALTH,
    "C07K": Industry.LIFE_HEALTH,
    "C12": Industry.LIFE_HEALTH,
    "G01N33": Industry.LIFE_HEALTH,
    "G16H": Industry.LIFE_HEALTH,
    # new materials: polymers, metallurgy, inorganic, glass/ceramics, nano, coatings
    "B82": Industry.NEW_MATERIALS,
    "C01": Industry.NEW_MATERIALS,
    "C03": Industry.NEW_MATERIALS,
    "C04": Industry.NEW_MATERIALS,
    "C08": Industry.NEW_MATERIALS,
    "C09": Industry.NEW_MATERIALS,
    "C22": Industry.NEW_MATERIALS,
    "C23": Industry.NEW_MATERIALS,
    "H01M": Industry.NEW_MATERIALS,
}
_ORDERED = sorted(IPC_PREFIXES.items(), key=lambda item: -len(item[0]))


def industry_for_ipc(ipc_codes: list[str]) -> str:
    """The industry of the first IPC code that maps to one, else ``other``."""
    for code in ipc_codes:
        compact = code.replace(" ", "").upper()
        for prefix, industry in _ORDERED:
            if compact.startswith(prefix):
                return str(industry)
    return str(Industry.OTHER)
